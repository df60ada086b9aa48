package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage that a later synced record proves was once durable: start-up must stop and say where. */
class CorruptionTest {
    @TempDir
    Path dataDir;

    private final WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS)
            .withPreallocateSegments(false).withSegmentBytes(4096);

    /** ALWAYS, a flush every 10 entries: 11, 21, ... carry SYNC_MARK; returns the segments. */
    private List<Path> write(int entries) throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= entries; lsn++) {
                wal.append(entry(1, lsn));
                if (lsn % 10 == 0) {
                    wal.flush();
                }
            }
        }
        return WalFiles.segments(dataDir);
    }

    private WalCorruptionException refuse() {
        return assertThrows(WalCorruptionException.class, () -> WalRecovery.open(dataDir, options, 0, e -> { }));
    }

    @Test
    void flippedByteFollowedBySyncedRecords() throws Exception {
        Path segment = write(100).get(0);
        long at = WalFiles.record(segment, 50).offset();
        WalFiles.flipByte(segment, at + WalRecord.PAYLOAD_OFFSET + 2);
        byte[] before = Files.readAllBytes(segment);
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().startsWith("wal/00000000000000000001.seg at offset " + at
                + ": record CRC mismatch (expected 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("lsn 51"), "names the synced record that proves it: " + e.getMessage());
        assertEquals(at, e.offset());
        assertEquals(segment, e.file());
        assertArrayEquals(before, Files.readAllBytes(segment), "recovery must not repair a corruption");
    }

    @Test
    void damagedLengthFieldIsFoundByScanningForward() throws Exception {
        Path segment = write(100).get(0);
        long at = WalFiles.record(segment, 33).offset();
        WalFiles.writeAt(segment, at, new byte[] {(byte) 0xff, (byte) 0xff, 0x7f, 0x7f});
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().contains("at offset " + at + ": implausible record length"), e.getMessage());
    }

    @Test
    void zeroedRecordInTheMiddle() throws Exception {
        Path segment = write(100).get(0);
        WalFiles.RecordAt record = WalFiles.record(segment, 42);
        WalFiles.writeAt(segment, record.offset(), new byte[record.bytes()]);
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().contains("at offset " + record.offset() + ": zero length field"), e.getMessage());
    }

    @Test
    void damageAtTheEndOfASegmentProvenByTheNextSegment() throws Exception {
        List<Path> segments = write(300);
        Path first = segments.get(0);
        List<WalFiles.RecordAt> records = WalFiles.records(first);
        WalFiles.RecordAt last = records.get(records.size() - 1);
        WalFiles.flipByte(first, last.offset() + last.bytes() - 1);
        WalCorruptionException e = refuse();
        assertEquals(last.offset(), e.offset());
        assertTrue(e.getMessage().contains(segments.get(1).getFileName().toString()),
                "names the next segment's synced record: " + e.getMessage());
    }

    @Test
    void badHeaderOfASegmentFollowedByOthers() throws Exception {
        List<Path> segments = write(300);
        WalFiles.flipByte(segments.get(1), 3);
        WalCorruptionException e = refuse();
        assertEquals("wal/" + segments.get(1).getFileName() + " at offset 0: bad segment magic (expected"
                + " \"TANDEMWL\"); later segments exist, so this one was complete", e.getMessage());
        WalFiles.flipByte(segments.get(1), 3);
        WalFiles.flipByte(segments.get(1), 17); // inside firstLsn, covered by the header CRC
        assertTrue(refuse().getMessage().contains("segment header CRC mismatch"));
    }

    @Test
    void badHeaderOfTheLastSegmentThatHoldsRecords() throws Exception {
        List<Path> segments = write(300);
        Path last = segments.get(segments.size() - 1);
        WalFiles.flipByte(last, 26);
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().startsWith("wal/" + last.getFileName() + " at offset 0: segment header CRC"),
                e.getMessage());
        assertTrue(e.getMessage().contains("holds a valid record"), e.getMessage());
    }

    @Test
    void segmentShorterThanItsHeaderInTheMiddle() throws Exception {
        List<Path> segments = write(300);
        WalFiles.cut(segments.get(1), 20);
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().contains("shorter than its 32-byte header"), e.getMessage());
        assertEquals(segments.get(1), e.file());
    }

    @Test
    void missingSegmentLeavesAnLsnGap() throws Exception {
        List<Path> segments = write(300);
        long firstOfThird = WalFiles.records(segments.get(2)).get(0).lsn();
        long firstOfSecond = WalFiles.records(segments.get(1)).get(0).lsn();
        Files.delete(segments.get(1));
        WalCorruptionException e = refuse();
        assertEquals("wal/" + segments.get(2).getFileName() + " at offset 0: LSN gap: the log before this segment"
                + " ends at lsn " + (firstOfSecond - 1) + " and this segment starts at lsn " + firstOfThird
                + ", so lsns " + firstOfSecond + ".." + (firstOfThird - 1) + " are missing (a segment was lost?)",
                e.getMessage());
    }

    @Test
    void validRecordWithTheWrongLsnOrTerm() throws Exception {
        Path segment = write(100).get(0);
        long at = WalFiles.record(segment, 50).offset();
        rewriteLong(segment, at, WalRecord.LSN_OFFSET, 77);
        WalCorruptionException e = refuse();
        assertTrue(e.getMessage().endsWith("at offset " + at + ": record has lsn 77, expected lsn 50"), e.getMessage());

        rewriteLong(segment, at, WalRecord.LSN_OFFSET, 50);
        rewriteLong(segment, at, WalRecord.TERM_OFFSET, 0);
        e = refuse();
        assertTrue(e.getMessage().contains("record lsn 51 has term 1, below") || e.getMessage().contains("term 0"),
                e.getMessage());
    }

    /** Changes a u64 field of the record at {@code at} and fixes its CRC, as a buggy writer would. */
    private static void rewriteLong(Path segment, long at, int fieldOffset, long value) throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment)).order(WalRecord.ORDER);
        int start = (int) at;
        buf.putLong(start + fieldOffset, value);
        int length = buf.getInt(start);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), start + 8, length);
        buf.putInt(start + 4, (int) crc.getValue());
        Files.write(segment, buf.array());
    }
}
