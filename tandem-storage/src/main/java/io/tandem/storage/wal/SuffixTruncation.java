package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Drops every record after an LSN from the files (a follower discarding a divergent suffix), durably.
 *
 * <p>Order matters for a crash in the middle: later segments are deleted newest first, then the directory
 * is synced, and only then is the segment holding the new end cut. At every step the files still hold a
 * prefix of the old log with no LSN gap, so recovery sees either the old log minus a tail or the new one.
 */
final class SuffixTruncation {
    private final Path walDir;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final ActiveSegment active;
    private final WalMetrics metrics;

    SuffixTruncation(Path walDir, ConcurrentSkipListMap<Long, Segment> segments, ActiveSegment active,
                     WalMetrics metrics) {
        this.walDir = walDir;
        this.segments = segments;
        this.active = active;
        this.metrics = metrics;
    }

    /**
     * Cuts the log after {@code lsn} and returns the segment to append to next. The segment that keeps the
     * new end is the one holding lsn + 1, i.e. the last one starting at or before lsn + 1. Worked example:
     * segments start at 1, 101 and 201. truncateAfter(150): lsn + 1 = 151 lies in segment 101, which is cut
     * before record 151, and segment 201 is deleted. truncateAfter(200): 201 starts segment 201, which is
     * cut back to its bare header (an empty segment, still named 201, where lsn 201 will go next).
     * The kept segment's sparse index forgets the points of the cut records; the deleted segments take
     * theirs with them. The caller holds the fence's exclusive side.
     */
    ActiveSegment truncateAfter(long lsn) throws IOException {
        long target = lsn + 1;
        Map.Entry<Long, Segment> home = segments.floorEntry(target);
        if (home == null) {
            throw new IllegalArgumentException("wal: cannot truncate after lsn " + lsn
                    + ": the log's first segment starts later");
        }
        ActiveSegment current = active;
        if (current != null && current.firstLsn != home.getKey()) {
            current.close();
            current = null;
        }
        List<Long> later = new ArrayList<>(segments.tailMap(home.getKey(), false).keySet());
        Collections.reverse(later);
        for (Long first : later) {
            Path path = segments.remove(first).path();
            Files.deleteIfExists(path);
            metrics.segmentsDeleted.increment();
        }
        if (!later.isEmpty()) {
            FileSync.directory(walDir);
            metrics.metadataSyncs.increment();
        }
        Segment kept = home.getValue();
        long offset = home.getKey() == target ? SegmentHeader.BYTES : offsetOf(kept, target);
        kept.index().truncateAfter(lsn);
        if (current == null) {
            FileChannel channel = FileChannel.open(kept.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            current = new ActiveSegment(kept, channel, offset, lsn);
        }
        current.truncate(offset, lsn);
        current.channel.force(true); // the size changed: metadata
        metrics.metadataSyncs.increment();
        return current;
    }

    /** Byte offset of the record with {@code lsn} in the segment file, scanning from its index point. */
    private static long offsetOf(Segment segment, long lsn) throws IOException {
        long point = segment.index().floor(lsn);
        long start = point < 0 ? SegmentHeader.BYTES : SparseIndex.offsetOf(point);
        try (FileChannel channel = FileChannel.open(segment.path(), StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(WalRecord.ORDER);
            SegmentCursor cursor = new SegmentCursor(mapped, (int) start);
            while (cursor.next() == SegmentCursor.Status.RECORD) {
                if (cursor.lsn() == lsn) {
                    return cursor.offset();
                }
                cursor.advance();
            }
        }
        throw new IOException("wal: lsn " + lsn + " not found in " + segment.path());
    }
}
