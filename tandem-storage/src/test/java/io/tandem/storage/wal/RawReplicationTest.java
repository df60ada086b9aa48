package io.tandem.storage.wal;

import static io.tandem.storage.wal.TestEntries.assertSameEntry;
import static io.tandem.storage.wal.TestEntries.bigEntry;
import static io.tandem.storage.wal.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader ships raw records (readRaw), a follower stores them as they are (appendRaw). */
class RawReplicationTest {
    @TempDir
    Path dir;

    private final WalOptions options = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS)
            .withSegmentBytes(8192).withPreallocateSegments(false);

    private Wal open(String name) throws Exception {
        return WalRecovery.open(dir.resolve(name), options, 0, e -> { }).wal();
    }

    /** A leader log over several segments and terms, with an entry larger than a segment; one sync per flush. */
    private Wal leader(int entries) throws Exception {
        Wal wal = open("leader");
        for (long lsn = 1; lsn <= entries; lsn++) {
            wal.append(lsn == 250 ? bigEntry(2, lsn, 20_000) : entry(lsn < 200 ? 1 : lsn < 400 ? 2 : 5, lsn));
            if (lsn % 7 == 0) {
                wal.flush();
            }
        }
        wal.flush();
        return wal;
    }

    /** Ships the leader's log in batches of at most maxBytes, through a byte array as a network would. */
    private static void ship(WalReader from, Wal to, long maxBytes) throws Exception {
        long next = to.lastLsn() + 1;
        while (next <= from.lastReadableLsn()) {
            RawBatch sent = from.readRaw(next, maxBytes);
            RawBatch received = RawBatch.parse(ByteBuffer.wrap(sent.toByteArray()));
            assertEquals(sent.firstLsn(), received.firstLsn());
            assertEquals(sent.lastLsn(), received.lastLsn());
            assertEquals(sent.count(), received.count());
            assertEquals(sent.lastTerm(), received.lastTerm());
            assertEquals(received.count(), to.appendRaw(received));
            to.flush();
            next = received.lastLsn() + 1;
        }
    }

    /** The records with SYNC_MARK cleared (and their CRC redone): what two logs must agree on byte for byte. */
    private static byte[] withoutSyncMarks(RawBatch batch) {
        ByteBuffer bytes = ByteBuffer.wrap(batch.toByteArray()).order(WalRecord.ORDER);
        CRC32C crc = new CRC32C();
        for (int at = 0; at < bytes.limit(); at += WalRecord.recordBytesAt(bytes, at)) {
            WalRecord.clearSyncMark(bytes, at, crc);
        }
        return bytes.array();
    }

    private static long syncMarked(RawBatch batch) {
        ByteBuffer bytes = batch.bytes();
        long marked = 0;
        for (int at = 0; at < bytes.limit(); at += WalRecord.recordBytesAt(bytes, at)) {
            marked += (WalRecord.kindAt(bytes, at) & WalRecord.SYNC_MARK) != 0 ? 1 : 0;
        }
        return marked;
    }

    @Test
    void rawRoundTripStoresTheLeadersBytes() throws Exception {
        Wal leader = leader(600);
        Wal follower = open("follower");
        ship(leader.reader(), follower, 1000);
        assertEquals(600, follower.lastLsn());
        assertEquals(5, follower.lastTerm());
        assertEquals(2, follower.termAt(250));
        assertEquals(600, follower.durableLsn());

        // Both read back identically, decoded...
        List<Entry> fromLeader = leader.reader().read(1, Long.MAX_VALUE);
        List<Entry> fromFollower = follower.reader().read(1, Long.MAX_VALUE);
        assertEquals(600, fromFollower.size());
        for (int i = 0; i < 600; i++) {
            assertSameEntry(fromLeader.get(i), fromFollower.get(i));
        }
        // ...and raw: the same bytes but for SYNC_MARK, which records each log's own fdatasyncs.
        RawBatch leaderRaw = leader.reader().readRaw(1, Long.MAX_VALUE);
        RawBatch followerRaw = follower.reader().readRaw(1, Long.MAX_VALUE);
        assertEquals(leaderRaw.sizeBytes(), followerRaw.sizeBytes());
        assertArrayEquals(withoutSyncMarks(leaderRaw), withoutSyncMarks(followerRaw));
        assertTrue(syncMarked(leaderRaw) > 50, "the leader synced every 7 entries");
        assertTrue(syncMarked(followerRaw) < syncMarked(leaderRaw), "the leader's marks were not kept");
        follower.close();

        // The follower's files recover to the same entries.
        List<Entry> replayed = new ArrayList<>();
        WalFiles.recoverAndClose(dir.resolve("follower"), options, 0, replayed::add);
        for (int i = 0; i < 600; i++) {
            assertSameEntry(fromLeader.get(i), replayed.get(i));
        }
        leader.close();
    }

    @Test
    void followerTakesOneBigBatchWithOnlyItsOwnSyncMark() throws Exception {
        Wal leader = leader(150); // term 1 only, ~7 KB: one segment on both sides
        Wal follower = open("follower");
        RawBatch all = leader.reader().readRaw(1, Long.MAX_VALUE);
        assertEquals(150, follower.appendRaw(all));
        follower.flush();
        assertTrue(syncMarked(all) > 10);
        // One write after recovery's sync: only its first record carries a mark.
        assertEquals(1, syncMarked(follower.reader().readRaw(1, Long.MAX_VALUE)));
        leader.close();
        follower.close();
    }

    @Test
    void corruptedOrMisplacedRawBatchesAreRefusedWhole() throws Exception {
        Wal leader = leader(600);
        Wal follower = open("follower");
        ship(leader.reader(), follower, 1000);
        follower.truncateAfter(100);
        WalReader source = leader.reader();

        // A flipped payload byte: the CRC catches it, on receipt and again on append.
        RawBatch good = source.readRaw(101, 2000);
        byte[] damaged = good.toByteArray();
        int secondRecord = WalRecord.recordBytesAt(ByteBuffer.wrap(damaged).order(WalRecord.ORDER), 0);
        damaged[secondRecord + WalRecord.PAYLOAD_OFFSET + 2] ^= 0x40;
        RawBatchRejectedException parsed = assertThrows(RawBatchRejectedException.class,
                () -> RawBatch.parse(ByteBuffer.wrap(damaged)));
        assertEquals(secondRecord, parsed.offset());
        assertTrue(parsed.getMessage().contains("CRC mismatch"), parsed.getMessage());
        RawBatch forged = new RawBatch(ByteBuffer.wrap(damaged), good.firstLsn(), good.lastLsn(), good.count(),
                good.lastTerm());
        assertThrows(RawBatchRejectedException.class, () -> follower.appendRaw(forged));
        assertEquals(100, follower.lastLsn(), "nothing of a refused batch is appended");

        // Cut short inside a record.
        byte[] shortened = java.util.Arrays.copyOf(good.toByteArray(), good.sizeBytes() - 3);
        assertThrows(RawBatchRejectedException.class, () -> RawBatch.parse(ByteBuffer.wrap(shortened)));

        // Not the next LSN: a gap, or entries the follower already has.
        RawBatchRejectedException gap = assertThrows(RawBatchRejectedException.class,
                () -> follower.appendRaw(source.readRaw(102, 2000)));
        assertTrue(gap.getMessage().contains("expected lsn 101"), gap.getMessage());
        assertThrows(RawBatchRejectedException.class, () -> follower.appendRaw(source.readRaw(100, 2000)));

        // A term below the follower's last one.
        follower.truncateAfter(0);
        follower.append(entry(3, 1));
        follower.flush();
        RawBatchRejectedException term = assertThrows(RawBatchRejectedException.class,
                () -> follower.appendRaw(source.readRaw(2, 2000)));
        assertTrue(term.getMessage().contains("below the previous term 3"), term.getMessage());
        assertEquals(1, follower.lastLsn());

        // After all that, a good batch still goes in and reads back.
        follower.truncateAfter(0);
        RawBatch first = source.readRaw(1, 2000);
        assertEquals(first.count(), follower.appendRaw(first));
        follower.flush();
        assertEquals(source.read(1, 2000).size(), follower.reader().read(1, Long.MAX_VALUE).size());
        assertEquals(0, follower.appendRaw(RawBatch.parse(ByteBuffer.allocate(0))));
        leader.close();
        follower.close();
    }

    @Test
    void entriesAppendedFromTheirShippedPayloadsMakeTheLeadersLogByteForByte() throws Exception {
        Wal leader = leader(500);
        List<Entry> shipped = leader.reader().read(1, Long.MAX_VALUE);
        // The payloads as a frame carries them: each entry's EntryCodec encoding, with other bytes between
        // (a frame's per-entry header), in a direct buffer as Netty's are.
        ByteBuffer frame = ByteBuffer.allocateDirect(1 << 20);
        int[] offsets = new int[shipped.size()];
        int[] lengths = new int[shipped.size()];
        for (int i = 0; i < shipped.size(); i++) {
            frame.position(frame.position() + 20);
            byte[] payload = EntryCodec.encodePayload(shipped.get(i));
            offsets[i] = frame.position();
            lengths[i] = payload.length;
            frame.put(payload);
        }
        frame.flip();
        Wal follower = open("follower");
        for (int i = 0; i < shipped.size(); i++) {
            assertEquals(lengths[i], follower.appendEncoded(shipped.get(i), frame, offsets[i], lengths[i]));
            if (i % 11 == 0) {
                follower.flush();
            }
        }
        follower.flush();
        assertArrayEquals(withoutSyncMarks(leader.reader().readRaw(1, Long.MAX_VALUE)),
                withoutSyncMarks(follower.reader().readRaw(1, Long.MAX_VALUE)));
        follower.close();
        Wal reopened = open("follower");
        List<Entry> recovered = reopened.reader().read(1, Long.MAX_VALUE);
        assertEquals(shipped.size(), recovered.size());
        for (int i = 0; i < shipped.size(); i++) {
            assertSameEntry(shipped.get(i), recovered.get(i));
        }
        // A payload said to lie beyond the buffer is refused before anything is appended.
        assertThrows(IllegalArgumentException.class,
                () -> reopened.appendEncoded(entry(5, 501), frame, frame.limit() - 3, 10));
        assertEquals(500, reopened.lastLsn());
        reopened.close();
        leader.close();
    }
}
