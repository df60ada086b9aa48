package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalOptions;
import io.tandem.storage.wal.WalRecovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes a replica is behind, as monitoring and lag alerts read them from the leader's log view. */
class WalLogViewTest {
    @TempDir
    Path dataDir;

    private static Entry entry(long lsn, int valueBytes) {
        byte[] value = "x".repeat(valueBytes).getBytes(StandardCharsets.UTF_8);
        return new Entry(1, lsn, 1_000, List.of(new Effect.PutString(("k" + lsn).getBytes(StandardCharsets.UTF_8), value,
                Effect.NO_EXPIRY)));
    }

    @Test
    void bytesAfterAnLsnAreExactWithinTheTailAndEstimatedBeforeIt() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal()) {
            WalLogView view = new WalLogView(wal, 100);
            assertEquals(0, view.bytesAfter(0), "an empty log");
            long total = 0;
            long afterThree = 0;
            for (long lsn = 1; lsn <= 10; lsn++) {
                Entry entry = entry(lsn, (int) lsn * 10);
                view.appended(entry, wal.append(entry));
                total += EntryCodec.payloadSize(entry);
                if (lsn > 3) {
                    afterThree += EntryCodec.payloadSize(entry);
                }
            }
            assertEquals(total, view.bytesAfter(0));
            assertEquals(afterThree, view.bytesAfter(3));
            assertEquals(0, view.bytesAfter(10), "caught up");
            assertEquals(0, view.bytesAfter(12), "beyond the end");
            view.truncatedAfter(8);
            assertEquals(afterThree - EntryCodec.payloadSize(entry(9, 90)) - EntryCodec.payloadSize(entry(10, 100)),
                    view.bytesAfter(3), "a truncated tail no longer counts");
        }
    }

    @Test
    void withNothingAppendedSinceStartTheRecoveredAverageEstimates() throws Exception {
        try (Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), 0, e -> { }).wal()) {
            for (long lsn = 1; lsn <= 4; lsn++) {
                wal.append(entry(lsn, 10));
            }
            WalLogView view = new WalLogView(wal, 100); // as if recovery had found these 4 entries
            assertEquals(300, view.bytesAfter(1), "three entries at the recovered average of 100 bytes");
        }
    }

    /**
     * Shipping reads the tail back: whatever the ring did (grew, wrapped past its end, dropped what no longer
     * fits, forgot the objects of older entries), every batch has the payloads that were appended, and
     * entries older than the tail come from the WAL.
     */
    @Test
    void shippedBatchesHoldWhatWasAppendedThroughGrowthWrapAndEviction() throws Exception {
        // fsync never: flush() writes at once, so entries older than the tail can be read back from the files.
        WalOptions options = WalOptions.defaults().withFsyncPolicy(io.tandem.storage.wal.FsyncPolicy.NEVER);
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            WalLogView view = new WalLogView(wal, 100);
            java.util.Random random = new java.util.Random(7);
            List<Entry> appended = new java.util.ArrayList<>();
            // ~19 MB in all: the 8 MB ring grows from 64 KiB, wraps, and drops its oldest entries; sizes vary so
            // that some payloads straddle the ring's end. At ~750 bytes an entry the ring holds ~11,000 of them,
            // more than the RECENT_ENTRIES kept as objects: the rest are decoded from the ring.
            for (long lsn = 1; lsn <= 24_000; lsn++) {
                // The first entry does not fit the ring at all (it is read from the WAL): the ring's positions
                // then start mid-ring, so that its growth has wrapped payloads to move.
                int valueBytes = lsn == 1 ? WalLogView.TAIL_BYTES + 1_000
                        : lsn % 2_000 == 0 ? 200_000 : random.nextInt(1_500);
                Entry entry = entry(lsn, valueBytes);
                view.appended(entry, wal.append(entry));
                appended.add(entry);
                if (lsn % 3_000 == 0 || lsn == 37) {
                    wal.flush();
                    assertShipsAsAppended(view, appended, random);
                }
            }
            view.truncatedAfter(23_990);
            appended.subList(23_990, appended.size()).clear();
            wal.truncateAfter(23_990);
            Entry again = entry(23_991, 11);
            view.appended(again, wal.append(again));
            appended.add(again);
            wal.flush();
            assertShipsAsAppended(view, appended, random);
        }
    }

    /**
     * The ring's boundary itself: a payload that ends exactly at the ring's end (no wrap), one byte past it and
     * two bytes past it (wrapped), each read back from the ring once its object is forgotten. The random sizes
     * above reach these cases only by chance; an off-by-one in either bound check fails here.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} bytes past the ring's end")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 2})
    void aPayloadEndingAtTheRingsEndOrJustPastItShipsIntact(int overshoot) throws Exception {
        WalOptions options = WalOptions.defaults().withFsyncPolicy(io.tandem.storage.wal.FsyncPolicy.NEVER);
        try (Wal wal = WalRecovery.open(dataDir, options, 0, e -> { }).wal()) {
            WalLogView view = new WalLogView(wal, 100);
            List<Entry> appended = new java.util.ArrayList<>();
            long appendedBytes = 0;
            // Past half the full tail, so the ring has grown to its final TAIL_BYTES: positions are then the
            // cumulative byte count modulo TAIL_BYTES.
            while (appendedBytes <= WalLogView.TAIL_BYTES / 2 + 1) {
                appendedBytes += append(wal, view, appended, entry(appended.size() + 1, 1_000));
            }
            long lsn = appended.size() + 1;
            long room = WalLogView.TAIL_BYTES - appendedBytes % WalLogView.TAIL_BYTES;
            if (room + overshoot < EntryCodec.payloadSize(entry(lsn, 0))) { // too little left for any entry
                appendedBytes += append(wal, view, appended, entry(lsn++, 1_000));
                room = WalLogView.TAIL_BYTES - appendedBytes % WalLogView.TAIL_BYTES;
            }
            Entry boundary = null;
            for (int value = (int) room; value >= 0 && boundary == null; value--) {
                Entry candidate = entry(lsn, value);
                if (EntryCodec.payloadSize(candidate) == room + overshoot) {
                    boundary = candidate;
                }
            }
            org.junit.jupiter.api.Assertions.assertNotNull(boundary, "an entry of " + (room + overshoot) + " bytes");
            append(wal, view, appended, boundary);
            // Enough entries after it that its object is forgotten (RECENT_ENTRIES): it is decoded from the ring.
            for (int i = 0; i <= WalLogView.RECENT_ENTRIES; i++) {
                append(wal, view, appended, entry(appended.size() + 1, 10));
            }
            wal.flush();
            List<Entry> batch = view.entries(boundary.lsn(), 1);
            assertEquals(boundary.lsn(), batch.get(0).lsn());
            org.junit.jupiter.api.Assertions.assertArrayEquals(EntryCodec.encodePayload(boundary),
                    EntryCodec.encodePayload(batch.get(0)), "the payload at the ring's end");
            Entry next = view.entries(boundary.lsn() + 1, 1).get(0);
            Entry appendedNext = appended.get((int) boundary.lsn()); // 0-based: the entry at boundary.lsn() + 1
            org.junit.jupiter.api.Assertions.assertArrayEquals(EntryCodec.encodePayload(appendedNext),
                    EntryCodec.encodePayload(next), "the payload after it, at the ring's start");
        }
    }

    private static int append(Wal wal, WalLogView view, List<Entry> appended, Entry entry) throws Exception {
        view.appended(entry, wal.append(entry));
        appended.add(entry);
        return EntryCodec.payloadSize(entry);
    }

    private static void assertShipsAsAppended(WalLogView view, List<Entry> appended, java.util.Random random) {
        long last = appended.size();
        for (int probe = 0; probe < 60; probe++) {
            // The newest entry, then anywhere in the log, then mostly within the ring's reach.
            long from = probe == 0 ? last : probe < 20 ? 1 + random.nextLong(last)
                    : Math.max(1, last - random.nextLong(12_000));
            List<Entry> batch = view.entries(from, 1 + random.nextInt(300_000));
            org.junit.jupiter.api.Assertions.assertFalse(batch.isEmpty(), "nothing shipped from " + from);
            for (int i = 0; i < batch.size(); i++) {
                Entry expected = appended.get((int) (from - 1 + i));
                Entry shipped = batch.get(i);
                assertEquals(expected.lsn(), shipped.lsn());
                assertEquals(expected.term(), shipped.term());
                org.junit.jupiter.api.Assertions.assertArrayEquals(EntryCodec.encodePayload(expected),
                        EntryCodec.encodePayload(shipped), "payload of lsn " + expected.lsn());
            }
        }
    }
}
