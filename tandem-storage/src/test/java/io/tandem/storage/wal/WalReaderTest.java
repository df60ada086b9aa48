package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.bigEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the log back by LSN range, on one thread: ranges, limits, recovery, deletion, truncation. */
class WalReaderTest {
    private static final long BOUND_SECONDS = 20;

    @TempDir
    Path dataDir;

    /** ALWAYS: every flush returns with its entries durable, so nothing waits for a listener. */
    private final WalOptions small = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS)
            .withSegmentBytes(4096).withPreallocateSegments(false);

    /** Appends entries first..last made by {@code make}, flushing every 10, and returns them. */
    private static List<Entry> append(Wal wal, long first, long last, LongFunction<Entry> make) throws Exception {
        List<Entry> appended = new ArrayList<>();
        for (long lsn = first; lsn <= last; lsn++) {
            Entry e = make.apply(lsn);
            wal.append(e);
            appended.add(e);
            if (lsn % 10 == 0) {
                wal.flush();
            }
        }
        wal.flush();
        return appended;
    }

    private static int recordBytes(Entry e) {
        return WalRecord.recordBytes(EntryCodec.payloadSize(e));
    }

    private static void assertSameEntries(List<Entry> expected, List<Entry> actual) {
        assertEquals(expected.size(), actual.size(), "entries");
        for (int i = 0; i < expected.size(); i++) {
            assertSameEntry(expected.get(i), actual.get(i));
        }
    }

    @Test
    void readsRangesAcrossSegmentBoundaries() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        List<Entry> all = append(wal, 1, 600, lsn -> entry(lsn <= 300 ? 1 : 2, lsn));
        assertTrue(wal.segmentFiles().size() >= 5, "segments: " + wal.segmentFiles().size());
        WalReader reader = wal.reader();
        assertEquals(1, reader.firstLsn());
        assertEquals(600, reader.lastReadableLsn());

        assertSameEntries(all, reader.read(1, Long.MAX_VALUE));
        // Every starting LSN, in small steps: each read continues exactly where the last one stopped.
        for (long from : new long[] {1, 2, 77, 299, 300, 301, 599, 600}) {
            List<Entry> got = new ArrayList<>();
            long next = from;
            while (next <= 600) {
                List<Entry> part = reader.read(next, 300);
                assertTrue(!part.isEmpty(), "nothing read at " + next);
                assertEquals(next, part.get(0).lsn());
                got.addAll(part);
                next = part.get(part.size() - 1).lsn() + 1;
            }
            assertSameEntries(all.subList((int) from - 1, 600), got);
        }
        // Past the end: empty, not an error.
        assertEquals(List.of(), reader.read(601, 1 << 20));
        assertEquals(List.of(), reader.read(10_000, 1 << 20));
        assertEquals(1, reader.termAt(300));
        assertEquals(2, reader.termAt(301));
        assertEquals(-1, reader.termAt(601));
        assertEquals(-1, reader.termAt(0));
        wal.close();
    }

    @Test
    void maxBytesCountsStoredRecordsAndAlwaysReturnsOne() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        List<Entry> all = new ArrayList<>(append(wal, 1, 20, lsn -> entry(1, lsn, "x".repeat((int) lsn))));
        // Larger than maxBytes below, and larger than a whole segment (it gets a segment of its own).
        all.addAll(append(wal, 21, 21, lsn -> bigEntry(1, lsn, 10_000)));
        all.addAll(append(wal, 22, 30, lsn -> entry(1, lsn)));
        WalReader reader = wal.reader();

        long threeRecords = recordBytes(all.get(4)) + recordBytes(all.get(5)) + recordBytes(all.get(6));
        assertSameEntries(all.subList(4, 7), reader.read(5, threeRecords));
        assertSameEntries(all.subList(4, 6), reader.read(5, threeRecords - 1));
        // At least one entry, even when it alone is larger than maxBytes.
        assertSameEntries(all.subList(4, 5), reader.read(5, 0));
        assertSameEntries(all.subList(4, 5), reader.read(5, 1));
        List<Entry> big = reader.read(21, 100);
        assertSameEntries(all.subList(20, 21), big);
        assertTrue(recordBytes(big.get(0)) > 10_000);
        // Stops before the big one rather than exceed maxBytes...
        assertSameEntries(all.subList(19, 20), reader.read(20, 1000));
        // ...and takes it when it fits.
        assertSameEntries(all.subList(19, 30), reader.read(20, 20_000));
        // The raw form selects the same range and never exceeds maxBytes with more than one record.
        for (long max : new long[] {0, 1, threeRecords - 1, threeRecords, 1000, 20_000}) {
            RawBatch raw = reader.readRaw(5, max);
            List<Entry> decoded = reader.read(5, max);
            assertEquals(decoded.size(), raw.count(), "maxBytes " + max);
            assertEquals(decoded.get(decoded.size() - 1).lsn(), raw.lastLsn());
            assertTrue(raw.count() == 1 || raw.sizeBytes() <= max, raw + " for maxBytes " + max);
        }
        assertThrows(IllegalArgumentException.class, () -> reader.read(5, -1));
        wal.close();
    }

    @Test
    void readsAfterRecoveryWithTheIndexRebuilt() throws Exception {
        WalOptions options = small.withSegmentBytes(1 << 20);
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        List<Entry> all = append(wal, 1, 40_000, lsn -> entry(1 + lsn / 10_000, lsn));
        int segments = wal.segmentFiles().size();
        assertTrue(segments >= 2, "segments: " + segments);
        wal.close();

        Wal recovered = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        // Rebuilt: about one point per 4 KiB of records in every segment.
        long points = 0;
        for (Segment segment : recovered.segments().values()) {
            assertTrue(segment.index().size() > 0, "no index for " + segment.path());
            points += segment.index().size();
        }
        assertTrue(points >= (long) segments * ((1 << 20) / SparseIndex.INTERVAL_BYTES) / 2, "points " + points);

        WalReader reader = recovered.reader();
        assertEquals(40_000, reader.lastReadableLsn());
        // A megabyte read first, as for a lagging follower's batch: the reader keeps that read's scanner, whose
        // buffer is then far larger than a lookup's chunk; the lookups below must still read one chunk each.
        assertTrue(reader.read(1, 1 << 20).size() > 1_000);
        for (long lsn : new long[] {1, 2, 5_000, 9_999, 10_000, 10_001, 23_456, 39_999, 40_000}) {
            // A lookup reads one chunk around the index point, never the whole 1 MiB segment.
            long before = recovered.metrics().bytesReadFromFiles();
            List<Entry> one = reader.read(lsn, 0);
            long scanned = recovered.metrics().bytesReadFromFiles() - before;
            assertSameEntries(all.subList((int) lsn - 1, (int) lsn), one);
            assertTrue(scanned <= 2 * 16 * 1024, "read " + scanned + " bytes to find lsn " + lsn);
            assertEquals(1 + lsn / 10_000, reader.termAt(lsn));
        }
        long twenty = all.subList(9_990, 10_010).stream().mapToLong(WalReaderTest::recordBytes).sum();
        assertSameEntries(all.subList(9_990, 10_010), reader.read(9_991, twenty));
        // New appends after recovery are indexed and readable too.
        List<Entry> more = append(recovered, 40_001, 40_100, lsn -> entry(9, lsn));
        assertSameEntries(more, reader.read(40_001, Long.MAX_VALUE));
        recovered.close();
    }

    /** A log recovered behind a snapshot ahead of it: nothing readable until new appends, in a new segment. */
    @Test
    void logCoveredByASnapshotAheadOfIt() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        append(wal, 1, 100, lsn -> entry(1, lsn));
        wal.close();
        Wal recovered = WalRecovery.open(dataDir, small, 500, e -> { }).wal();
        WalReader reader = recovered.reader();
        assertEquals(501, reader.firstLsn());
        assertEquals(500, reader.lastReadableLsn());
        assertEquals(List.of(), reader.read(501, Long.MAX_VALUE));
        LsnNotAvailableException e = assertThrows(LsnNotAvailableException.class, () -> reader.read(100, 0));
        assertEquals(501, e.firstAvailableLsn());
        List<Entry> fresh = append(recovered, 501, 520, lsn -> entry(4, lsn));
        assertSameEntries(fresh, reader.read(501, Long.MAX_VALUE));
        assertEquals(4, reader.termAt(501));
        recovered.close();
    }

    @Test
    void deletedSegmentsGiveTheFirstAvailableLsn() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        List<Entry> all = append(wal, 1, 600, lsn -> entry(1, lsn));
        WalReader reader = wal.reader();
        List<Path> segments = wal.segmentFiles();
        long third = Long.parseLong(segments.get(2).getFileName().toString().substring(0, 20));
        assertEquals(2, wal.deleteSegmentsUpTo(third - 1).size());

        assertEquals(third, reader.firstLsn());
        for (long lsn : new long[] {1, third - 1}) {
            LsnNotAvailableException e = assertThrows(LsnNotAvailableException.class, () -> reader.read(lsn, 100));
            assertEquals(lsn, e.requestedLsn());
            assertEquals(third, e.firstAvailableLsn());
            assertThrows(LsnNotAvailableException.class, () -> reader.readRaw(lsn, 100));
        }
        assertEquals(-1, reader.termAt(third - 1));
        assertSameEntries(all.subList((int) third - 1, 600), reader.read(third, Long.MAX_VALUE));
        wal.close();
    }

    @Test
    void truncatedSuffixIsGoneAndNewAppendsAreReadable() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        List<Entry> all = append(wal, 1, 300, lsn -> entry(1, lsn));
        WalReader reader = wal.reader();
        assertEquals(300, reader.lastReadableLsn());

        wal.truncateAfter(150);
        assertEquals(150, reader.lastReadableLsn());
        assertSameEntries(all.subList(99, 150), reader.read(100, Long.MAX_VALUE));
        assertEquals(List.of(), reader.read(151, Long.MAX_VALUE));
        assertEquals(-1, reader.termAt(151));
        assertEquals(0, reader.readRaw(151, 1000).count());

        List<Entry> suffix = append(wal, 151, 400, lsn -> entry(2, lsn, "new-" + lsn));
        List<Entry> expected = new ArrayList<>(all.subList(99, 150));
        expected.addAll(suffix);
        assertSameEntries(expected, reader.read(100, Long.MAX_VALUE));
        assertEquals(2, reader.termAt(151));
        assertEquals(1, reader.termAt(150));

        // Truncating at a segment boundary, then reading across it.
        long boundary = Long.parseLong(wal.segmentFiles().get(3).getFileName().toString().substring(0, 20));
        wal.truncateAfter(boundary - 1);
        List<Entry> third = append(wal, boundary, boundary + 50, lsn -> entry(3, lsn, "third-" + lsn));
        List<Entry> got = reader.read(boundary - 5, Long.MAX_VALUE);
        assertEquals(56, got.size());
        assertSameEntries(third, got.subList(5, 56));
        wal.close();

        // And the same after recovery.
        Wal recovered = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        assertSameEntries(third, recovered.reader().read(boundary, Long.MAX_VALUE));
        recovered.close();
    }

    /** Written but not yet synced: the default reader waits for durability, the WRITTEN one does not. */
    @Test
    void durableReaderNeverReturnsWhatIsNotYetSynced() throws Exception {
        WalOptions options = WalOptions.defaults().withPreallocateSegments(false); // BATCH
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger syncs = new AtomicInteger();
        wal.setForceHook(() -> {
            if (syncs.incrementAndGet() == 1) {
                inFlight.countDown();
                try {
                    release.await(BOUND_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<Entry> all = append(wal, 1, 10, lsn -> entry(1, lsn));
        assertTrue(inFlight.await(BOUND_SECONDS, TimeUnit.SECONDS), "the sync never started");
        WalReader durable = wal.reader();
        WalReader written = wal.reader(WalReader.ReadUpTo.WRITTEN);
        assertEquals(0, durable.lastReadableLsn());
        assertEquals(List.of(), durable.read(1, Long.MAX_VALUE));
        assertEquals(-1, durable.termAt(1));
        assertEquals(10, written.lastReadableLsn());
        assertSameEntries(all, written.read(1, Long.MAX_VALUE));
        assertEquals(1, written.termAt(10));
        release.countDown();
        assertTrue(waiter.awaitDurable(10), "durable lsn stuck at " + waiter.durable());
        assertSameEntries(all, durable.read(1, Long.MAX_VALUE));
        wal.close();
    }

    @Test
    void corruptRecordNamesFileAndOffset() throws Exception {
        Wal wal = WalRecovery.open(dataDir, small, 0, e -> { }).wal();
        append(wal, 1, 300, lsn -> entry(1, lsn));
        Path segment = wal.segmentFiles().get(1);
        WalFiles.RecordAt victim = WalFiles.records(segment).get(5);
        WalFiles.flipByte(segment, victim.offset() + WalRecord.PAYLOAD_OFFSET + 3);
        WalReader reader = wal.reader();

        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> reader.read(1, Long.MAX_VALUE));
        assertEquals(segment, e.file());
        assertEquals(victim.offset(), e.offset());
        assertTrue(e.getMessage().contains("wal/" + segment.getFileName() + " at offset " + victim.offset()),
                e.getMessage());
        assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
        assertThrows(WalCorruptionException.class, () -> reader.readRaw(victim.lsn(), 0));
        // The record before it is still readable on its own.
        assertSameEntry(entry(1, victim.lsn() - 1), reader.read(victim.lsn() - 1, 0).get(0));
        assertEquals(0, wal.metrics().readRetries());
        wal.close();
    }
}
