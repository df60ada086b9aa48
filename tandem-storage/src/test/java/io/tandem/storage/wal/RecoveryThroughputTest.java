package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replays a million small entries and prints the rate; speed is measured here, never asserted. */
class RecoveryThroughputTest {
    private static final int ENTRIES = 1_000_000;

    @TempDir
    Path dataDir;

    @Test
    void replayOneMillionSmallEntries() throws Exception {
        WalOptions options = WalOptions.defaults();
        long writeStart = System.nanoTime();
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        TestEntries.appendSmallEntries(wal, ENTRIES);
        wal.close();
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        WalMetrics m = wal.metrics();
        System.out.printf("write: %d entries, %d bytes in %.2f s (%.0f entries/s), %d fdatasyncs, mean %.0f"
                + " records/fdatasync%n", ENTRIES, m.bytesWritten(), writeSeconds, ENTRIES / writeSeconds,
                m.dataSyncs(), (double) m.recordsPerSync().sum() / Math.max(1, m.dataSyncs()));

        AtomicLong count = new AtomicLong();
        AtomicLong lastLsn = new AtomicLong();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, entry -> {
            count.incrementAndGet();
            lastLsn.set(entry.lsn());
        });
        System.out.printf("recovery: %d entries, %d bytes, %d segments in %.3f s = %.0f entries/s, %.0f MB/s%n",
                report.entriesReplayed(), report.bytesRead(), report.segments(), report.elapsedNanos() / 1e9,
                report.entriesPerSecond(), report.bytesRead() / (report.elapsedNanos() / 1e9) / 1e6);
        assertEquals(ENTRIES, count.get());
        assertEquals(ENTRIES, lastLsn.get());
        assertEquals(ENTRIES, report.lastLsn());
        assertTrue(report.torn().isEmpty());

        // Skipping what the snapshot covers: CRCs are still checked, payloads not decoded.
        RecoveryReport tail = WalFiles.recoverAndClose(dataDir, options, ENTRIES - 10, entry -> { });
        System.out.printf("recovery after a snapshot at %d: %d entries replayed in %.3f s%n", ENTRIES - 10,
                tail.entriesReplayed(), tail.elapsedNanos() / 1e9);
        assertEquals(10, tail.entriesReplayed());
    }
}
