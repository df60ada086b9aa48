package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    private static final long BOUND_SECONDS = 20;

    @TempDir
    Path dataDir;

    /**
     * Holds the first fdatasync in flight, flushes 100 more times meanwhile, then lets it finish: the 100
     * flushes must leave in one write + one fdatasync.
     */
    @Test
    void flushesDuringAnInFlightSyncShareTheNextSync() throws Exception {
        WalOptions options = WalOptions.defaults().withPreallocateSegments(false);
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger syncs = new AtomicInteger();
        wal.setForceHook(() -> {
            if (syncs.incrementAndGet() == 1) {
                inFlight.countDown();
                await(release);
            }
        });

        wal.append(entry(1, 1));
        wal.flush();
        assertTrue(inFlight.await(BOUND_SECONDS, TimeUnit.SECONDS), "first sync never started");
        for (long lsn = 2; lsn <= 101; lsn++) {
            wal.append(entry(1, lsn));
            wal.flush();
        }
        assertEquals(0, wal.durableLsn(), "nothing is durable while the first sync is held");
        release.countDown();
        assertTrue(waiter.awaitDurable(101), "durable lsn stuck at " + waiter.durable());

        WalMetrics metrics = wal.metrics();
        assertEquals(2, metrics.dataSyncs(), "101 flushes, 2 fdatasyncs");
        assertEquals(2, metrics.recordsPerSync().count());
        assertEquals(101, metrics.recordsPerSync().sum());
        assertEquals(2, metrics.writeCalls());
        // The listener heard 1, then 101: nothing in between, since the 100 became durable together.
        assertEquals(2, waiter.calls());
        assertNull(waiter.orderViolation());
        wal.close();
        // The second group starts with a SYNC_MARK (the first sync had completed); the rest do not.
        var records = WalFiles.records(WalFiles.segment(dataDir, 1));
        assertTrue(records.get(1).syncMarked());
        assertEquals(1, records.stream().skip(1).filter(WalFiles.RecordAt::syncMarked).count());
    }

    /** Without holding anything: many small flushes, fewer fdatasyncs; prints the batch sizes measured. */
    @Test
    void naturalGrouping() throws Exception {
        for (int perFlush : new int[] {1, 64}) {
            Path dir = dataDir.resolve("per-flush-" + perFlush);
            Wal wal = WalRecovery.open(dir, WalOptions.defaults(), 0, e -> { }).wal();
            DurableWaiter waiter = new DurableWaiter();
            wal.setDurableListener(waiter);
            int total = 64_000;
            long start = System.nanoTime();
            for (long lsn = 1; lsn <= total; lsn++) {
                wal.append(entry(1, lsn, "v".repeat(60)));
                if (lsn % perFlush == 0) {
                    wal.flush();
                }
            }
            assertTrue(waiter.awaitDurable(total));
            double seconds = (System.nanoTime() - start) / 1e9;
            WalMetrics m = wal.metrics();
            System.out.printf("batch, %d records per flush: %d flushes, %d fdatasyncs, %.1f records/fdatasync"
                    + " (p50 <= %d), fdatasync p50 <= %d us p99 <= %d us, %.0f records/s durable%n",
                    perFlush, total / perFlush, m.dataSyncs(), (double) m.recordsPerSync().sum() / m.dataSyncs(),
                    m.recordsPerSync().quantileUpperBound(0.5), m.syncMicros().quantileUpperBound(0.5),
                    m.syncMicros().quantileUpperBound(0.99), total / seconds);
            assertTrue(m.dataSyncs() <= total / perFlush);
            wal.close();
        }
    }

    /** One record per commit, each waited for (a single client doing SET after SET): sync latency bound. */
    @Test
    void oneWaitedRecordPerCommit() throws Exception {
        for (boolean preallocate : new boolean[] {false, true}) {
            Path dir = dataDir.resolve("serial-" + preallocate);
            WalOptions options = WalOptions.defaults().withPreallocateSegments(preallocate);
            Wal wal = WalRecovery.open(dir, options, 0, e -> { }).wal();
            DurableWaiter waiter = new DurableWaiter();
            wal.setDurableListener(waiter);
            if (!preallocate) {
                wal.append(entry(1, 1)); // creates the first segment before measuring
                wal.flush();
                assertTrue(waiter.awaitDurable(1));
            } else {
                // Fill a segment with one oversized record, so that the next append rolls; and make sure
                // that roll finds a zero-filled spare rather than creating a fresh segment.
                wal.append(TestEntries.bigEntry(1, 1, (int) options.segmentBytes()));
                wal.flush();
                assertTrue(waiter.awaitDurable(1));
                assertTrue(wal.awaitPreallocatedSegment(TimeUnit.SECONDS.toMillis(BOUND_SECONDS)));
                long usedBefore = wal.metrics().segmentsPreallocatedUsed();
                wal.append(entry(1, 2));
                wal.flush();
                assertTrue(waiter.awaitDurable(2));
                assertEquals(usedBefore + 1, wal.metrics().segmentsPreallocatedUsed(), "rolled into a spare");
                // The roll started zero-filling the next spare; let it finish so that it does not compete
                // for the disk while we measure (in production it does, once per segment).
                assertTrue(wal.awaitPreallocatedSegment(TimeUnit.SECONDS.toMillis(BOUND_SECONDS)));
            }
            long createdBefore = wal.metrics().segmentsCreated();
            long first = wal.lastLsn() + 1;
            int commits = 2000;
            long syncsBefore = wal.metrics().dataSyncs();
            long[] syncBucketsBefore = buckets(wal.metrics().syncMicros());
            long start = System.nanoTime();
            for (long lsn = first; lsn < first + commits; lsn++) {
                wal.append(entry(1, lsn, "v".repeat(100)));
                wal.flush();
                assertTrue(waiter.awaitDurable(lsn));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            WalMetrics m = wal.metrics();
            System.out.printf("batch, one waited commit at a time, preallocated=%b: %d commits in %.2f s"
                    + " = %.0f commits/s (%.0f us each), %d fdatasyncs, fdatasync p50 <= %d us%n", preallocate,
                    commits, seconds, commits / seconds, seconds * 1e6 / commits,
                    m.dataSyncs() - syncsBefore, medianUpperBound(syncBucketsBefore, buckets(m.syncMicros())));
            assertEquals(0, m.segmentsCreated() - createdBefore, "no roll while measuring");
            assertEquals(commits, m.dataSyncs() - syncsBefore, "each waited commit needs its own fdatasync");
            wal.close();
        }
    }

    private static long[] buckets(Histogram h) {
        long[] counts = new long[h.buckets()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = h.bucketCount(i);
        }
        return counts;
    }

    /** Upper bound of the bucket holding the median of what was recorded between two bucket snapshots. */
    private static long medianUpperBound(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < after.length; i++) {
            total += after[i] - before[i];
        }
        long seen = 0;
        for (int i = 0; i < after.length; i++) {
            seen += after[i] - before[i];
            if (seen * 2 >= total) {
                return Histogram.upperBound(i);
            }
        }
        return 0;
    }

    static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("test latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
