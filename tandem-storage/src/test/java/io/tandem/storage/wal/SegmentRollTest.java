package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.bigEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentRollTest {
    private static final int SEGMENT_BYTES = 4096;

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}, preallocate={1}")
    @CsvSource({"BATCH, false", "BATCH, true", "ALWAYS, true", "EVERYSEC, false", "NEVER, true"})
    void rollsAndRecoversAcrossSegments(FsyncPolicy policy, boolean preallocate) throws Exception {
        WalOptions options = WalOptions.defaults().withFsyncPolicy(policy).withSegmentBytes(SEGMENT_BYTES)
                .withPreallocateSegments(preallocate).withEverysecIntervalMillis(20);
        List<Entry> written = new ArrayList<>();
        Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal();
        DurableWaiter waiter = new DurableWaiter();
        wal.setDurableListener(waiter);
        for (long lsn = 1; lsn <= 2000; lsn++) {
            Entry e = entry(1, lsn, "v".repeat((int) (lsn % 50)));
            wal.append(e);
            written.add(e);
            if (lsn % 10 == 0) {
                wal.flush();
            }
        }
        wal.flush();
        assertTrue(waiter.awaitDurable(2000));
        int segments = wal.segmentFiles().size();
        long preallocatedUsed = wal.metrics().segmentsPreallocatedUsed();
        wal.close();

        List<Path> files = WalFiles.segments(dataDir);
        assertEquals(segments, files.size());
        assertTrue(files.size() > 20, "2000 records of ~60-110 bytes in 4 KiB segments: " + files.size());
        long expectedFirst = 1;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            List<WalFiles.RecordAt> records = WalFiles.records(file);
            // Each segment is named after its first record, and continues where the previous one stopped.
            assertEquals(String.format("%020d.seg", expectedFirst), file.getFileName().toString());
            assertEquals(expectedFirst, records.get(0).lsn());
            assertTrue(WalFiles.endOfRecords(file) <= SEGMENT_BYTES, "a record spans past the segment size");
            if (i > 0 && policy != FsyncPolicy.NEVER) {
                // The roll synced the previous segment, so the first record of the next one is marked.
                assertTrue(records.get(0).syncMarked(), "first record of " + file + " not sync-marked");
            }
            expectedFirst = records.get(records.size() - 1).lsn() + 1;
        }
        assertEquals(2001, expectedFirst);
        if (preallocate && policy == FsyncPolicy.NEVER) {
            // Nothing is ever synced, so zero-filling segments ahead would only write every byte twice.
            assertEquals(0, preallocatedUsed, "a WAL that never syncs preallocated a segment");
        } else if (preallocate) {
            assertTrue(preallocatedUsed > 0, "no roll used a preallocated segment");
            assertTrue(files.stream().anyMatch(f -> size(f) == SEGMENT_BYTES));
        }
        try (var spares = Files.list(WalFiles.walDir(dataDir))) {
            assertEquals(0, spares.filter(f -> f.toString().endsWith(".prealloc")).count(), "spare left behind");
        }

        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(2000, replayed.size());
        for (int i = 0; i < written.size(); i++) {
            assertSameEntry(written.get(i), replayed.get(i));
        }
        assertEquals(files.size(), report.segments());
        assertTrue(report.torn().isEmpty());
    }

    @ParameterizedTest(name = "preallocate={0}")
    @CsvSource({"false", "true"})
    void recordLargerThanASegmentGetsItsOwn(boolean preallocate) throws Exception {
        WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS).withSegmentBytes(SEGMENT_BYTES)
                .withPreallocateSegments(preallocate);
        List<Entry> written = new ArrayList<>();
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= 30; lsn++) {
                Entry e = lsn == 10 || lsn == 11 ? bigEntry(1, lsn, 3 * SEGMENT_BYTES) : entry(1, lsn);
                wal.append(e);
                written.add(e);
                wal.flush();
            }
        }
        // 10 and 11 each sit alone in a segment of their own; 12 starts the next one.
        assertEquals(List.of(10L), lsns(WalFiles.segment(dataDir, 10)));
        assertEquals(List.of(11L), lsns(WalFiles.segment(dataDir, 11)));
        assertEquals(12L, lsns(WalFiles.segment(dataDir, 12)).get(0));
        assertTrue(size(WalFiles.segment(dataDir, 10)) > SEGMENT_BYTES);
        List<Entry> replayed = new ArrayList<>();
        WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(30, replayed.size());
        for (int i = 0; i < 30; i++) {
            assertSameEntry(written.get(i), replayed.get(i));
        }
    }

    /**
     * A rolled preallocated segment keeps its full size, so its last record can end 1-3 bytes before the
     * end: too few for a length field, but zeros, not a torn record. Recovery once refused such a log
     * ("incomplete record: only 1 bytes left in the file ... had been synced before it was damaged"), and
     * a node killed with kill -9 could not start again.
     */
    @ParameterizedTest(name = "{0} zero bytes after the last record")
    @CsvSource({"1", "2", "3", "4", "0"})
    void aPreallocatedTailTooShortForALengthFieldIsTheEndOfTheSegment(int tailBytes) throws Exception {
        WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS).withSegmentBytes(SEGMENT_BYTES)
                .withPreallocateSegments(true);
        List<Entry> written = new ArrayList<>();
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            // Segment 1 (created without a spare) holds lsn 1; lsn 2 fills the preallocated segment 2 up to
            // SEGMENT_BYTES - tailBytes; lsn 3 does not fit there and starts segment 3.
            append(wal, written, entry(1, 1));
            assertTrue(wal.awaitPreallocatedSegment(10_000), "no spare segment was preallocated");
            append(wal, written, bigEntry(1, 2, SEGMENT_BYTES)); // too big for what is left of segment 1
            int filler = SEGMENT_BYTES - SegmentHeader.BYTES - tailBytes;
            assertTrue(wal.awaitPreallocatedSegment(10_000), "no spare segment was preallocated");
            append(wal, written, entryOfRecordBytes(1, 3, filler));
            append(wal, written, entry(1, 4));
        }
        Path full = WalFiles.segment(dataDir, 3);
        assertEquals(SEGMENT_BYTES, size(full), "segment 3 was not a preallocated one");
        assertEquals(SEGMENT_BYTES - tailBytes, WalFiles.endOfRecords(full));
        assertEquals(List.of(3L), lsns(full));
        List<Entry> replayed = new ArrayList<>();
        RecoveryReport report = WalFiles.recoverAndClose(dataDir, options, 0, replayed::add);
        assertEquals(4, replayed.size());
        for (int i = 0; i < 4; i++) {
            assertSameEntry(written.get(i), replayed.get(i));
        }
        assertTrue(report.torn().isEmpty(), "a clean log reported a torn tail: " + report.torn());
    }

    private static void append(Wal wal, List<Entry> written, Entry entry) throws Exception {
        wal.append(entry);
        wal.flush();
        written.add(entry);
    }

    /** An entry whose record takes exactly {@code recordBytes} on disk (searched: the codec uses varints). */
    private static Entry entryOfRecordBytes(long term, long lsn, int recordBytes) {
        for (int value = 0; value < recordBytes; value++) {
            Entry e = bigEntry(term, lsn, value);
            if (WalRecord.recordBytes(EntryCodec.encodePayload(e).length) == recordBytes) {
                return e;
            }
        }
        throw new AssertionError("no entry takes exactly " + recordBytes + " bytes on disk");
    }

    private static List<Long> lsns(Path segment) throws Exception {
        return WalFiles.records(segment).stream().map(WalFiles.RecordAt::lsn).toList();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
