package io.tandem.storage.wal;

import io.tandem.core.log.CorruptEntryException;
import io.tandem.core.model.Entry;
import io.tandem.core.util.Invariants;
import io.tandem.storage.wal.SegmentName.SegmentFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Opens the log in {@code <dataDir>/wal}: reads every segment in LSN order, checks headers, record CRCs,
 * LSN continuity and non-decreasing terms, replays the entries after the snapshot's LSN, repairs a torn
 * tail, and returns a {@link Wal} positioned after the last record.
 *
 * <p>The distinction that matters is between a torn tail and corruption. A crash can leave the last
 * records half written; they were never reported durable (or were, with the fdatasync that covered them
 * being the very last thing before the crash), so cutting them off is right: that is a torn tail, logged
 * at WARNING with file and offset. But a bad record followed anywhere later by a valid record carrying
 * SYNC_MARK had been synced: the marked record was written only after an fdatasync covering the bad one
 * had completed. The bad record was damaged afterwards, so acknowledged data is gone or wrong, and
 * recovery stops with a {@link WalCorruptionException} rather than serve a log with a hole in it.
 *
 * <p>LSN rules. Within a segment each record's LSN is the previous one + 1. Between segments, the next
 * segment must start right after the previous one ends; a gap is an error unless every missing LSN is at or
 * below {@code afterLsn} (the snapshot covers it). The first record recovery needs is afterLsn + 1: a log
 * that starts after it is missing entries, an error. A log that ends at or before afterLsn is entirely
 * covered by the snapshot: nothing is replayed, and the next append (afterLsn + 1) starts a new segment.
 */
public final class WalRecovery {
    private static final System.Logger LOG = System.getLogger(WalRecovery.class.getName());

    private final Path walDir;
    private final WalOptions options;
    private final long afterLsn;
    private final EntryConsumer consumer;
    private List<SegmentFile> segments;

    /** LSN the next record must carry; -1 before the first segment. */
    private long expectedLsn = -1;
    /** First LSN of the live log (records after any tolerated gap); 0 while none. */
    private long firstLsn;
    private long lastLsn;
    private long lastTerm;
    private final TermIndex terms = new TermIndex();
    /** Sparse index of each segment read, by first LSN; built as records are accepted. */
    private final Map<Long, SparseIndex> indexes = new HashMap<>();
    private SparseIndex index;
    /** Records in, and end offset of, the last segment read (the one appends continue in). */
    private long segmentRecords;
    private long endOffset;
    private long physicalLastLsn;
    private long entriesReplayed;
    private long recordsRead;
    private long bytesRead;
    private TornTail tornTail;

    private WalRecovery(Path dataDir, WalOptions options, long afterLsn, EntryConsumer consumer) {
        this.walDir = dataDir.resolve(SegmentName.WAL_DIRECTORY);
        this.options = options;
        this.afterLsn = afterLsn;
        this.consumer = consumer;
    }

    /**
     * Recovers the log under {@code dataDir} and replays every entry with an LSN above {@code afterLsn}
     * (the LSN the loaded snapshot covers; 0 without one) to {@code consumer}, in order.
     *
     * @throws WalCorruptionException if the log is damaged beyond a torn tail; the message names the file,
     *     the byte offset and the problem
     */
    public static Recovered open(Path dataDir, WalOptions options, long afterLsn, EntryConsumer consumer)
            throws IOException {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(consumer, "consumer");
        if (afterLsn < 0) {
            throw new IllegalArgumentException("afterLsn must be >= 0, got " + afterLsn);
        }
        return new WalRecovery(dataDir, options, afterLsn, consumer).run();
    }

