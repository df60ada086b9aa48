package io.tandem.storage.wal;

import io.tandem.core.util.Invariants;
import java.nio.ByteBuffer;

/**
 * Where some of one segment's records start: a point (LSN, byte offset) at the segment's first record and
 * then at the first record that starts at least {@link #INTERVAL_BYTES} after the previous point. To find
 * an LSN, a reader takes the last point at or before it and scans forward from there: fewer than
 * INTERVAL_BYTES of records (plus the one straddling the mark) lie between a point and any LSN before the
 * next point, so a lookup never scans a whole segment.
 *
 * <p>Worked example: records of 1,000 bytes from offset 32 (the header's end). Points go to lsn 1 at 32,
 * then to the first record starting at or after 32 + 4,096 = 4,128: the record at 5,032 (lsn 6), then at
 * 9,032 (lsn 10), and so on. Looking up lsn 8 finds the point (6, 5,032) and skips two records.
 *
 * <p>Memory: a point is one long, {@code (lsn - segment's first lsn) << 32 | offset} (a segment holds under
 * 2^31 bytes and so under 2^31 records, so both halves fit). Points are at least INTERVAL_BYTES apart, so a
 * segment of S bytes has at most S / 4,096 + 1 of them: at most 262,144 + 1 per segment per GiB of log,
 * i.e. 2 MiB of points per GiB. The array is sized for a full segment up front (128 KiB for the default 64
 * MiB segment) and only grows for a segment enlarged by an oversized record, which holds one record.
 *
 * <p>Threads: one writer at a time adds points (the thread holding the {@link LogWriter}'s lock, or recovery
 * before the WAL is shared); any thread looks them up. A point is stored before the count that covers it is
 * published (volatile), and a grown array is published before the count, so a reader sees whole points.
 * {@link #truncateAfter} runs under the {@link LogFence}'s exclusive side, so a reader that raced it
 * discards what it read.
 */
final class SparseIndex {
    /** Bytes of records between index points, at least. */
    static final int INTERVAL_BYTES = 4096;

    private final long firstLsn;
    private volatile long[] points;
    private volatile int count;
    /** Offset of the last point; meaningful when count > 0. Writer only. */
    private long lastOffset;

    /** An index for a segment starting at {@code firstLsn}, sized for a file of {@code expectedBytes}. */
    SparseIndex(long firstLsn, long expectedBytes) {
        this.firstLsn = firstLsn;
        long capacity = Math.max(2, Math.min(expectedBytes, WalOptions.MAX_SEGMENT_BYTES) / INTERVAL_BYTES + 2);
        this.points = new long[(int) capacity];
    }

    /** Notes a record at {@code offset}; records must be noted in order. Writer only. */
    void note(long lsn, long offset) {
        if (count == 0 || offset - lastOffset >= INTERVAL_BYTES) {
            add(lsn, offset);
        }
    }

    /**
     * Notes the records in {@code batch[from, to)} (consecutive LSNs from {@code firstLsn}), just written at
     * file offset {@code fileOffset}. A run that ends before the next mark needs no walk at all: with the
     * last point at 10,000 and a run written at 12,000 of 1,500 bytes, every record starts before 14,096.
     */
    void noteRun(ByteBuffer batch, int from, int to, long fileOffset, long firstLsn) {
        if (count > 0 && fileOffset + (to - from) - lastOffset <= INTERVAL_BYTES) {
            return;
        }
        long lsn = firstLsn;
        for (int at = from; at < to; at += WalRecord.recordBytesAt(batch, at)) {
            note(lsn++, fileOffset + (at - from));
        }
    }

    private void add(long lsn, long offset) {
        long delta = lsn - firstLsn;
        Invariants.check(delta >= 0 && delta <= Integer.MAX_VALUE && offset >= 0 && offset <= Integer.MAX_VALUE,
                "sparse index: lsn %d at offset %d does not fit a segment starting at lsn %d", lsn, offset, firstLsn);
        long[] current = points;
        int n = count;
        if (n == current.length) {
            long[] bigger = new long[current.length * 2];
            System.arraycopy(current, 0, bigger, 0, n);
            points = bigger;
            current = bigger;
        }
        current[n] = delta << 32 | offset;
        lastOffset = offset;
        count = n + 1; // publishes the point
    }

    /**
     * The offset of the last point at or before {@code lsn}, with its LSN in the high bits as stored
     * ({@link #lsnOf}, {@link #offsetOf}), or -1 if there is none.
     */
    long floor(long lsn) {
        int n = count;
        long[] p = points;
        long delta = lsn - firstLsn;
        if (n == 0 || delta < 0) {
            return -1;
        }
        if (delta > Integer.MAX_VALUE) {
            return p[n - 1];
        }
        // Points sort by their packed value, since the LSN is the high half; the largest one whose LSN is
        // at most delta is the last one below (delta + 1) << 32.
        long key = (delta + 1) << 32;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (p[mid] < key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? -1 : p[found];
    }

    long lsnOf(long point) {
        return firstLsn + (point >>> 32);
    }

    static long offsetOf(long point) {
        return point & 0xffff_ffffL;
    }

    /** Forgets the points of records after {@code lsn}. Writer only, under the fence's exclusive side. */
    void truncateAfter(long lsn) {
        long point = floor(lsn);
        int n = count;
        if (point < 0) {
            count = 0;
            return;
        }
        // The points up to and including the floor of lsn stay: find its position.
        int keep = n;
        while (keep > 0 && points[keep - 1] != point) {
            keep--;
        }
        count = keep;
        lastOffset = offsetOf(point);
    }

    int size() {
        return count;
    }

    int capacity() {
        return points.length;
    }
}
