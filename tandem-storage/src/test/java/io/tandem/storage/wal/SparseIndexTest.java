package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SparseIndexTest {
    private static final int HEADER = SegmentHeader.BYTES;

    /** Records of 1,000 bytes from offset 32, lsns from 101 (the example in SparseIndex's comment, shifted). */
    private static SparseIndex thousandByteRecords(int records) {
        SparseIndex index = new SparseIndex(101, 1 << 20);
        for (int i = 0; i < records; i++) {
            index.note(101 + i, HEADER + 1000L * i);
        }
        return index;
    }

    private static long[] floor(SparseIndex index, long lsn) {
        long point = index.floor(lsn);
        return point < 0 ? null : new long[] {index.lsnOf(point), SparseIndex.offsetOf(point)};
    }

    @Test
    void pointsAreAtLeastAnIntervalApartAndFloorFindsTheLastOneAtOrBefore() {
        SparseIndex index = thousandByteRecords(20);
        // Points: lsn 101 at 32, then the first record at or after 32 + 4096 = 4128 -> 5032 (lsn 106),
        // then at or after 9128 -> 10032 (lsn 111), then 15032 (lsn 116).
        assertEquals(4, index.size());
        long[][] table = {
            // lsn, expected point lsn, expected offset
            {101, 101, 32}, {105, 101, 32}, {106, 106, 5032}, {108, 106, 5032}, {111, 111, 10032},
            {119, 116, 15032}, {5_000, 116, 15032},
        };
        for (long[] row : table) {
            long[] found = floor(index, row[0]);
            assertEquals(row[1], found[0], "point lsn for " + row[0]);
            assertEquals(row[2], found[1], "offset for " + row[0]);
        }
        assertEquals(-1, index.floor(100), "before the segment");
        assertEquals(-1, new SparseIndex(1, 4096).floor(1), "empty");
    }

    @Test
    void truncateAfterKeepsThePointsOfRemainingRecords() {
        SparseIndex index = thousandByteRecords(20);
        index.truncateAfter(110); // lsn 111's point goes
        assertEquals(2, index.size());
        assertEquals(106, floor(index, 119)[0]);
        // Appending again after the cut: the next point is an interval after the last kept one (5032).
        index.note(111, 10_032);
        assertEquals(3, index.size());
        index.truncateAfter(100); // everything
        assertEquals(0, index.size());
        index.note(101, 32);
        assertEquals(101, floor(index, 150)[0]);
    }

    @Test
    void noteRunMatchesNotingEachRecord() {
        // A batch of 300 records of sizes 25..124 bytes, written at file offset 32 + 777.
        ByteBuffer batch = ByteBuffer.allocate(64 << 10).order(WalRecord.ORDER);
        CRC32C crc = new CRC32C();
        int at = 0;
        SparseIndex oneByOne = new SparseIndex(1, 1 << 20);
        oneByOne.note(1, 32);
        long fileOffset = 32 + 777;
        for (int i = 0; i < 300; i++) {
            int payload = i % 100;
            WalRecord.finishRecord(batch, at, 1, 2 + i, payload, crc);
            oneByOne.note(2 + i, fileOffset + at);
            at += WalRecord.recordBytes(payload);
        }
        SparseIndex byRun = new SparseIndex(1, 1 << 20);
        byRun.note(1, 32);
        byRun.noteRun(batch, 0, at, fileOffset, 2);
        assertEquals(oneByOne.size(), byRun.size());
        for (long lsn = 1; lsn <= 301; lsn++) {
            assertEquals(oneByOne.floor(lsn), byRun.floor(lsn), "lsn " + lsn);
        }
        // A short run well within the interval of the last point needs no new point.
        int before = byRun.size();
        byRun.noteRun(batch, 0, 100, fileOffset + at, 302);
        assertEquals(before, byRun.size());
    }

    /** The memory bound: a full 64 MiB segment of the smallest records stays within the presized array. */
    @Test
    void aFullSegmentOfTinyRecordsNeedsAboutOnePointPer4KiB() {
        long segmentBytes = 64L << 20;
        SparseIndex index = new SparseIndex(1, segmentBytes);
        int capacity = index.capacity();
        long lsn = 1;
        for (long offset = HEADER; offset + WalRecord.MIN_RECORD_BYTES <= segmentBytes;
                offset += WalRecord.MIN_RECORD_BYTES) {
            index.note(lsn++, offset);
        }
        assertTrue(index.size() <= segmentBytes / SparseIndex.INTERVAL_BYTES + 1, "points " + index.size());
        assertEquals(capacity, index.capacity(), "the array never grew");
        assertEquals(segmentBytes / SparseIndex.INTERVAL_BYTES + 2, capacity);
        // 8 bytes a point: 128 KiB for a 64 MiB segment, 2 MiB per GiB of log.
        assertTrue(capacity * 8L <= (128 << 10) + 16);
        long mid = lsn / 2;
        long point = index.floor(mid);
        assertTrue(mid - index.lsnOf(point) < SparseIndex.INTERVAL_BYTES / WalRecord.MIN_RECORD_BYTES + 1);
    }
}
