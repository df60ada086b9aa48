package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged end with nothing synced after it is cut off, reported with file and offset, and start-up goes on. */
class TornTailTest {
    private static final String FIRST_SEGMENT = "wal/00000000000000000001.seg";

    @TempDir
    Path dataDir;

    private WalOptions options = WalOptions.defaults().withPreallocateSegments(false);

    /** 100 entries, flushed 10 at a time, each group durable before the next (so 11, 21, .. 91 are marked). */
    private Path writeHundred() throws Exception {
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        for (long lsn = 1; lsn <= 100; lsn++) {
            wal.append(entry(1, lsn));
            if (lsn % 10 == 0) {
                wal.flush();
                assertTrue(waiter.awaitDurable(lsn));
            }
        }
        wal.close();
        Path segment = WalFiles.segment(dataDir, 1);
        assertTrue(WalFiles.record(segment, 91).syncMarked());
        assertFalse(WalFiles.record(segment, 95).syncMarked());
        return segment;
    }

    private RecoveryReport recoverExpecting(int entries) throws Exception {
        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(entries, replayed.size());
        assertEquals(entries, report.lastLsn());
        for (int i = 0; i < entries; i++) {
            assertEquals(i + 1, replayed.get(i).lsn());
        }
        return report;
    }

    private static void assertTorn(RecoveryReport report, long offset, String problem) {
        TornTail torn = report.torn().orElseThrow(() -> new AssertionError("no torn tail reported"));
        assertEquals(FIRST_SEGMENT, torn.displayName());
        assertEquals(offset, torn.offset());
        assertTrue(torn.problem().contains(problem), torn.problem());
    }

    @Test
    void fileCutMidRecord() throws Exception {
        Path segment = writeHundred();
        long last = WalFiles.record(segment, 100).offset();
        WalFiles.cut(segment, last + 10);
        assertTorn(recoverExpecting(99), last, "incomplete record");
        assertEquals(last, Files.size(segment), "the torn bytes are physically gone");
        // Cut for good: a second start finds nothing wrong, and the log continues at 100.
        assertTrue(recoverExpecting(99).torn().isEmpty());
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            wal.append(entry(1, 100));
        }
        assertTrue(recoverExpecting(100).torn().isEmpty());
    }

    @Test
    void lastBytesOfTheLastRecordZeroed() throws Exception {
        Path segment = writeHundred();
        WalFiles.RecordAt last = WalFiles.record(segment, 100);
        WalFiles.writeAt(segment, last.offset() + last.bytes() - 5, new byte[5]);
        assertTorn(recoverExpecting(99), last.offset(), "record CRC mismatch");
        assertEquals(last.offset(), Files.size(segment));
    }

    @Test
    void garbageAfterTheLastRecord() throws Exception {
        Path segment = writeHundred();
        long end = Files.size(segment);
        byte[] garbage = new byte[1000];
        new Random(42).nextBytes(garbage);
        garbage[0] = 7; // make sure the garbage does not start with a zero length
        WalFiles.writeAt(segment, end, garbage);
        assertTorn(recoverExpecting(100), end, "");
        assertEquals(end, Files.size(segment));
    }

    @Test
    void damageInTheLastUnsyncedGroupIsATornTail() throws Exception {
        // 95 was written in the last group (91..100) and nothing marked follows it: it may never have
        // reached the disk whole, so this is a torn tail even though 96..100 look fine.
        Path segment = writeHundred();
        long at = WalFiles.record(segment, 95).offset();
        WalFiles.flipByte(segment, at + WalRecord.PAYLOAD_OFFSET + 3);
        assertTorn(recoverExpecting(94), at, "record CRC mismatch");
    }

    @Test
    void nonZeroBytesAfterAZeroLength() throws Exception {
        // Zeros after the last record end the log (a preallocated tail); anything non-zero after them is not
        // a clean end. Writing 100 bytes past the end leaves such zeros even if the segment was not
        // preallocated.
        options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS).withPreallocateSegments(true)
                .withSegmentBytes(1 << 20);
        Path segment;
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= 20; lsn++) {
                wal.append(entry(1, lsn));
            }
            wal.flush();
            segment = wal.segmentFiles().get(0);
        }
        long end = WalFiles.endOfRecords(segment);
        WalFiles.writeAt(segment, end + 100, new byte[] {1, 2, 3});
        assertTorn(recoverExpecting(20), end, "zero length field followed by non-zero bytes at offset " + (end + 100));
    }

    @Test
    void emptySegmentFileAtTheEnd() throws Exception {
        writeHundred();
        Path next = WalFiles.segment(dataDir, 101);
        Files.write(next, new byte[0]);
        TornTail torn = recoverExpecting(100).torn().orElseThrow();
        assertTrue(torn.segmentRemoved());
        assertTrue(torn.problem().contains("segment is 0 bytes"), torn.problem());
        assertFalse(Files.exists(next));
    }

    @Test
    void segmentWhoseCreationWasInterrupted() throws Exception {
        writeHundred();
        // The crash came while the next segment's header was being written: 10 bytes, nothing after.
        Path next = WalFiles.segment(dataDir, 101);
        Files.write(next, new byte[] {'T', 'A', 'N', 'D', 'E', 'M', 'W', 'L', 1, 0});
        List<Entry> replayed = new ArrayList<>();
        Recovered recovered = WalRecovery.open(dataDir, options, 0, replayed::add);
        TornTail torn = recovered.report().torn().orElseThrow();
        assertTrue(torn.segmentRemoved());
        assertEquals("wal/00000000000000000101.seg", torn.displayName());
        assertEquals(0, torn.offset());
        assertTrue(torn.problem().contains("shorter than its 32-byte header"), torn.problem());
        assertFalse(Files.exists(next));
        assertEquals(100, replayed.size());
        try (Wal wal = recovered.wal()) {
            wal.append(entry(1, 101));
        }
        assertTrue(recoverExpecting(101).torn().isEmpty());
    }
}
