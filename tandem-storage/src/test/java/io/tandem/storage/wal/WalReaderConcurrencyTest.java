package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.core.model.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Readers on another thread while the appending thread appends, truncates and deletes segments. */
class WalReaderConcurrencyTest {
    private static final long BOUND_SECONDS = 60;

    @TempDir
    Path dataDir;

    private final ExecutorService readerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-wal-reader");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopReader() {
        readerThread.shutdownNow();
    }

    /** The entry the tests append at lsn in term: its value names both, so a reader can check what it got. */
    private static Entry expected(long term, long lsn) {
        return entry(term, lsn, "t" + term + "-l" + lsn + "-" + "x".repeat((int) (lsn % 97)));
    }

    private static long termOf(long lsn) {
        return 1 + lsn / 50_000;
    }

    /**
     * A reader thread follows the log up to lastReadableLsn while the appender runs group commit (BATCH):
     * every entry it reads equals what was appended, nothing it reads is beyond the durable LSN, and it
     * reaches the end. Small preallocated segments put many boundaries (and zero-filled tails) in the way.
     */
    @Test
    void readerFollowsAppendsUnderGroupCommit() throws Exception {
        int total = 200_000;
        WalOptions options = WalOptions.defaults().withSegmentBytes(256 << 10);
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        WalReader reader = wal.reader();

        Future<long[]> followed = readerThread.submit(() -> {
            SplittableRandom random = new SplittableRandom(7);
            long next = 1;
            long reads = 0;
            long emptyReads = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            while (next <= total) {
                if (System.nanoTime() > deadline) {
                    fail("reader stuck at lsn " + next + " (durable " + wal.durableLsn() + ")");
                }
                long maxBytes = random.nextInt(1, 64 << 10);
                long readable = reader.lastReadableLsn();
                List<Entry> got;
                if (random.nextInt(4) == 0) {
                    // The raw form, checked and decoded the way a follower would.
                    RawBatch raw = RawBatch.parse(java.nio.ByteBuffer.wrap(reader.readRaw(next, maxBytes).toByteArray()));
                    got = decode(raw);
                } else {
                    got = reader.read(next, maxBytes);
                }
                reads++;
                if (got.isEmpty()) {
                    emptyReads++;
                    assertTrue(next > readable, "nothing read at " + next + " though " + readable + " was readable");
                    // Wait (bounded) for the durable LSN to reach next rather than spin.
                    assertTrue(waiter.awaitDurable(next), "durable lsn stuck at " + waiter.durable());
                    continue;
                }
                long durable = wal.durableLsn();
                for (Entry e : got) {
                    assertEquals(next, e.lsn(), "entries must be consecutive");
                    assertSameEntry(expected(termOf(next), next), e);
                    next++;
                }
                assertTrue(next - 1 <= durable, "read up to " + (next - 1) + " but only " + durable + " is durable");
            }
            return new long[] {reads, emptyReads};
        });

        SplittableRandom random = new SplittableRandom(11);
        long lsn = 1;
        while (lsn <= total) {
            int group = random.nextInt(1, 65);
            for (int i = 0; i < group && lsn <= total; i++, lsn++) {
                wal.append(expected(termOf(lsn), lsn));
            }
            wal.flush();
        }
        long[] counts = get(followed);
        System.out.printf("reader followed %d entries in %d reads (%d found nothing new), %d segments,"
                + " %d group-commit syncs, %d read retries%n", total, counts[0], counts[1], wal.segmentFiles().size(),
                wal.metrics().dataSyncs(), wal.metrics().readRetries());
        assertEquals(0, wal.metrics().readRetries(), "nothing truncated or deleted, so no read was repeated");
        wal.close();
    }

    private static List<Entry> decode(RawBatch raw) throws Exception {
        // Decoding raw records goes through a WAL in the tests below; here the fields are enough.
        List<Entry> entries = new ArrayList<>();
        java.nio.ByteBuffer bytes = raw.bytes();
        for (int at = 0; at < bytes.limit(); at += WalRecord.recordBytesAt(bytes, at)) {
            int payload = WalRecord.recordBytesAt(bytes, at) - WalRecord.HEADER_BYTES;
            entries.add(io.tandem.core.log.EntryCodec.decodePayload(WalRecord.termAt(bytes, at),
                    WalRecord.lsnAt(bytes, at), bytes.slice(at + WalRecord.PAYLOAD_OFFSET, payload)));
        }
        return entries;
    }

    /** Bytes on disk of expected(term, first..last). */
    private static long recordBytes(long term, long first, long last) {
        long bytes = 0;
        for (long lsn = first; lsn <= last; lsn++) {
            bytes += WalRecord.recordBytes(io.tandem.core.log.EntryCodec.payloadSize(expected(term, lsn)));
        }
        return bytes;
    }

    private Wal smallLog(int entries) throws Exception {
        WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS).withSegmentBytes(4096)
                .withPreallocateSegments(false);
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        for (long lsn = 1; lsn <= entries; lsn++) {
            wal.append(expected(1, lsn));
            if (lsn % 10 == 0) {
                wal.flush();
            }
        }
        wal.flush();
        return wal;
    }

    /** Pauses the first read at {@code stage} until released; later passes run through. */
    private static final class Pause implements WalReader.Hook {
        final WalReader.Stage stage;
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean fired = new AtomicBoolean();
        volatile Path segment;

        Pause(WalReader.Stage stage) {
            this.stage = stage;
        }

        @Override
        public void at(WalReader.Stage at, Path path) {
            if (at == stage && fired.compareAndSet(false, true)) {
                segment = path;
                paused.countDown();
                try {
                    if (!release.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitPaused() throws InterruptedException {
            assertTrue(paused.await(BOUND_SECONDS, TimeUnit.SECONDS), "the read never reached " + stage);
        }
    }

    /**
     * The segment being read is deleted mid-read: before the reader opened it (so the open fails), after
     * (so it reads an unlinked file), or once it has read its entries (all of them in this one segment).
     * Every time the read ends in LsnNotAvailableException with the new first LSN, not in
     * NoSuchFileException nor with entries of the deleted segment.
     */
    @ParameterizedTest
    @EnumSource(WalReader.Stage.class)
    void segmentDeletedDuringAReadGivesLsnNotAvailable(WalReader.Stage stage) throws Exception {
        Wal wal = smallLog(600);
        WalReader reader = wal.reader();
        long second = Long.parseLong(wal.segmentFiles().get(1).getFileName().toString().substring(0, 20));
        assertTrue(second > 10, "segment 1 holds lsns 1.." + (second - 1));
        long tenEntries = recordBytes(1, 1, 10);
        assertEquals(10, reader.read(1, tenEntries).size());
        Pause pause = new Pause(stage);
        reader.setHook(pause);
        Future<List<Entry>> read = readerThread.submit(() -> reader.read(1, tenEntries));
        pause.awaitPaused();
        assertEquals(wal.segmentFiles().get(0), pause.segment);
        long third = Long.parseLong(wal.segmentFiles().get(2).getFileName().toString().substring(0, 20));
        assertEquals(2, wal.deleteSegmentsUpTo(third - 1).size());
        pause.release.countDown();

        Throwable thrown = getFailure(read);
        LsnNotAvailableException e = assertInstanceOf(LsnNotAvailableException.class, thrown);
        assertEquals(1, e.requestedLsn());
        assertEquals(third, e.firstAvailableLsn());
        assertEquals(1, wal.metrics().readRetries());
        reader.setHook(null);
        assertEquals(600 - third + 1, reader.read(third, Long.MAX_VALUE).size());
        wal.close();
    }

    /**
     * The log is truncated inside the range being read and a new suffix appended (in a new term, same
     * sizes, so the new records sit exactly where the old ones were) while the read is paused at each
     * stage, the last one after it has read the old records: the read must return the new log, never an
     * entry of the cut suffix.
     */
    @ParameterizedTest
    @EnumSource(WalReader.Stage.class)
    void truncationDuringAReadReturnsOnlyTheNewLog(WalReader.Stage stage) throws Exception {
        Wal wal = smallLog(300);
        WalReader reader = wal.reader();
        long first = Long.parseLong(wal.segmentFiles().get(2).getFileName().toString().substring(0, 20));
        long next = Long.parseLong(wal.segmentFiles().get(3).getFileName().toString().substring(0, 20));
        assertTrue(next - first > 12, "segment 3 holds lsns " + first + ".." + (next - 1));
        long from = first + 1;
        long cut = first + 4;
        long tenEntries = recordBytes(1, from, from + 9);
        assertEquals(recordBytes(2, from, from + 9), tenEntries, "the new entries are as large as the old");
        assertEquals(10, reader.read(from, tenEntries).size());
        Pause pause = new Pause(stage);
        reader.setHook(pause);
        Future<List<Entry>> read = readerThread.submit(() -> reader.read(from, tenEntries));
        pause.awaitPaused();
        wal.truncateAfter(cut);
        for (long lsn = cut + 1; lsn <= 250; lsn++) {
            wal.append(expected(2, lsn));
        }
        wal.flush();
        pause.release.countDown();

        List<Entry> got = get(read);
        assertEquals(10, got.size());
        for (int i = 0; i < got.size(); i++) {
            long lsn = from + i;
            assertSameEntry(expected(lsn <= cut ? 1 : 2, lsn), got.get(i));
        }
        assertEquals(1, wal.metrics().readRetries());
        wal.close();
    }

    /**
     * A reader reads random ranges while the appending thread appends in rising terms, truncates a suffix
     * every round and deletes old segments every few. Every batch read must be a consistent slice of some
     * state of the log: consecutive LSNs, each entry exactly what was appended at that (term, LSN), and no
     * entry from a suffix whose truncation had completed before the read began.
     */
    @Test
    void randomReadsAgainstTruncationsAndDeletions() throws Exception {
        Wal wal = smallLog(0);
        WalReader reader = wal.reader();
        record Cut(long afterLsn, long newTerm) {}
        List<Cut> cuts = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();

        Future<long[]> checked = readerThread.submit(() -> {
            SplittableRandom random = new SplittableRandom(3);
            long reads = 0;
            long entries = 0;
            long notAvailable = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            while (!done.get()) {
                if (System.nanoTime() > deadline) {
                    fail("the appender never finished");
                }
                List<Cut> before = List.copyOf(cuts);
                long first = reader.firstLsn();
                long last = reader.lastReadableLsn();
                long from = random.nextLong(Math.max(1, first - 5), Math.max(first, last) + 6);
                List<Entry> got;
                try {
                    got = reader.read(from, random.nextInt(0, 8192));
                } catch (LsnNotAvailableException e) {
                    assertTrue(from < e.firstAvailableLsn(), e.getMessage());
                    notAvailable++;
                    continue;
                }
                reads++;
                long term = 0;
                for (int i = 0; i < got.size(); i++) {
                    Entry e = got.get(i);
                    assertEquals(from + i, e.lsn(), "consecutive from " + from);
                    assertTrue(e.term() >= term, "terms go down at lsn " + e.lsn());
                    term = e.term();
                    assertSameEntry(expected(e.term(), e.lsn()), e);
                    for (Cut cut : before) {
                        if (e.lsn() > cut.afterLsn() && e.term() < cut.newTerm()) {
                            fail("read lsn " + e.lsn() + " of term " + e.term() + ", cut by truncateAfter("
                                    + cut.afterLsn() + ") before the read began");
                        }
                    }
                }
                entries += got.size();
            }
            return new long[] {reads, entries, notAvailable};
        });

        SplittableRandom random = new SplittableRandom(5);
        long term = 1;
        int rounds = 150;
        for (int round = 1; round <= rounds; round++) {
            long lsn = wal.lastLsn() + 1;
            for (int i = 0; i < 120; i++, lsn++) {
                wal.append(expected(term, lsn));
                if (i % 13 == 0) {
                    wal.flush();
                }
            }
            wal.flush();
            long cut = Math.max(wal.firstLsn() - 1, wal.lastLsn() - random.nextInt(0, 100));
            wal.truncateAfter(cut);
            term++;
            cuts.add(new Cut(cut, term));
            if (round % 4 == 0) {
                wal.deleteSegmentsUpTo(wal.lastLsn() - 400);
            }
        }
        done.set(true);
        long[] counts = get(checked);
        System.out.printf("random reads: %d reads returned %d entries, %d found their lsn deleted; %d read retries;"
                + " log now %d..%d%n", counts[0], counts[1], counts[2], wal.metrics().readRetries(), wal.firstLsn(),
                wal.lastLsn());
        assertTrue(counts[0] > 0);
        wal.close();
    }

    private static <T> T get(Future<T> future) throws Exception {
        try {
            return future.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static Throwable getFailure(Future<?> future) throws Exception {
        try {
            future.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        assertNull("the read succeeded", "expected it to fail");
        return null;
    }
}