    private Recovered run() throws IOException {
        long start = System.nanoTime();
        prepareDirectory();
        for (int i = 0; i < segments.size(); i++) {
            if (!readSegment(i)) {
                break; // a torn tail ended the log here; later segments are gone
            }
        }
        if (lastLsn < afterLsn) {
            // Entirely covered by the snapshot (installed from a leader ahead of this log): nothing in it
            // is live, and its last term says nothing about the snapshot's.
            firstLsn = 0;
            lastTerm = 0;
            terms.clear();
        }
        long walLastLsn = Math.max(lastLsn, afterLsn);
        long walFirstLsn = firstLsn == 0 ? walLastLsn + 1 : firstLsn;
        syncAll();
        ConcurrentSkipListMap<Long, Segment> map = new ConcurrentSkipListMap<>();
        for (SegmentFile segment : segments) {
            SparseIndex built = indexes.get(segment.firstLsn());
            Invariants.check(built != null, "wal recovery: no index built for %s", segment.path());
            map.put(segment.firstLsn(), new Segment(segment.path(), segment.firstLsn(), built));
        }
        ActiveSegment active = openActive(map);
        Wal wal = new Wal(walDir, options, map, active, walFirstLsn, walLastLsn, lastTerm, terms);
        RecoveryReport report = new RecoveryReport(walFirstLsn, walLastLsn, lastTerm, entriesReplayed,
                recordsRead, bytesRead, segments.size(), System.nanoTime() - start, tornTail);
        String held = walFirstLsn > walLastLsn ? "an empty log (next lsn " + walFirstLsn + ")"
                : "lsns " + walFirstLsn + ".." + walLastLsn + " (last term " + lastTerm + ")";
        LOG.log(System.Logger.Level.INFO, "wal: recovered " + held + " from " + segments.size()
                + " segments, replayed " + entriesReplayed
                + " entries after lsn " + afterLsn + " in " + report.elapsedNanos() / 1_000_000 + " ms"
                + (tornTail == null ? "" : "; cut a torn tail in " + tornTail.displayName() + " at offset "
                + tornTail.offset()));
        return new Recovered(wal, report);
    }

    private void prepareDirectory() throws IOException {
        if (!Files.isDirectory(walDir)) {
            Files.createDirectories(walDir);
            FileSync.directory(walDir.getParent());
        }
        List<Path> others = new ArrayList<>();
        segments = new ArrayList<>(SegmentName.list(walDir, others));
        boolean removed = false;
        for (Path other : others) {
            if (other.getFileName().toString().endsWith(SegmentName.SPARE_SUFFIX)) {
                Files.deleteIfExists(other); // a preallocated spare never became part of the log
                removed = true;
            } else {
                LOG.log(System.Logger.Level.WARNING, "wal: ignoring unexpected file " + other);
            }
        }
        if (removed) {
            FileSync.directory(walDir);
        }
    }

    /** Reads segment i; returns false if a torn tail ended the log in it. */
    private boolean readSegment(int i) throws IOException {
        SegmentFile segment = segments.get(i);
        ByteBuffer buffer = map(segment);
        String headerProblem = SegmentHeader.problem(buffer, segment.firstLsn());
        if (headerProblem != null) {
            badHeader(i, headerProblem);
            return false;
        }
        enterSegment(segment);
        index = new SparseIndex(segment.firstLsn(), buffer.limit());
        indexes.put(segment.firstLsn(), index);
        SegmentCursor cursor = new SegmentCursor(buffer, SegmentHeader.BYTES);
        while (true) {
            switch (cursor.next()) {
                case RECORD -> {
                    acceptRecord(segment, cursor);
                    cursor.advance();
                }
                case END -> {
                    endOffset = cursor.offset();
                    return true;
                }
                case INVALID -> throw corruption(segment.path(), cursor.offset(), cursor.problem());
                case DAMAGED -> {
                    damagedRecord(i, cursor.offset(), cursor.problem());
                    endOffset = cursor.offset();
                    return false;
                }
            }
        }
    }

    /**
     * A bad header is a creation the crash interrupted only if it is the last segment and holds no valid
     * record: headers are synced before the first record goes in, so a record behind a bad header means
     * the header was durable and got damaged. Anywhere else it is corruption.
     */
    private void badHeader(int i, String problem) throws IOException {
        SegmentFile segment = segments.get(i);
        if (i < segments.size() - 1) {
            throw corruption(segment.path(), 0, problem + "; later segments exist, so this one was complete");
        }
        long expected = expectedLsn >= 0 ? expectedLsn : segment.firstLsn();
        SyncMarkScanner.Found found = SyncMarkScanner.find(segments, i, 0, expected - 1, false);
        if (found != null) {
            throw corruption(segment.path(), 0, problem + "; yet the segment holds a valid record (lsn "
                    + found.lsn() + " at offset " + found.offset() + "), and a header is synced before any record"
                    + " is written, so it was damaged after it had been synced");
        }
        tornTail = TailRepair.cut(walDir, segments, i, 0, problem, true, display(segment.path()));
        segments.remove(i);
    }

