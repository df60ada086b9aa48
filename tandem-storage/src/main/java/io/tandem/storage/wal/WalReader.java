package io.tandem.storage.wal;

import io.tandem.core.log.CorruptEntryException;
import io.tandem.core.model.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the log back by LSN range, from any thread, while the appending thread appends, the writer thread
 * writes and syncs, and segments are deleted or the log truncated: how a leader streams entries to a
 * follower from the follower's last LSN once they are no longer in memory. Obtain one from
 * {@link Wal#reader()}. A reader keeps no state between calls, so one instance serves any number of threads.
 *
 * <h2>What is readable</h2>
 *
 * Records up to {@link #lastReadableLsn()}, never beyond what was written to the file. The default reader
 * ({@link ReadUpTo#DURABLE}) stops at the durable LSN: a leader never ships an entry that a crash of its own
 * could take back. Under ALWAYS and BATCH that means fdatasync'ed; under EVERYSEC and NEVER the WAL reports
 * the written LSN as durable (see {@link FsyncPolicy}), so there the reader returns written records that a
 * power loss could still drop. {@link ReadUpTo#WRITTEN} reads every record handed to the kernel, synced or
 * not, for callers that accept that (for instance to overlap a follower's write with the leader's sync).
 *
 * <h2>Finding an LSN</h2>
 *
 * The segment map gives the segment ({@code floorEntry}); the segment's {@link SparseIndex} gives the last
 * indexed record at or before the LSN, at most ~4 KiB of records before it; the reader scans forward from
 * there with positional reads, checking every record's CRC, and then reads on across segment boundaries.
 * The indexes are built by recovery and extended by the writer as it writes, and go with their segments
 * when those are deleted; they take at most 2 MiB per GiB of log (see {@link SparseIndex}).
 *
 * <h2>Concurrency</h2>
 *
 * Each call opens the segment files it needs and closes them before returning. Truncations and segment
 * deletions happen under a {@link LogFence}: a read that overlapped one is thrown away and runs again, so a
 * read never returns a record from a suffix that {@code truncateAfter} cut, nor from a segment deleted
 * before it returns, nor a mix of old and new records; a read of LSNs whose segment was deleted meanwhile
 * ends in {@link LsnNotAvailableException}, never in a stray {@link NoSuchFileException} or a garbled
 * record. (On Linux an unlinked file stays readable through a channel already open, so a read never
 * faults halfway; the fence is what decides whether its result may be returned.) The appending thread
 * never waits for a reader's I/O except when a truncation or deletion meets a read that is being repeated.
 *
 * <p>Reads keep working after the WAL failed or was closed, up to what was readable then.
 */
public final class WalReader {
    /** How far a reader reads. */
    public enum ReadUpTo {
        /** Up to the durable LSN: nothing a crash could take back (the default). */
        DURABLE,
        /** Up to the written LSN: everything handed to the kernel, synced or not. */
        WRITTEN
    }

    /** Stages at which a test can pause a read. */
    enum Stage { SEGMENT_FOUND, SEGMENT_OPENED, SEGMENT_READ }

    /** Test seam, called on the reading thread. */
    @FunctionalInterface
    interface Hook {
        void at(Stage stage, Path segment);
    }

    private static final int MIN_CHUNK_BYTES = 16 << 10;
    private static final int MAX_CHUNK_BYTES = 1 << 20;
    /** A raw batch lives in one array. A single record (at most 1 GiB) always fits. */
    static final int MAX_RAW_BATCH_BYTES = Integer.MAX_VALUE - 64;

    private final Wal wal;
    private final LogWriter writer;
    private final ReadUpTo upTo;
    private final WalMetrics metrics;
    private volatile Hook hook;
    /**
     * The scanner of the last read, kept for the next one: its buffer is about a megabyte, and allocated
     * afresh for every batch a lagging follower is sent it was a humongous allocation in G1 each time (a
     * region of its own, zeroed and faulted in: 13% of a leader's shipping CPU in a 10^6-entry catch-up).
     * Taken with getAndSet, so that two threads reading at once never share one; the second makes its own.
     */
    private final AtomicReference<SegmentScanner> spareScanner = new AtomicReference<>();

    WalReader(Wal wal, LogWriter writer, ReadUpTo upTo) {
        this.wal = wal;
        this.writer = writer;
        this.upTo = upTo;
        this.metrics = wal.metrics();
    }

    public ReadUpTo readUpTo() {
        return upTo;
    }

    /** The first LSN the log holds (older ones were deleted after a snapshot); may exceed lastReadableLsn. */
    public long firstLsn() {
        return wal.firstLsn();
    }

    /** The highest LSN this reader returns now: the durable LSN, or the written one for WRITTEN. */
    public long lastReadableLsn() {
        return upTo == ReadUpTo.DURABLE ? writer.durableLsn() : writer.writtenLsn();
    }

    /**
     * The term of the entry at {@code lsn}, or -1 if it is not readable: below {@link #firstLsn()} (the term
     * of firstLsn - 1, a snapshot's last entry, is the snapshot's to tell) or above
     * {@link #lastReadableLsn()}.
     */
    public long termAt(long lsn) {
        return writer.fence.readValue(() -> {
            if (lsn < wal.firstLsn() || lsn > lastReadableLsn()) {
                return -1;
            }
            return wal.terms().termAt(lsn);
        });
    }

    /**
     * Consecutive entries from {@code fromLsn}: as many as fit in {@code maxBytes}, counting each record's
     * size as stored (header + payload, which is also what {@link #readRaw} returns, so both select the
     * same range), but at least one if {@code fromLsn} is readable, however large; never past
     * {@link #lastReadableLsn()}. Empty if {@code fromLsn} is above it.
     *
     * @throws LsnNotAvailableException if {@code fromLsn} is below {@link #firstLsn()}: deleted after a
     *     snapshot (send the snapshot instead)
     * @throws WalCorruptionException if a record fails its CRC or does not decode; names file and offset
     */
    public List<Entry> read(long fromLsn, long maxBytes) throws IOException {
        checkMaxBytes(maxBytes);
        metrics.readCalls.increment();
        List<Entry> entries = writer.fence.read(() -> {
            EntrySink sink = new EntrySink();
            scan(fromLsn, maxBytes, sink);
            return sink.entries;
        }, metrics.readRetries::increment);
        metrics.recordsRead.add(entries.size());
        return entries;
    }

    /**
     * The same range as {@link #read} with the same arguments, as the records' exact bytes (see
     * {@link RawBatch}); every record's CRC is checked on the way. The batch's bytes never exceed
     * {@code maxBytes} unless it holds a single record.
     */
    public RawBatch readRaw(long fromLsn, long maxBytes) throws IOException {
        checkMaxBytes(maxBytes);
        metrics.readCalls.increment();
        long cappedBytes = Math.min(maxBytes, MAX_RAW_BATCH_BYTES);
        RawBatch batch = writer.fence.read(() -> {
            RawSink sink = new RawSink(cappedBytes);
            scan(fromLsn, cappedBytes, sink);
            return sink.batch(fromLsn);
        }, metrics.readRetries::increment);
        metrics.recordsRead.add(batch.count());
        return batch;
    }

    private static void checkMaxBytes(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
    }

    /** Receives the records of a read, in order. */
    private interface Sink {
        void accept(Segment segment, SegmentScanner scanner) throws WalCorruptionException;
    }

    /**
     * Feeds the records of [fromLsn, lastReadableLsn] to {@code sink} until maxBytes. Reads the limits once,
     * at the start: what a concurrent change does to them afterwards is the fence's business.
     */
    private void scan(long fromLsn, long maxBytes, Sink sink) throws IOException {
        long first = wal.firstLsn();
        long limit = lastReadableLsn();
        if (fromLsn < first) {
            throw new LsnNotAvailableException(fromLsn, first);
        }
        if (fromLsn > limit) {
            return;
        }
        Budget budget = new Budget(maxBytes);
        // A chunk a little larger than what is asked for, so that the index point's distance (< 4 KiB) and
        // one straddling record rarely need a second read.
        long chunk = Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, maxBytes + 2L * SparseIndex.INTERVAL_BYTES));
        SegmentScanner scanner = spareScanner.getAndSet(null);
        if (scanner == null || scanner.capacity() < chunk) {
            scanner = new SegmentScanner((int) chunk, metrics.bytesReadFromFiles);
        } else {
            scanner.chunkBytes((int) chunk);
        }
        try {
            scanWith(scanner, first, limit, fromLsn, budget, sink);
        } finally {
            scanner.close();
            if (scanner.capacity() <= MAX_CHUNK_BYTES) { // one grown for a huge record is not kept: memory
                spareScanner.set(scanner);
            }
        }
    }

    private void scanWith(SegmentScanner scanner, long first, long limit, long fromLsn, Budget budget, Sink sink)
            throws IOException {
        long lsn = fromLsn;
        while (lsn <= limit && !budget.full) {
            Map.Entry<Long, Segment> found = wal.segments().floorEntry(lsn);
            if (found == null) {
                throw new WalCorruptionException("wal", null, 0, "no segment holds lsn " + lsn + " although the"
                        + " log holds lsns " + first + ".." + limit);
            }
            Segment segment = found.getValue();
            Long next = wal.segments().higherKey(segment.firstLsn());
            // The segment's records end where the next segment starts: segments 1 and 101 mean 1 holds 1..100.
            long segmentLast = next == null ? limit : Math.min(limit, next - 1);
            if (lsn > segmentLast) {
                throw new WalCorruptionException("wal", null, 0, "lsn " + lsn + " falls between segments");
            }
            lsn = scanSegment(segment, lsn, segmentLast, scanner, budget, sink);
        }
    }

    /** Reads {@code segment} from lsn to segmentLast (or until the budget is spent); returns the next LSN. */
    private long scanSegment(Segment segment, long lsn, long segmentLast, SegmentScanner scanner, Budget budget,
                             Sink sink) throws IOException {
        call(Stage.SEGMENT_FOUND, segment);
        long point = segment.index().floor(lsn);
        long offset = point < 0 ? SegmentHeader.BYTES : SparseIndex.offsetOf(point);
        long expected = point < 0 ? segment.firstLsn() : segment.index().lsnOf(point);
        FileChannel channel;
        try {
            channel = FileChannel.open(segment.path(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            // Outside a concurrent deletion (which the fence turns into a retry) a segment file that the map
            // still lists must exist.
            throw corruption(segment, 0, "the segment file is missing");
        }
        try (channel) {
            call(Stage.SEGMENT_OPENED, segment);
            scanner.open(channel, offset);
            while (expected <= segmentLast) {
                String problem = scanner.loadLength();
                // At least one record, however large; then stop before the one that would exceed maxBytes,
                // knowing only its length (so a huge record that will not be taken is not read).
                if (problem == null && expected >= lsn && budget.records > 0
                        && budget.bytes + scanner.recordBytes() > budget.maxBytes) {
                    budget.full = true;
                    call(Stage.SEGMENT_READ, segment);
                    return expected;
                }
                if (problem == null) {
                    problem = scanner.loadRecord();
                }
                if (problem != null) {
                    throw corruption(segment, scanner.offset(), problem + " (expected the record with lsn "
                            + expected + ")");
                }
                if (scanner.lsn() != expected) {
                    throw corruption(segment, scanner.offset(), "record has lsn " + scanner.lsn()
                            + ", expected lsn " + expected);
                }
                if (expected >= lsn) {
                    sink.accept(segment, scanner);
                    budget.bytes += scanner.recordBytes();
                    budget.records++;
                }
                scanner.advance();
                expected++;
            }
            call(Stage.SEGMENT_READ, segment);
        }
        return expected;
    }

    private void call(Stage stage, Segment segment) {
        Hook h = hook;
        if (h != null) {
            h.at(stage, segment.path());
        }
    }

    static WalCorruptionException corruption(Segment segment, long offset, String problem) {
        return new WalCorruptionException(SegmentName.display(segment.path()), segment.path(), offset, problem);
    }

    /** What a read has taken so far. */
    private static final class Budget {
        final long maxBytes;
        long bytes;
        long records;
        boolean full;

        Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }
    }

    private static final class EntrySink implements Sink {
        final List<Entry> entries = new ArrayList<>();

        @Override
        public void accept(Segment segment, SegmentScanner scanner) throws WalCorruptionException {
            try {
                entries.add(scanner.decode());
            } catch (CorruptEntryException e) {
                throw corruption(segment, scanner.offset(), "record lsn " + scanner.lsn()
                        + " has a valid CRC but its payload does not decode: " + e.getMessage());
            }
        }
    }

    private static final class RawSink implements Sink {
        private byte[] bytes;
        private int size;
        private int count;
        private long firstLsn;
        private long lastLsn;
        private long lastTerm = -1;

        RawSink(long maxBytes) {
            this.bytes = new byte[(int) Math.min(maxBytes, MIN_CHUNK_BYTES)];
        }

        @Override
        public void accept(Segment segment, SegmentScanner scanner) {
            int recordBytes = scanner.recordBytes();
            if (size + recordBytes > bytes.length) {
                long wanted = Math.max((long) size + recordBytes, 2L * bytes.length);
                bytes = Arrays.copyOf(bytes, (int) Math.min(wanted, MAX_RAW_BATCH_BYTES));
            }
            scanner.copyRecord(bytes, size);
            size += recordBytes;
            if (count == 0) {
                firstLsn = scanner.lsn();
            }
            count++;
            lastLsn = scanner.lsn();
            lastTerm = scanner.term();
        }

        RawBatch batch(long fromLsn) {
            if (count == 0) {
                return RawBatch.empty(fromLsn);
            }
            return new RawBatch(ByteBuffer.wrap(bytes, 0, size), firstLsn, lastLsn, count, lastTerm);
        }
    }

    /** Test seam: pauses or observes reads at the given stages. */
    void setHook(Hook hook) {
        this.hook = hook;
    }
}
