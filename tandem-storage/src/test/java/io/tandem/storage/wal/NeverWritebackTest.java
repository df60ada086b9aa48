package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.bigEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsync never's background writeback (WritebackThread): it runs as the log grows and at each roll, the appender
 * never counts it as a sync (no sync marks, no durable point recovery relies on), and 0 turns it off. Close()
 * finishes the requests made before it, so the counts are checked after it, without waiting on time.
 */
class NeverWritebackTest {
    @TempDir
    Path dataDir;

    private Wal open(WalOptions options) throws Exception {
        return WalRecovery.open(dataDir, options, 0, e -> { }).wal();
    }

    private static WalOptions never() {
        return WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withSegmentBytes(1 << 20);
    }

    @Test
    void theLogIsWrittenBackAsItGrowsWithoutCountingAsASync() throws Exception {
        Wal wal = open(never().withWritebackBytes(16 << 10));
        for (long lsn = 1; lsn <= 200; lsn++) {
            wal.append(bigEntry(1, lsn, 1000)); // about 1 KB each: 200 KB, twelve times 16 KB
            wal.flush();
        }
        assertEquals(200, wal.durableLsn(), "NEVER: written is durable, at once");
        assertEquals(0, wal.metrics().dataSyncs(), "a writeback is not a sync of the policy");
        wal.close();
        assertTrue(wal.metrics().writebacks() >= 1, "writebacks: " + wal.metrics().writebacks());
        // Recovery trusts only fsyncs it can see: no record after the first carries a sync mark.
        var records = WalFiles.records(WalFiles.segment(dataDir, 1));
        assertEquals(200, records.size());
        assertTrue(records.get(0).syncMarked(), "recovery synced everything before the first record");
        for (int i = 1; i < records.size(); i++) {
            assertFalse(records.get(i).syncMarked(), "record " + (i + 1) + " follows no sync");
        }
    }

    @Test
    void aSegmentIsWrittenBackWhenTheLogLeavesIt() throws Exception {
        // Far more per writeback than a segment holds: only the rolls ask.
        Wal wal = open(never().withSegmentBytes(8 << 10).withWritebackBytes(64L << 20));
        for (long lsn = 1; lsn <= 40; lsn++) {
            wal.append(bigEntry(1, lsn, 1000));
            wal.flush();
        }
        int segments = WalFiles.segments(dataDir).size();
        assertTrue(segments >= 4, segments + " segments");
        wal.close();
        assertTrue(wal.metrics().writebacks() >= 1, "writebacks: " + wal.metrics().writebacks());
    }

    @Test
    void zeroTurnsItOffAndTheOtherPoliciesHaveNone() throws Exception {
        List<WalOptions> without = new ArrayList<>(List.of(never().withWritebackBytes(0)));
        for (FsyncPolicy policy : List.of(FsyncPolicy.ALWAYS, FsyncPolicy.BATCH, FsyncPolicy.EVERYSEC)) {
            without.add(WalOptions.defaults().withFsyncPolicy(policy).withSegmentBytes(8 << 10)
                    .withWritebackBytes(1024));
        }
        for (WalOptions options : without) {
            Path dir = dataDir.resolve(options.fsyncPolicy() + "-" + options.writebackBytes());
            Wal wal = WalRecovery.open(dir, options, 0, e -> { }).wal();
            DurableWaiter waiter = new DurableWaiter();
            wal.setDurableListener(waiter);
            for (long lsn = 1; lsn <= 40; lsn++) {
                wal.append(entry(1, lsn, "v".repeat(1000)));
                wal.flush();
            }
            assertTrue(waiter.awaitDurable(40), options + ": durable lsn stuck at " + waiter.durable());
            wal.close();
            assertEquals(0, wal.metrics().writebacks(), options.toString());
        }
    }

    @Test
    void aNegativeWritebackIsRefusedByName() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> never().withWritebackBytes(-1));
        assertEquals("wal.writebackBytes must be 0 (off) or positive, got -1", e.getMessage());
    }
}
