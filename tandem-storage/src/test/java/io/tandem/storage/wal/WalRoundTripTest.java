package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WalRoundTripTest {
    @TempDir
    Path dataDir;

    private WalOptions options(FsyncPolicy policy) {
        // A short EVERYSEC interval keeps the test quick; nothing waits for it by time.
        return WalOptions.defaults().withFsyncPolicy(policy).withEverysecIntervalMillis(50)
                .withSegmentBytes(1 << 20);
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void appendFlushRecover(FsyncPolicy policy) throws Exception {
        List<Entry> written = new ArrayList<>();
        Recovered first = WalRecovery.open(dataDir, options(policy), 0, e -> {
            throw new AssertionError("empty log replayed " + e.lsn());
        });
        assertEquals(0, first.report().lastLsn());
        assertEquals(1, first.report().firstLsn());
        Wal wal = first.wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        for (long lsn = 1; lsn <= 500; lsn++) {
            Entry e = entry(lsn <= 200 ? 1 : 2, lsn);
            wal.append(e);
            written.add(e);
            if (lsn % 7 == 0) {
                wal.flush();
                if (policy == FsyncPolicy.ALWAYS || policy == FsyncPolicy.NEVER) {
                    // These write on the caller's thread: durable (ALWAYS) or written (NEVER) on return.
                    assertEquals(lsn, wal.durableLsn());
                }
            }
        }
        wal.flush();
        assertTrue(waiter.awaitDurable(500), "durable lsn stuck at " + waiter.durable());
        assertNull(waiter.orderViolation());
        assertEquals(500, wal.durableLsn());
        assertEquals(1, wal.termAt(200));
        assertEquals(2, wal.termAt(201));
        assertEquals(-1, wal.termAt(501));
        wal.close();

        List<Entry> replayed = new ArrayList<>();
        Recovered second = WalRecovery.open(dataDir, options(policy), 0, replayed::add);
        RecoveryReport report = second.report();
        assertEquals(500, replayed.size());
        for (int i = 0; i < 500; i++) {
            assertSameEntry(written.get(i), replayed.get(i));
        }
        assertEquals(1, report.firstLsn());
        assertEquals(500, report.lastLsn());
        assertEquals(2, report.lastTerm());
        assertEquals(500, report.entriesReplayed());
        assertTrue(report.torn().isEmpty());
        assertTrue(report.bytesRead() > 500 * WalRecord.HEADER_BYTES);

        // The recovered WAL continues after the last record, and a later recovery replays only what
        // follows the snapshot LSN it is given.
        Wal again = second.wal();
        assertEquals(500, again.lastLsn());
        assertEquals(500, again.durableLsn());
        for (long lsn = 501; lsn <= 510; lsn++) {
            Entry e = entry(3, lsn);
            again.append(e);
            written.add(e);
        }
        again.close();
        List<Entry> tail = new ArrayList<>();
        RecoveryReport third = WalFiles.recoverAndClose(dataDir, options(policy), 250, tail::add);
        assertEquals(260, tail.size());
        assertSameEntry(written.get(250), tail.get(0));
        assertSameEntry(written.get(509), tail.get(259));
        assertEquals(510, third.lastLsn());
        assertEquals(3, third.lastTerm());
    }

    /**
     * EVERYSEC: the background thread fdatasyncs what the caller wrote, and the first record written after
     * that sync carries SYNC_MARK, whether the caller wrote it or the syncer did (when the caller's write
     * found the sync holding the lock).
     */
    @Test
    void everysecSyncsInTheBackgroundAndMarksTheNextWrite() throws Exception {
        Wal wal = WalRecovery.open(dataDir, options(FsyncPolicy.EVERYSEC).withEverysecIntervalMillis(5), 0, e -> { })
                .wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        java.util.concurrent.CountDownLatch syncing = new java.util.concurrent.CountDownLatch(1);
        wal.setForceHook(syncing::countDown);
        wal.append(entry(1, 1));
        wal.append(entry(1, 2));
        wal.flush();
        assertTrue(waiter.awaitDurable(2));
        // The syncer syncs only when something was written since its last sync: records 1 and 2 were. The
        // hook runs just before the fdatasync, under the writer's lock, so record 3 is written after it.
        assertTrue(syncing.await(DurableWaiter.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
        wal.append(entry(1, 3));
        wal.flush();
        assertTrue(waiter.awaitDurable(3));
        wal.close();
        var records = WalFiles.records(WalFiles.segment(dataDir, 1));
        assertTrue(records.get(0).syncMarked(), "recovery synced everything, so the very first record is marked");
        assertTrue(!records.get(1).syncMarked(), "2 was written with 1, no sync between");
        assertTrue(records.get(2).syncMarked(), "3 is the first record after the background sync");
        assertTrue(wal.metrics().dataSyncs() >= 1);
    }

    @Test
    void appendChecksLsnAndTermAlways() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, options(FsyncPolicy.BATCH), 0, e -> { }).wal()) {
            wal.append(entry(2, 1));
            IllegalStateException gap = assertThrows(IllegalStateException.class, () -> wal.append(entry(2, 3)));
            assertTrue(gap.getMessage().contains("lsn 3 does not follow the last lsn 1"), gap.getMessage());
            IllegalStateException back = assertThrows(IllegalStateException.class, () -> wal.append(entry(1, 2)));
            assertTrue(back.getMessage().contains("term 1 at lsn 2 is below the previous term 2"), back.getMessage());
            wal.append(entry(2, 2));
        }
    }

    @Test
    void emptyLogStartsAfterTheSnapshot() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, options(FsyncPolicy.ALWAYS), 1000, e -> { }).wal()) {
            assertEquals(1000, wal.lastLsn());
            assertEquals(1001, wal.firstLsn());
            assertThrows(IllegalStateException.class, () -> wal.append(entry(1, 1)));
            wal.append(entry(4, 1001));
            wal.flush();
            assertEquals(1001, wal.durableLsn());
        }
        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options(FsyncPolicy.ALWAYS), 1000, replayed::add);
        assertEquals(1, replayed.size());
        assertEquals(1001, report.firstLsn());
        assertEquals(1001, WalFiles.records(WalFiles.segment(dataDir, 1001)).get(0).lsn());
    }

    @Test
    void logBehindTheSnapshotRestartsInANewSegment() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, options(FsyncPolicy.ALWAYS), 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= 10; lsn++) {
                wal.append(entry(1, lsn));
            }
        }
        // A snapshot at 100 was installed from a leader: the log's 1..10 are covered, 11..100 never existed.
        List<Entry> replayed = new ArrayList<>();
        Recovered behind = WalRecovery.open(dataDir, options(FsyncPolicy.ALWAYS), 100, replayed::add);
        assertEquals(0, replayed.size());
        assertEquals(100, behind.report().lastLsn());
        try (Wal wal = behind.wal()) {
            assertEquals(101, wal.firstLsn());
            wal.append(entry(1, 101));
        }
        assertEquals(2, WalFiles.segments(dataDir).size());
        // The hole 11..100 is below the snapshot, so it is no error; a recovery that needed 11 would fail.
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options(FsyncPolicy.ALWAYS), 100, replayed::add);
        assertEquals(1, replayed.size());
        assertEquals(101, report.firstLsn());
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> WalRecovery.open(dataDir, options(FsyncPolicy.ALWAYS), 0, x -> { }));
        assertTrue(e.getMessage().contains("LSN gap"), e.getMessage());
    }
}
