package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * Moves pending records into segment files: writes, rolls segments, sets SYNC_MARK, fdatasyncs, advances
 * the written and durable LSNs and tells the listener. Whichever thread the policy says does the I/O calls
 * in here; {@link #lock} makes writes and syncs mutually exclusive, which is what makes SYNC_MARK truthful:
 * a sync that completes while holding the lock covers every record written before it.
 *
 * <p>A failed write or sync is fatal: the writer remembers the error, never reports another LSN durable,
 * and every later call throws {@link WalFailedException}.
 */
final class LogWriter {
    private static final System.Logger LOG = System.getLogger(LogWriter.class.getName());

    final ReentrantLock lock = new ReentrantLock();
    /**
     * Segment first LSN -> segment. The last one is the active segment. This writer adds segments at the
     * end; the appending thread removes them (under the fence's exclusive side); readers look anywhere.
     */
    final ConcurrentSkipListMap<Long, Segment> segments;
    /** Held exclusively while records are cut away, so that readers on other threads notice. */
    final LogFence fence;

    private final Path walDir;
    private final FsyncPolicy policy;
    private final long segmentBytes;
    private final Handoff handoff;
    private final SegmentAllocator allocator;
    private final WalMetrics metrics;
    private final AtomicLong pendingBytes;
    private final CRC32C crc = new CRC32C();

    // Guarded by lock.
    private ActiveSegment active;
    /** True when an fdatasync covering every record written so far has completed since the last write. */
    private boolean syncedSinceLastWrite;
    private long unsyncedRecords;
    private long unsyncedBytes;
    private boolean closed;
    /** Segments NEVER rolled away from without syncing; close() syncs them. */
    private final List<Path> unsyncedSegments = new ArrayList<>();
    /** NEVER's background writeback (null under the other policies, or when writebackBytes is 0). */
    private final WritebackThread writeback;
    private final long writebackBytes;
    /** Bytes written to the active segment since it was last handed to the writeback. */
    private long bytesSinceWriteback;

    private volatile long writtenLsn;
    private volatile long durableLsn;
    private volatile WalFailedException failure;
    private volatile DurableListener listener;
    private volatile ForceHook forceHook;

    LogWriter(Path walDir, WalOptions options, Handoff handoff, WalMetrics metrics, AtomicLong pendingBytes,
              ConcurrentSkipListMap<Long, Segment> segments, ActiveSegment active, long lastLsn, LogFence fence) {
        this.walDir = walDir;
        this.policy = options.fsyncPolicy();
        this.segmentBytes = options.segmentBytes();
        this.handoff = handoff;
        this.metrics = metrics;
        this.pendingBytes = pendingBytes;
        this.segments = segments;
        this.fence = fence;
        this.active = active;
        this.allocator = new SegmentAllocator(walDir, options);
        this.writebackBytes = options.writebackBytes();
        this.writeback = policy == FsyncPolicy.NEVER && writebackBytes > 0 ? new WritebackThread(this, metrics) : null;
        // Recovery synced every segment, so all of it is durable and the next record may carry SYNC_MARK.
        this.writtenLsn = lastLsn;
        this.durableLsn = lastLsn;
        this.syncedSinceLastWrite = true;
    }

    /** Writes everything pending and, if {@code sync}, fdatasyncs it, waiting for the lock. */
    void drain(boolean sync) throws WalFailedException {
        lock.lock();
        try {
            drainLocked(sync);
        } finally {
            lock.unlock();
        }
    }

    /**
     * EVERYSEC flush: writes what is pending unless another thread holds the lock. That thread is the
     * periodic sync, which drains again once its fdatasync is done; not waiting for it is what keeps the
     * caller from stalling behind a sync. The loop closes the race where the holder released the lock
     * just before our batch became pending.
     */
    void tryDrain() throws WalFailedException {
        while (handoff.hasPending()) {
            if (!lock.tryLock()) {
                return;
            }
            try {
                drainLocked(false);
            } finally {
                lock.unlock();
            }
        }
    }

    /** EVERYSEC tick: fdatasync what was written, then write what piled up meanwhile (marked). */
    void syncThenDrain() throws WalFailedException {
        lock.lock();
        try {
            checkNotFailed();
            if (closed) {
                return;
            }
            try {
                syncActive();
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            }
            drainLocked(false);
        } finally {
            lock.unlock();
        }
        tryDrain();
    }

    void drainLocked(boolean sync) throws WalFailedException {
        checkNotFailed();
        if (closed) {
            throw new IllegalStateException("wal is closed");
        }
        RecordBatch batch = handoff.take();
        try {
            if (batch != null) {
                writeBatch(batch);
                pendingBytes.addAndGet(-batch.size());
                handoff.recycle(batch);
                if (policy == FsyncPolicy.EVERYSEC || policy == FsyncPolicy.NEVER) {
                    advanceDurable(writtenLsn);
                }
            }
            if (sync) {
                syncActive();
                advanceDurable(writtenLsn);
            }
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    private void writeBatch(RecordBatch batch) throws IOException {
        ByteBuffer buffer = batch.buffer();
        int size = batch.size();
        int offset = 0;
        while (offset < size) {
            long lsn = WalRecord.lsnAt(buffer, offset);
            // A new segment when there is none yet, or when this LSN does not follow the segment's last one
            // (the log restarts after a snapshot that is ahead of it): a segment's records are consecutive.
            if (active == null || lsn != active.lastLsn() + 1) {
                roll(lsn);
            }
            int end;
            int records;
            long room = segmentBytes - active.position();
            if (size - offset <= room) {
                end = size; // the common case: the rest of the batch fits, no need to walk its records
                records = (int) (batch.lastLsn() - lsn + 1);
            } else {
                end = fittingEnd(buffer, offset, size, room);
                records = countRecords(buffer, offset, end);
            }
            if (end == offset) {
                if (!active.isEmpty()) {
                    roll(lsn);
                    continue;
                }
                // Larger than a whole segment: it goes alone into this fresh segment, which grows for it.
                end = offset + WalRecord.recordBytesAt(buffer, offset);
                records = 1;
            }
            // Records are consecutive, so the run's last LSN follows from its count: lsn 7 and 3 records
            // end at 7 + 3 - 1 = 9. The write also extends the sparse index, before writtenLsn publishes
            // the records to readers.
            long lastLsn = lsn + records - 1;
            markIfSynced(buffer, offset, batch.crc());
            // slice() forgets the byte order; the index reads the length fields, which are little-endian.
            active.write(buffer.slice(offset, end - offset).order(WalRecord.ORDER), lsn, lastLsn);
            metrics.bytesWritten.add(end - offset);
            metrics.recordsWritten.add(records);
            metrics.writeCalls.increment();
            unsyncedBytes += end - offset;
            unsyncedRecords += records;
            writtenLsn = lastLsn;
            askWriteback(end - offset);
            offset = end;
        }
    }

    /**
     * NEVER: hands the active segment to the writeback thread once {@code writebackBytes} were written to it since
     * the last time (WritebackThread says why). Worked example, writebackBytes 8 MiB: writes of 3, 3 and 3 MiB ask
     * after the third (9 MiB), and the count starts again from 0.
     */
    private void askWriteback(long bytes) {
        if (writeback == null) {
            return;
        }
        bytesSinceWriteback += bytes;
        if (bytesSinceWriteback >= writebackBytes) {
            writeback.request(active.path);
            bytesSinceWriteback = 0;
        }
    }

    /**
     * The end of the longest run of whole records from {@code offset} that fits in {@code room} bytes.
     * Worked example: segmentBytes 1024, the segment is written up to 1000 (room 24), records of 20 and 30
     * bytes follow: the first fits (1000 + 20 = 1020 <= 1024), the second would end at 1050 and does not,
     * so the run ends after the first record and the second starts the next segment.
     */
    private static int fittingEnd(ByteBuffer buffer, int offset, int size, long room) {
        int end = offset;
        while (end < size) {
            int recordBytes = WalRecord.recordBytesAt(buffer, end);
            if (end - offset + recordBytes > room) {
                break;
            }
            end += recordBytes;
        }
        return end;
    }

    private static int countRecords(ByteBuffer buffer, int offset, int end) {
        int count = 0;
        for (int at = offset; at < end; at += WalRecord.recordBytesAt(buffer, at)) {
            count++;
        }
        return count;
    }

    private void markIfSynced(ByteBuffer buffer, int offset, CRC32C batchCrc) {
        if (syncedSinceLastWrite) {
            WalRecord.setSyncMark(buffer, offset, batchCrc);
            syncedSinceLastWrite = false;
        }
    }

    /** Closes the active segment (synced first unless the policy is NEVER) and starts one at firstLsn. */
    private void roll(long firstLsn) throws IOException {
        if (active != null) {
            if (policy != FsyncPolicy.NEVER) {
                // The old segment's records must be durable before the group is reported; EVERYSEC's
                // periodic sync only ever syncs the active segment.
                syncActive();
            } else if (!active.isEmpty()) {
                unsyncedSegments.add(active.path); // NEVER syncs only at close()
                if (writeback != null) {
                    writeback.request(active.path); // the rest of it, not a whole writebackBytes yet
                }
            }
            bytesSinceWriteback = 0;
            active.close();
        }
        active = null;
        active = allocator.create(firstLsn, metrics);
        segments.put(firstLsn, active.segment());
    }

    /** fdatasync of the active segment, if anything was written since the last one. */
    private void syncActive() throws IOException {
        if (active == null || unsyncedBytes == 0) {
            return;
        }
        ForceHook hook = forceHook;
        if (hook != null) {
            hook.beforeForce();
        }
        long start = System.nanoTime();
        active.channel.force(false);
        metrics.syncMicros.record((System.nanoTime() - start) / 1000);
        metrics.dataSyncs.increment();
        metrics.recordsPerSync.record(unsyncedRecords);
        metrics.bytesPerSync.record(unsyncedBytes);
        unsyncedRecords = 0;
        unsyncedBytes = 0;
        syncedSinceLastWrite = true;
    }

    private void advanceDurable(long lsn) {
        if (lsn <= durableLsn) {
            return;
        }
        durableLsn = lsn;
        DurableListener l = listener;
        if (l != null) {
            try {
                l.onDurable(lsn);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "wal: durable listener threw", e);
            }
        }
    }

    WalFailedException fail(Throwable cause) {
        if (failure == null) {
            failure = new WalFailedException("wal: write or fdatasync failed in " + walDir
                    + "; records after lsn " + durableLsn + " are not durable and the node must stop", cause);
            LOG.log(System.Logger.Level.ERROR, failure.getMessage(), cause);
            DurableListener l = listener;
            if (l != null) {
                try {
                    l.onFailed(failure);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "wal: durable listener threw", e);
                }
            }
        }
        return failure;
    }

    void checkNotFailed() throws WalFailedException {
        WalFailedException f = failure;
        if (f != null) {
            throw new WalFailedException(f.getMessage(), f.getCause());
        }
    }

    /**
     * Makes the log end at {@code lsn}: see {@link Wal#truncateAfter(long)}. Everything is drained first;
     * the cut itself and the step back of the written and durable LSNs happen under the fence, so that a
     * reader on another thread never returns a record from the cut suffix once this returns, nor mixes old
     * and new records.
     */
    void truncateAfter(long lsn) throws IOException {
        lock.lock();
        try {
            drainLocked(true);
            long stamp = fence.beginChange();
            try {
                active = new SuffixTruncation(walDir, segments, active, metrics).truncateAfter(lsn);
                writtenLsn = lsn;
                durableLsn = Math.min(durableLsn, lsn);
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            } finally {
                fence.endChange(stamp);
            }
            // The truncation synced the file: every remaining record is durable.
            syncedSinceLastWrite = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every segment, newest first (see {@link Wal#restartAfter}), and makes the next record start
     * a new segment at lsn + 1. What was pending is written first and deleted with the rest: the snapshot
     * that replaces the log covers it.
     */
    void restartAfter(long lsn) throws IOException {
        lock.lock();
        try {
            drainLocked(false);
            long stamp = fence.beginChange();
            try {
                if (active != null) {
                    active.close();
                    active = null;
                }
                for (Long first : new ArrayList<>(segments.descendingKeySet())) {
                    java.nio.file.Files.deleteIfExists(segments.remove(first).path());
                    metrics.segmentsDeleted.increment();
                }
                FileSync.directory(walDir);
                metrics.metadataSyncs.increment();
                unsyncedSegments.clear();
                unsyncedBytes = 0;
                unsyncedRecords = 0;
                // Nothing of the old log is left; the snapshot is durable up to lsn, so the log counts as
                // durable up to it too (the caller tells the core; the listener is not called).
                writtenLsn = lsn;
                durableLsn = lsn;
                syncedSinceLastWrite = true;
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            } finally {
                fence.endChange(stamp);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Starts the background writeback, if the policy has one (Wal's constructor, once this writer is built). */
    void start() {
        if (writeback != null) {
            writeback.start();
        }
    }

    /** The background writeback thread, or null: Wal#close stops it before it closes this writer. */
    WritebackThread writeback() {
        return writeback;
    }

    /** Drains and syncs everything, then closes the files. */
    void close() throws WalFailedException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                if (failure == null) {
                    drainLocked(true);
                    syncRolledSegments();
                }
            } finally {
                closed = true;
                try {
                    if (active != null) {
                        active.close();
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "wal: closing " + active.path + " failed", e);
                }
                allocator.close();
            }
            checkNotFailed();
        } finally {
            lock.unlock();
        }
    }

    private void syncRolledSegments() throws WalFailedException {
        for (Path path : unsyncedSegments) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                channel.force(false);
            } catch (java.nio.file.NoSuchFileException e) {
                // Deleted meanwhile (deleteSegmentsUpTo or truncateAfter): nothing left to sync.
            } catch (IOException e) {
                throw fail(e);
            }
        }
        unsyncedSegments.clear();
    }

    long writtenLsn() {
        return writtenLsn;
    }

    long durableLsn() {
        return durableLsn;
    }

    WalFailedException failure() {
        return failure;
    }

    void setListener(DurableListener listener) {
        this.listener = listener;
    }

    boolean awaitSpare(long millis) throws InterruptedException {
        return allocator.awaitSpare(millis);
    }

    void setForceHook(ForceHook hook) {
        this.forceHook = hook;
    }
}
