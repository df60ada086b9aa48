package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.model.Entry;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a million small entries back and prints the rates; speed is measured here, never asserted. */
class ReadThroughputTest {
    private static final int ENTRIES = 1_000_000;

    @TempDir
    Path dataDir;

    @Test
    void readOneMillionSmallEntries() throws Exception {
        Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        TestEntries.appendSmallEntries(wal, ENTRIES);
        wal.flush();
        if (!waiter.awaitDurable(ENTRIES)) {
            throw new AssertionError("durable lsn stuck at " + waiter.durable());
        }
        WalReader reader = wal.reader();
        long points = wal.segments().values().stream().mapToLong(s -> s.index().size()).sum();
        System.out.printf("log: %d entries, %d bytes in %d segments, %d index points (%d bytes)%n", ENTRIES,
                wal.metrics().bytesWritten(), wal.segmentFiles().size(), points, points * 8);

        for (int round = 0; round < 4; round++) { // the first round warms the JIT up
            for (long maxBytes : new long[] {64 << 10, 1 << 20}) {
                long start = System.nanoTime();
                long next = 1;
                long calls = 0;
                while (next <= ENTRIES) {
                    List<Entry> got = reader.read(next, maxBytes);
                    next = got.get(got.size() - 1).lsn() + 1;
                    calls++;
                }
                report(round, "read    maxBytes " + maxBytes, start, calls, wal.metrics().bytesWritten());
                assertEquals(ENTRIES + 1, next);

                start = System.nanoTime();
                next = 1;
                calls = 0;
                while (next <= ENTRIES) {
                    RawBatch raw = reader.readRaw(next, maxBytes);
                    next = raw.lastLsn() + 1;
                    calls++;
                }
                report(round, "readRaw maxBytes " + maxBytes, start, calls, wal.metrics().bytesWritten());
                assertEquals(ENTRIES + 1, next);
            }
        }
        // Point lookups: one entry at a random LSN each, found through the sparse index.
        SplittableRandom random = new SplittableRandom(1);
        int lookups = 100_000;
        long start = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            long lsn = random.nextLong(1, ENTRIES + 1);
            assertEquals(lsn, reader.read(lsn, 0).get(0).lsn());
        }
        double micros = (System.nanoTime() - start) / 1e3 / lookups;
        System.out.printf("point lookups: %d at random lsns, %.1f us each%n", lookups, micros);
        wal.close();
    }

    private static void report(int round, String what, long startNanos, long calls, long bytes) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("%s %s: %d entries in %d calls, %.3f s = %.0f entries/s, %.0f MB/s%n",
                round == 0 ? "warm-up" : "measured", what, ENTRIES, calls, seconds, ENTRIES / seconds,
                bytes / seconds / 1e6);
    }
}
