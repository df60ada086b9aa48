package io.tandem.storage.wal;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import io.tandem.core.util.Invariants;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The appending side of the write-ahead log. Obtain one from {@link WalRecovery#open}.
 *
 * <p>Used from one thread, the node's agent: {@link #append} encodes into memory, {@link #flush} hands the
 * appended records to durability according to the {@link FsyncPolicy}, and the {@link DurableListener}
 * hears when the durable LSN advances. Other threads involved: the BATCH group-commit writer, the EVERYSEC
 * syncer, NEVER's writeback, and the segment preallocator; none of them takes a lock the appender waits on
 * during I/O except as the policy demands (ALWAYS and NEVER write on the caller's thread; EVERYSEC skips a
 * write that would wait for its sync and lets the syncer write it; NEVER's writeback syncs its own channel).
 *
 * <p>How the node's agent uses it:
 *
 * <pre>{@code
 * Recovered recovered = WalRecovery.open(dataDir, WalOptions.defaults(), snapshotLsn, keyspace::apply);
 * Wal wal = recovered.wal();
 * wal.setDurableListener(lsn -> inbound.offer(new Persisted(lsn)));   // quick hand-off, any thread
 * // each duty cycle:
 * for (Entry entry : entriesToPersist) wal.append(entry);
 * wal.flush();
 * readingClients = !wal.backPressured();
 * // on shutdown:
 * wal.close();
 * }</pre>
 *
 * <p>Reading the log back (replication catch-up) is done through a {@link WalReader} from {@link #reader()},
 * from any thread; a follower stores a leader's records byte for byte with {@link #appendRaw}.
 *
 * <p>Failure is fatal: after a failed write or fdatasync nothing more is reported durable and every call
 * throws {@link WalFailedException}. Interrupting the appending thread during I/O (ALWAYS, NEVER,
 * EVERYSEC) closes the file channel, which is such a failure.
 */
public final class Wal implements AutoCloseable {
    private static final long CLOSE_TIMEOUT_SECONDS = 60;

    private final Path walDir;
    private final WalOptions options;
    private final WalMetrics metrics = new WalMetrics();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Handoff handoff = new Handoff();
    private final LogWriter writer;
    private final GroupCommitThread groupCommit;
    private final EverysecSyncThread everysec;
    private final WalReader durableReader;
    private final WalReader writtenReader;

    // Changed by the appending thread only; terms and firstLsn are also read by WalReaders on other threads.
    private final TermIndex terms;
    private RecordBatch batch = new RecordBatch();
    private volatile long firstLsn;
    /**
     * The term of the entry at firstLsn - 1 once segments were deleted or a snapshot was installed (the
     * log's base, as a Raft snapshot's last included term), -1 when unknown. A follower whose log ends
     * exactly there matches the leader's probe without needing a snapshot.
     */
    private volatile long termBeforeFirst = -1;
    private long nextLsn;
    private long lastTerm;
    private boolean closed;

    /**
     * @param firstLsn the first LSN the log holds, or lastLsn + 1 if it holds none
     * @param lastLsn the last LSN appended (also the last durable one: recovery synced the files)
     */
    Wal(Path walDir, WalOptions options, ConcurrentSkipListMap<Long, Segment> segments, ActiveSegment active,
        long firstLsn, long lastLsn, long lastTerm, TermIndex terms) {
        this.walDir = walDir;
        this.options = options;
        this.firstLsn = firstLsn;
        this.nextLsn = lastLsn + 1;
        this.lastTerm = lastTerm;
        this.terms = terms;
        this.writer = new LogWriter(walDir, options, handoff, metrics, pendingBytes, segments, active, lastLsn,
                new LogFence());
        this.durableReader = new WalReader(this, writer, WalReader.ReadUpTo.DURABLE);
        this.writtenReader = new WalReader(this, writer, WalReader.ReadUpTo.WRITTEN);
        this.groupCommit = options.fsyncPolicy() == FsyncPolicy.BATCH ? new GroupCommitThread(handoff, writer)
                : null;
        this.everysec = options.fsyncPolicy() == FsyncPolicy.EVERYSEC
                ? new EverysecSyncThread(writer, options.everysecIntervalMillis()) : null;
        writer.start();
        if (groupCommit != null) {
            groupCommit.start();
        }
        if (everysec != null) {
            everysec.start();
        }
    }

    /** Set before appending; called as described in {@link DurableListener}. */
    public void setDurableListener(DurableListener listener) {
        writer.setListener(listener);
    }

    /**
     * Encodes {@code entry} into the in-memory batch. Its LSN must be {@link #lastLsn()} + 1 and its term
     * at least the previous entry's: checked always, since a hole or a step back in the log would be
     * replayed as truth after a crash. Returns the size of its payload (EntryCodec.payloadSize).
     */
    public int append(Entry entry) throws WalFailedException {
        checkNext(entry);
        int payloadLength = EntryCodec.payloadSize(entry);
        if (payloadLength < 0 || payloadLength > WalRecord.MAX_RECORD_BYTES - WalRecord.HEADER_BYTES) {
            throw new IllegalArgumentException("wal append: entry at lsn " + entry.lsn() + " encodes to "
                    + payloadLength + " bytes, above the " + WalRecord.MAX_RECORD_BYTES + "-byte record limit");
        }
        appended(entry, batch.append(entry, payloadLength));
        return payloadLength;
    }

    /** The checks of every append: open, and the entry follows the last one (see {@link #append}). */
    private void checkNext(Entry entry) throws WalFailedException {
        Objects.requireNonNull(entry, "entry");
        ensureOpen();
        Invariants.check(entry.lsn() == nextLsn, "wal append: lsn %d does not follow the last lsn %d",
                entry.lsn(), nextLsn - 1);
        Invariants.check(entry.term() >= lastTerm, "wal append: term %d at lsn %d is below the previous term %d",
                entry.term(), entry.lsn(), lastTerm);
    }

    /** After an entry's record went into the batch: what the log now ends with. */
    private void appended(Entry entry, int recordBytes) {
        pendingBytes.addAndGet(recordBytes);
        terms.append(entry.lsn(), entry.term());
        nextLsn++;
        lastTerm = entry.term();
    }

    /**
     * Appends {@code entry} as {@link #append} does, its payload copied from {@code source}'s bytes
     * [offset, offset + length) instead of encoded: a follower's copy of what the leader shipped, from which it
     * decoded {@code entry} itself (ShippedPayloads), so the bytes are EntryCodec's encoding of it and the log
     * holds what it would have encoded. Encoding each entry again was a tenth of a catching-up follower's
     * time. Returns the payload's length.
     */
    public int appendEncoded(Entry entry, ByteBuffer source, int offset, int length) throws WalFailedException {
        checkNext(entry);
        if (length < 0 || length > WalRecord.MAX_RECORD_BYTES - WalRecord.HEADER_BYTES
                || offset < 0 || offset > source.limit() - length) {
            throw new IllegalArgumentException("wal append: entry at lsn " + entry.lsn() + " with " + length
                    + " payload bytes at " + offset + " of a " + source.limit() + "-byte buffer");
        }
        appended(entry, batch.appendEncoded(entry, source, offset, length));
        return length;
    }

    /**
     * Copies {@code length} bytes, from its byte {@code from}, of the payload of the entry {@link #append} added
     * last (EntryCodec's encoding, as this log holds it) into {@code dst} at {@code at}: a caller that keeps
     * recent payloads in memory copies them instead of encoding each entry a second time. Only on the appending
     * thread, before the next {@link #flush}.
     */
    public void copyLastPayload(int from, byte[] dst, int at, int length) {
        batch.copyLastPayload(from, dst, at, length);
    }

    /**
     * Appends records exactly as another WAL stored them (a leader's {@link WalReader#readRaw}), so that a
     * follower's log holds the leader's bytes: same term, LSN, kind and payload, no decoding. Every record
     * is checked before any is appended: its frame and CRC32C, a known kind, the record size limit, LSNs
     * following {@link #lastLsn()} one by one, and terms never below the previous entry's. A batch that
     * fails any check is refused whole with {@link RawBatchRejectedException} and nothing changes.
     *
     * <p>One bit differs on disk: SYNC_MARK (see {@link WalRecord}) records this WAL's own fdatasyncs, so
     * the leader's marks are cleared (and the CRC of such a record recomputed) before this WAL's writer sets
     * its own. A leader's mark kept on a follower could make the follower's recovery mistake a torn tail
     * for corruption. Then, as with {@link #append}, {@link #flush} hands the records to durability.
     *
     * @return the number of records appended (0 for an empty batch)
     */
    public int appendRaw(RawBatch records) throws RawBatchRejectedException, WalFailedException {
        Objects.requireNonNull(records, "records");
        ensureOpen();
        ByteBuffer bytes = records.bytes();
        RawRecords.Summary summary = RawRecords.check(bytes, nextLsn, lastTerm);
        if (summary.count() == 0) {
            return 0;
        }
        int recordBytes = batch.appendRaw(bytes, summary.count(), summary.firstLsn(), summary.lastLsn());
        pendingBytes.addAndGet(recordBytes);
        RawRecords.forEachTerm(bytes, terms::append);
        nextLsn = summary.lastLsn() + 1;
        lastTerm = summary.lastTerm();
        return summary.count();
    }

    /**
     * A reader of this log for other threads, bounded by the durable LSN: it never returns a record that a
     * crash of this node could still take away, so a leader never ships what it could itself lose. Under
     * EVERYSEC and NEVER "durable" is what those policies report, i.e. written to the kernel.
     */
    public WalReader reader() {
        return durableReader;
    }

    /** A reader bounded as {@code upTo} says; see {@link WalReader.ReadUpTo}. */
    public WalReader reader(WalReader.ReadUpTo upTo) {
        return switch (Objects.requireNonNull(upTo, "upTo")) {
            case DURABLE -> durableReader;
            case WRITTEN -> writtenReader;
        };
    }

    /** Hands everything appended so far to durability; see {@link FsyncPolicy} for what that means. */
    public void flush() throws WalFailedException {
        ensureOpen();
        if (!batch.isEmpty()) {
            batch = handoff.offer(batch); // BATCH: this also wakes the group-commit writer
        }
        switch (options.fsyncPolicy()) {
            case ALWAYS -> writer.drain(true);
            case BATCH -> { }
            case EVERYSEC -> writer.tryDrain();
            case NEVER -> writer.drain(false);
        }
    }

    /** Highest LSN durable under the policy (for EVERYSEC and NEVER: written to the kernel). */
    public long durableLsn() {
        return writer.durableLsn();
    }

    /** Highest LSN handed to the kernel with write(). */
    public long writtenLsn() {
        return writer.writtenLsn();
    }

    /** The last LSN appended (maybe not yet flushed). */
    public long lastLsn() {
        return nextLsn - 1;
    }

    /** The term of the last entry appended (0 if the log has none since the last snapshot). */
    public long lastTerm() {
        return lastTerm;
    }

    /** The first LSN the log still holds; {@link #lastLsn()} + 1 when it holds none. */
    public long firstLsn() {
        return firstLsn;
    }

    /**
     * The term of the entry at {@code lsn}, or -1 if the log does not hold it; for firstLsn - 1, the term
     * of the entry the log starts after, when segments were deleted or a snapshot installed here.
     */
    public long termAt(long lsn) {
        if (lsn == firstLsn - 1 && lsn > 0) {
            return termBeforeFirst;
        }
        return lsn < firstLsn || lsn > lastLsn() ? -1 : terms.termAt(lsn);
    }

    /**
     * True while appended bytes not yet handed to the kernel exceed {@link WalOptions#maxPendingBytes()}:
     * the caller should stop reading client requests until it turns false. Advisory: append does not
     * refuse, so requests already read can still be logged.
     */
    public boolean backPressured() {
        return pendingBytes.get() > options.maxPendingBytes();
    }

    /** Appended bytes not yet handed to the kernel. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /**
     * Deletes whole segments whose every record has an LSN at or below {@code lsn} (covered by a snapshot
     * and by every replica), never the active segment. A segment qualifies when the next one starts at or
     * below lsn + 1. Worked example: segments start at 1, 101 and 201 (the first holds 1..100).
     * deleteSegmentsUpTo(150) deletes segment 1 (the next starts at 101 <= 151) and keeps 101 (the next
     * starts at 201 > 151, so it holds 151..200); deleteSegmentsUpTo(100) also deletes segment 1 (101 <=
     * 101); deleteSegmentsUpTo(99) deletes nothing (record 100 must stay). Returns the deleted files.
     * A {@link WalReader} asking for a deleted LSN, even one whose read was under way, gets
     * {@link LsnNotAvailableException}.
     */
    public List<Path> deleteSegmentsUpTo(long lsn) throws IOException {
        ensureOpen();
        ConcurrentSkipListMap<Long, Segment> segments = writer.segments;
        List<Path> deleted = new ArrayList<>();
        // Under the fence, so that a reader on another thread that overlaps the deletion runs again and
        // then finds the LSN gone (LsnNotAvailableException) instead of a vanished file. Unlinking is quick;
        // the directory sync after it happens outside.
        long stamp = writer.fence.beginChange();
        try {
            // Oldest first, so that a crash part-way leaves a log without holes. Only the appending thread
            // removes segments; the writer only adds them at the end, so the successor of one we look at is
            // stable.
            for (Map.Entry<Long, Segment> segment : segments.entrySet()) {
                Long next = segments.higherKey(segment.getKey());
                // "next <= lsn + 1" written so that lsn = Long.MAX_VALUE cannot overflow.
                if (next == null || next - 1 > lsn) {
                    break;
                }
                Path path = segment.getValue().path();
                Files.deleteIfExists(path);
                segments.remove(segment.getKey());
                metrics.segmentsDeleted.increment();
                deleted.add(path);
            }
        } finally {
            if (!deleted.isEmpty()) {
                Long first = segments.firstKey();
                if (first > firstLsn) {
                    long newFirst = Math.min(first, nextLsn);
                    termBeforeFirst = terms.termAt(newFirst - 1);
                    firstLsn = newFirst;
                    terms.trimBefore(firstLsn);
                }
            }
            writer.fence.endChange(stamp);
        }
        if (!deleted.isEmpty()) {
            FileSync.directory(walDir);
            metrics.metadataSyncs.increment();
        }
        return deleted;
    }

    /**
     * Recovery loaded a snapshot that ends at (term, lsn): when the log starts right after it, the snapshot
     * answers {@link #termAt}(firstLsn - 1), as a deletion or {@link #restartAfter} would have. Otherwise
     * (the log holds lsn, or starts later) nothing changes.
     */
    public void startsAfterSnapshot(long lsn, long term) {
        if (lsn > 0 && lsn == firstLsn - 1) {
            termBeforeFirst = term;
        }
    }

    /**
     * The bytes of segment files that {@link #deleteSegmentsUpTo}(lsn) would keep (whole files, as they
     * are on disk: a preallocated active segment counts at its full size).
     */
    public long bytesKeptDeletingUpTo(long lsn) {
        ConcurrentSkipListMap<Long, Segment> segments = writer.segments;
        long kept = 0;
        for (Map.Entry<Long, Segment> segment : segments.entrySet()) {
            Long next = segments.higherKey(segment.getKey());
            if (next == null || next - 1 > lsn) {
                try {
                    kept += Files.size(segment.getValue().path());
                } catch (IOException e) {
                    // deleted meanwhile: keeps nothing
                }
            }
        }
        return kept;
    }

    /**
     * Drops every entry after {@code lsn} (a follower discarding a divergent suffix) and returns once that
     * is durable. Entries appended but not flushed are written first, then cut with the rest. The next
     * append must carry lsn + 1 and a term at least lsn's. {@code lsn} may be as low as {@link #firstLsn()}
     * - 1 (empties the log); at or above {@link #lastLsn()} nothing happens. Waits for an in-flight
     * group-commit fdatasync, since the cut must come after every write. Once this returns, no
     * {@link WalReader} returns an entry of the cut suffix, not even a read that was under way.
     */
    public void truncateAfter(long lsn) throws IOException {
        ensureOpen();
        if (lsn < firstLsn - 1) {
            throw new IllegalArgumentException("wal: cannot truncate after lsn " + lsn
                    + ": the log starts at " + firstLsn + " (older entries were deleted)");
        }
        if (lsn >= lastLsn()) {
            return;
        }
        if (!batch.isEmpty()) {
            batch = handoff.offer(batch);
        }
        writer.truncateAfter(lsn);
        terms.truncateAfter(lsn);
        nextLsn = lsn + 1;
        // Emptied back to the snapshot: the log no longer knows a last term, and a stale one from the
        // discarded suffix could be higher than the new leader's entries, so accept any term.
        lastTerm = lsn >= firstLsn ? terms.termAt(lsn) : 0;
    }

    /**
     * Replaces the whole log with the end of a snapshot installed from the leader, at (term, lsn): every
     * segment is deleted, and the next append must carry lsn + 1 and a term of at least {@code term}.
     * Call only once that snapshot is durable in the snapshot store, and only when this log ends before
     * lsn: segments go newest first, so a crash part-way leaves a prefix of the old log, which recovery
     * finds entirely covered by the snapshot (it ends before lsn) and discards.
     */
    public void restartAfter(long lsn, long term) throws IOException {
        ensureOpen();
        if (lsn <= lastLsn()) {
            throw new IllegalArgumentException("wal: cannot restart after lsn " + lsn + ": the log already reaches "
                    + lastLsn());
        }
        if (!batch.isEmpty()) {
            batch = handoff.offer(batch);
        }
        writer.restartAfter(lsn);
        terms.clear();
        termBeforeFirst = term;
        firstLsn = lsn + 1;
        nextLsn = lsn + 1;
        lastTerm = term;
    }

    /**
     * Deletes every segment, newest first, and starts the log over empty: the next append carries LSN 1, of
     * any term. For a follower that must drop everything it holds (a rewind to a point that neither its log
     * nor its snapshots reach back to: it is bootstrapped again from its leader). What was pending is written
     * first and deleted with the rest. A crash part-way leaves a prefix of the old log, which the caller's
     * own order of deletions must make harmless (see the runtime's Rewinder).
     */
    public void discardAll() throws IOException {
        ensureOpen();
        if (!batch.isEmpty()) {
            batch = handoff.offer(batch);
        }
        writer.restartAfter(0);
        terms.clear();
        termBeforeFirst = -1;
        firstLsn = 1;
        nextLsn = 1;
        lastTerm = 0;
    }

    /** Flushes, fdatasyncs and stops the background threads; throws the failure if the WAL had failed. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!batch.isEmpty() && writer.failure() == null) {
            batch = handoff.offer(batch);
        }
        handoff.close();
        if (everysec != null) {
            everysec.shutdown();
        }
        WritebackThread writeback = writer.writeback();
        if (writeback != null) {
            writeback.shutdown(); // the requests made so far finish first; close() below syncs the rest anyway
        }
        join(groupCommit);
        join(everysec);
        join(writeback);
        writer.close();
    }

    private static void join(Thread thread) throws IOException {
        if (thread == null) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while stopping " + thread.getName());
        }
        if (thread.isAlive()) {
            throw new IOException(thread.getName() + " did not stop within " + CLOSE_TIMEOUT_SECONDS + " s");
        }
    }

    private void ensureOpen() throws WalFailedException {
        if (closed) {
            throw new IllegalStateException("wal is closed");
        }
        writer.checkNotFailed();
    }

    /** The error that failed the WAL, if any. */
    public Optional<IOException> failure() {
        return Optional.ofNullable(writer.failure());
    }

    public WalMetrics metrics() {
        return metrics;
    }

    public WalOptions options() {
        return options;
    }

    /** The segment files, oldest first. */
    public List<Path> segmentFiles() {
        return writer.segments.values().stream().map(Segment::path).toList();
    }

    /** The segment map, for readers: first LSN -> segment. */
    ConcurrentSkipListMap<Long, Segment> segments() {
        return writer.segments;
    }

    TermIndex terms() {
        return terms;
    }

    /** Test seam: waits until a preallocated segment is ready for the next roll. */
    boolean awaitPreallocatedSegment(long millis) throws InterruptedException {
        return writer.awaitSpare(millis);
    }

    void setForceHook(ForceHook hook) {
        writer.setForceHook(hook);
    }
}