    /**
     * Applies the LSN rules between segments (see the class comment) as a segment begins. A gap is
     * harmless only if every missing LSN is covered by the snapshot: with the previous segment ending at
     * 100 and this one starting at 201, LSNs 101..200 are missing, which is fine for afterLsn = 200
     * (201 <= 200 + 1: replay starts exactly at 201) and an error for afterLsn = 199 (200 is needed).
     */
    private void enterSegment(SegmentFile segment) throws WalCorruptionException {
        long first = segment.firstLsn();
        if (expectedLsn < 0) {
            if (first > afterLsn + 1) {
                throw corruption(segment.path(), 0, "the log starts at lsn " + first + " but the snapshot covers"
                        + " only up to lsn " + afterLsn + ": lsns " + (afterLsn + 1) + ".." + (first - 1)
                        + " are missing");
            }
        } else if (first < expectedLsn) {
            throw corruption(segment.path(), 0, "segment starts at lsn " + first + " but the log before it"
                    + " already reaches lsn " + (expectedLsn - 1) + ": segments overlap");
        } else if (first > expectedLsn) {
            if (first > afterLsn + 1) {
                throw corruption(segment.path(), 0, "LSN gap: the log before this segment ends at lsn "
                        + (expectedLsn - 1) + " and this segment starts at lsn " + first + ", so lsns "
                        + expectedLsn + ".." + (first - 1) + " are missing (a segment was lost?)");
            }
            LOG.log(System.Logger.Level.INFO, "wal: lsns " + expectedLsn + ".." + (first - 1) + " are missing before "
                    + display(segment.path()) + ", all covered by the snapshot at lsn " + afterLsn);
            firstLsn = 0;
            lastTerm = 0;
            terms.clear();
        }
        expectedLsn = first;
        segmentRecords = 0;
    }

    private void acceptRecord(SegmentFile segment, SegmentCursor cursor) throws WalCorruptionException {
        long lsn = cursor.lsn();
        if (lsn != expectedLsn) {
            throw corruption(segment.path(), cursor.offset(), "record has lsn " + lsn + ", expected lsn "
                    + expectedLsn);
        }
        if (cursor.term() < lastTerm) {
            throw corruption(segment.path(), cursor.offset(), "record lsn " + lsn + " has term " + cursor.term()
                    + ", below the previous record's term " + lastTerm);
        }
        if (lsn > afterLsn) {
            Entry entry;
            try {
                entry = cursor.decode();
            } catch (CorruptEntryException e) {
                throw corruption(segment.path(), cursor.offset(), "record lsn " + lsn
                        + " has a valid CRC but its payload does not decode: " + e.getMessage());
            }
            consumer.accept(entry);
            entriesReplayed++;
        }
        if (firstLsn == 0) {
            firstLsn = lsn;
        }
        terms.append(lsn, cursor.term());
        index.note(lsn, cursor.offset());
        lastLsn = lsn;
        physicalLastLsn = lsn;
        lastTerm = cursor.term();
        expectedLsn = lsn + 1;
        segmentRecords++;
        recordsRead++;
        bytesRead += cursor.recordBytes();
    }

    /** Torn tail or corruption? Decided by whether a synced record follows (see the class comment). */
    private void damagedRecord(int i, long offset, String problem) throws IOException {
        SegmentFile segment = segments.get(i);
        SyncMarkScanner.Found found = SyncMarkScanner.find(segments, i, offset + 1, expectedLsn, true);
        if (found != null) {
            throw corruption(segment.path(), offset, problem + " in the record expected to be lsn " + expectedLsn
                    + "; the record with lsn " + found.lsn() + " at " + display(found.file()) + " offset "
                    + found.offset() + " carries a sync mark, so this one had been synced before it was damaged");
        }
        tornTail = TailRepair.cut(walDir, segments, i, offset, problem, false, display(segment.path()));
        segments.subList(i + 1, segments.size()).clear();
    }

    /**
     * Syncs every segment before anything is reported durable: after a process crash the files may hold
     * data only in the page cache, which recovery read but which a later power loss could still drop.
     */
    private void syncAll() throws IOException {
        for (SegmentFile segment : segments) {
            try (FileChannel channel = FileChannel.open(segment.path(), StandardOpenOption.READ)) {
                channel.force(false);
            }
        }
        FileSync.directory(walDir);
    }

    private ActiveSegment openActive(ConcurrentSkipListMap<Long, Segment> map) throws IOException {
        if (segments.isEmpty()) {
            return null;
        }
        Segment last = map.lastEntry().getValue();
        long lastInSegment = segmentRecords > 0 ? physicalLastLsn : last.firstLsn() - 1;
        FileChannel channel = FileChannel.open(last.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ActiveSegment(last, channel, endOffset, lastInSegment);
    }

    private ByteBuffer map(SegmentFile segment) throws IOException {
        try (FileChannel channel = FileChannel.open(segment.path(), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw corruption(segment.path(), 0, "segment is " + size + " bytes, larger than any this WAL"
                        + " writes");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(WalRecord.ORDER);
        }
    }

    private WalCorruptionException corruption(Path file, long offset, String problem) {
        return new WalCorruptionException(display(file), file, offset, problem);
    }

    private static String display(Path file) {
        return SegmentName.WAL_DIRECTORY + "/" + file.getFileName();
    }
}
