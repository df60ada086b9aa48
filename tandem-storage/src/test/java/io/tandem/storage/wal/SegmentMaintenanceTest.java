package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentMaintenanceTest {
    @TempDir
    Path dataDir;

    private final WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.BATCH)
            .withSegmentBytes(4096).withPreallocateSegments(false);

    private Wal writeLog(int entries) throws Exception {
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        for (long lsn = 1; lsn <= entries; lsn++) {
            wal.append(entry(1, lsn));
            if (lsn % 10 == 0) {
                wal.flush();
            }
        }
        wal.flush();
        assertTrue(waiter.awaitDurable(entries), "durable lsn stuck at " + waiter.durable());
        return wal;
    }

    private static long firstLsnOf(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    @Test
    void deleteSegmentsUpToKeepsEveryRecordAboveTheLsn() throws Exception {
        Wal wal = writeLog(600);
        List<Path> before = wal.segmentFiles();
        assertTrue(before.size() >= 4, "need a few segments: " + before.size());
        long second = firstLsnOf(before.get(1));
        long third = firstLsnOf(before.get(2));

        // Segment 1 holds 1..second-1: deleting up to second-2 must keep it (record second-1 is above).
        assertEquals(List.of(), wal.deleteSegmentsUpTo(second - 2));
        // Up to third-1 covers segments 1 and 2 exactly (the third starts at third <= (third-1)+1).
        assertEquals(List.of(before.get(0), before.get(1)), wal.deleteSegmentsUpTo(third - 1));
        assertFalse(Files.exists(before.get(0)));
        assertEquals(third, wal.firstLsn());
        // The log remembers the term of the entry it now starts after (a probe there still matches).
        assertEquals(1, wal.termAt(third - 1));
        assertEquals(-1, wal.termAt(third - 2));
        assertEquals(1, wal.termAt(third));
        // Never the active segment, however high the LSN.
        wal.deleteSegmentsUpTo(Long.MAX_VALUE);
        assertEquals(1, wal.segmentFiles().size());
        assertEquals(before.get(before.size() - 1), wal.segmentFiles().get(0));
        long newFirst = wal.firstLsn();
        wal.append(entry(1, 601));
        wal.close();

        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, newFirst - 1, replayed::add);
        assertEquals(601 - newFirst + 1, replayed.size());
        assertEquals(newFirst, report.firstLsn());
        // A recovery that needs entries from before the deleted segments is refused, naming the gap.
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> WalRecovery.open(dataDir, options, 0, x -> { }));
        assertTrue(e.getMessage().contains("the log starts at lsn " + newFirst), e.getMessage());
    }

    @Test
    void restartAfterAnInstalledSnapshotLeavesAnEmptyLogThatContinuesAfterIt() throws Exception {
        Wal wal = writeLog(300);
        assertTrue(wal.segmentFiles().size() > 1);
        wal.append(entry(1, 301)); // pending, never flushed: covered by the snapshot, deleted with the rest
        wal.restartAfter(1000, 3);
        assertEquals(List.of(), wal.segmentFiles());
        assertEquals(List.of(), WalFiles.segments(dataDir));
        assertEquals(1001, wal.firstLsn());
        assertEquals(1000, wal.lastLsn());
        assertEquals(1000, wal.durableLsn());
        assertEquals(3, wal.termAt(1000), "the snapshot's term answers for its last LSN");
        assertEquals(-1, wal.termAt(300));
        assertThrows(IllegalStateException.class, () -> wal.append(entry(2, 1001)), "a term below the snapshot's");
        assertThrows(IllegalArgumentException.class, () -> wal.restartAfter(999, 3), "behind the log's end");
        wal.append(entry(3, 1001));
        wal.append(entry(3, 1002));
        wal.close();

        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 1000, replayed::add);
        assertEquals(2, replayed.size());
        assertSameEntry(entry(3, 1001), replayed.get(0));
        assertEquals(1001, report.firstLsn());
        assertEquals(1002, report.lastLsn());
    }

    @Test
    void discardAllLeavesAnEmptyLogThatStartsAgainAtOneInAnyTerm() throws Exception {
        Wal wal = writeLog(300);
        wal.append(entry(1, 301)); // pending, never flushed: deleted with the rest
        wal.discardAll();
        assertEquals(List.of(), wal.segmentFiles());
        assertEquals(List.of(), WalFiles.segments(dataDir));
        assertEquals(1, wal.firstLsn());
        assertEquals(0, wal.lastLsn());
        assertEquals(0, wal.lastTerm());
        assertEquals(0, wal.durableLsn());
        assertEquals(-1, wal.termAt(300));
        wal.append(entry(1, 1)); // the new leader's first entry may be of any term, even an old one
        wal.append(entry(4, 2));
        wal.close();

        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(2, replayed.size());
        assertSameEntry(entry(4, 2), replayed.get(1));
        assertEquals(1, report.firstLsn());
        assertEquals(2, report.lastLsn());
    }

    @Test
    void aLogThatStartsRightAfterTheRecoveredSnapshotAnswersForItsLastEntry() throws Exception {
        Wal wal = WalRecovery.open(dataDir, options, 1000, e -> { }).wal(); // a snapshot at 1000, no log
        assertEquals(1001, wal.firstLsn());
        assertEquals(-1, wal.termAt(1000), "unknown until recovery says which snapshot it loaded");
        wal.startsAfterSnapshot(999, 2); // not where the log starts: ignored
        assertEquals(-1, wal.termAt(1000));
        wal.startsAfterSnapshot(1000, 4);
        assertEquals(4, wal.termAt(1000));
        wal.close();
    }

    @Test
    void truncateAfterMidSegmentThenAppendANewSuffix() throws Exception {
        Wal wal = writeLog(300);
        // Appended but not flushed: truncation writes them first, then cuts them too.
        for (long lsn = 301; lsn <= 310; lsn++) {
            wal.append(entry(1, lsn));
        }
        List<Path> before = wal.segmentFiles();
        wal.truncateAfter(150);
        assertEquals(150, wal.lastLsn());
        assertTrue(wal.durableLsn() <= 150);
        assertTrue(wal.segmentFiles().size() < before.size());
        assertThrows(IllegalStateException.class, () -> wal.append(entry(2, 152)));
        List<Entry> suffix = new ArrayList<>();
        for (long lsn = 151; lsn <= 200; lsn++) {
            Entry e = entry(2, lsn, "new-" + lsn);
            wal.append(e);
            suffix.add(e);
        }
        wal.close();

        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(200, replayed.size());
        assertSameEntry(entry(1, 150), replayed.get(149));
        for (int i = 0; i < 50; i++) {
            assertSameEntry(suffix.get(i), replayed.get(150 + i));
        }
        assertEquals(2, report.lastTerm());
    }

    @Test
    void truncateAfterASegmentBoundaryLeavesAnEmptySegment() throws Exception {
        Wal wal = writeLog(300);
        List<Path> segments = wal.segmentFiles();
        Path boundary = segments.get(2);
        long first = firstLsnOf(boundary);
        wal.truncateAfter(first - 1);
        // The segment that held first..: cut back to its header, still named first; later ones gone.
        assertEquals(segments.subList(0, 3), wal.segmentFiles());
        assertEquals(SegmentHeader.BYTES, Files.size(boundary));
        assertEquals(1, wal.termAt(first - 1));
        wal.append(entry(3, first));
        wal.close();
        List<Entry> replayed = new ArrayList<>();
        WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(first, replayed.size());
        assertEquals(3, replayed.get(replayed.size() - 1).term());
    }

    @Test
    void truncateEverythingAfterTheSnapshot() throws Exception {
        Wal wal = writeLog(50);
        wal.truncateAfter(0);
        assertEquals(0, wal.lastLsn());
        assertEquals(-1, wal.termAt(1));
        wal.append(entry(5, 1));
        wal.close();
        List<Entry> replayed = new ArrayList<>();
        WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(1, replayed.size());
        assertEquals(5, replayed.get(0).term());
    }
}
