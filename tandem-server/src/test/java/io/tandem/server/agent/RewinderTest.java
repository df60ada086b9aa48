package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.server.metrics.ServerStats;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotStore;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalOptions;
import io.tandem.storage.wal.WalRecovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rewind on real files: given a log and snapshots, the keyspace comes back as of the LSN asked for, what
 * is dropped is in the rollback file, and what is left on disk recovers to that same state after a restart.
 *
 * <p>The history used throughout: LSNs 1..10 of term 1 (what the new leader also holds), then 11..15 of term
 * 2, written by a deposed leader; each sets key k{lsn} and overwrites "shared".
 */
class RewinderTest {
    private static final int SEED = 7;

    @TempDir
    Path dataDir;

    private final ServerStats stats = new ServerStats(0);

    private static Entry entry(long lsn) {
        long term = lsn <= 10 ? 1 : 2;
        return new Entry(term, lsn, 1_700_000_000_000L + lsn, List.of(
                new Effect.PutString(b("k" + lsn), b("v" + lsn), Effect.NO_EXPIRY),
                new Effect.PutString(b("shared"), b("from " + lsn), Effect.NO_EXPIRY)));
    }

    private static Keyspace keyspaceUpTo(long lsn) {
        Keyspace keys = new Keyspace(SEED);
        for (long i = 1; i <= lsn; i++) {
            entry(i).effects().forEach(keys::apply);
        }
        return keys;
    }

    /** The membership every snapshot of these tests records. */
    private static final io.tandem.core.model.Membership MEMBERS = io.tandem.core.model.Membership.parse(
            "n1=127.0.0.1:27001,n2=127.0.0.1:27002");

    private void snapshot(SnapshotStore store, long lsn) throws Exception {
        Iterator<io.tandem.core.keyspace.KeyEntry> keys = keyspaceUpTo(lsn).freeze().iterator();
        store.write(new SnapshotMeta(entry(lsn).term(), lsn, 0, SnapshotMembership.encode(MEMBERS)), new Iterator<>() {
            @Override
            public boolean hasNext() {
                return keys.hasNext();
            }

            @Override
            public byte[] next() {
                return KeyRecordCodec.encode(keys.next());
            }
        }, n -> { });
    }

    /** A log holding fromLsn..toLsn (the snapshot at fromLsn - 1 covers the rest) and its view. */
    private record Log(Wal wal, WalLogView view) {}

    private Log log(long fromLsn, long toLsn) throws Exception {
        Wal wal = WalRecovery.open(dataDir, WalOptions.defaults(), fromLsn - 1, e -> { }).wal();
        WalLogView view = new WalLogView(wal, 100);
        for (long lsn = fromLsn; lsn <= toLsn; lsn++) {
            Entry entry = entry(lsn);
            view.appended(entry, wal.append(entry));
        }
        wal.flush();
        return new Log(wal, view);
    }

    private record Rewound(long lsn, long term, Keyspace keys, io.tandem.core.model.Membership membership,
            long baseLsn) {}

    private Rewound rewind(Log log, SnapshotStore store, long afterLsn) throws Exception {
        AtomicReference<Rewound> done = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        // Both executors run tasks at once, so the whole rewind happens inside this call.
        Rewinder rewinder = new Rewinder(dataDir, log.wal(), log.view(), store, Runnable::run, Runnable::run, stats);
        rewinder.rewind(afterLsn, 3, SEED, (lsn, term, keys, membership, base) -> done.set(new Rewound(lsn, term, keys, membership, base)), failed::set);
        assertEquals(null, failed.get());
        return done.get();
    }

    private List<String> rollbackLines(String name) throws Exception {
        return Files.readAllLines(dataDir.resolve("rollback").resolve(name));
    }

    @Test
    void aRewindWithinTheLogRebuildsFromTheSnapshotBeforeItAndRecordsTheDroppedEntries() throws Exception {
        SnapshotStore store = SnapshotStore.open(dataDir);
        snapshot(store, 5);
        snapshot(store, 12); // taken while this node held the deposed leader's entries: divergent
        Log log = log(1, 15);

        Rewound rewound = rewind(log, store, 10);

        assertEquals(10, rewound.lsn());
        assertEquals(1, rewound.term());
        assertEquals(KeyspaceDigest.of(keyspaceUpTo(10)), KeyspaceDigest.of(rewound.keys()),
                "the keys as of LSN 10: k1..k10, shared from 10");
        assertEquals(10, log.wal().lastLsn(), "the log is cut after 10");
        assertEquals(10, log.view().lastLsn());
        assertEquals(List.of(5L), store.list().stream().map(SnapshotStore::lsnOf).toList(),
                "the snapshot at 12 holds dropped keys: gone; the one at 5 stays");
        List<String> lines = rollbackLines("3-11.jsonl");
        assertEquals(10, lines.size(), "entries 11..15, two effects each");
        assertEquals("{\"lsn\":11,\"term\":2,\"time\":\"2023-11-14T22:13:20.011Z\",\"time_millis\":1700000000011,"
                + "\"effect\":\"put_string\",\"key\":\"k11\",\"value\":\"v11\",\"expire_at_millis\":null}", lines.get(0));
        assertTrue(lines.get(9).startsWith("{\"lsn\":15,"), lines.get(9));
        assertEquals(5, stats.rollbackEntries);
        log.wal().close();

        // What is on disk now recovers to the rewound state (a crash right after changes nothing).
        NodeRecovery.Result recovered = NodeRecovery.recover(dataDir, WalOptions.defaults(), SEED);
        recovered.recovered().wal().close();
        assertEquals(KeyspaceDigest.of(keyspaceUpTo(10)), KeyspaceDigest.of(recovered.keyspace()));
        assertEquals(10, recovered.lastLsn());
    }

    @Test
    void aRewindToASnapshotsOwnLsnReplaysNothing() throws Exception {
        SnapshotStore store = SnapshotStore.open(dataDir);
        snapshot(store, 10);
        Log log = log(1, 15);
        Rewound rewound = rewind(log, store, 10);
        assertEquals(10, rewound.lsn());
        assertEquals(1, rewound.term(), "the snapshot's term");
        assertEquals(KeyspaceDigest.of(keyspaceUpTo(10)), KeyspaceDigest.of(rewound.keys()));
        // The core reads its memberships again from where the rebuild started: this snapshot's.
        assertEquals(MEMBERS, rewound.membership());
        assertEquals(10, rewound.baseLsn());
        log.wal().close();
    }

    @Test
    void whenNothingLocalReachesBackEverythingGoesAndTheSnapshotIsKeptAsTheRecord() throws Exception {
        // A snapshot installed from the deposed leader at 12 replaced the log, which now holds 13..15 only.
        SnapshotStore store = SnapshotStore.open(dataDir);
        snapshot(store, 12);
        Log log = log(13, 15);
        log.wal().startsAfterSnapshot(12, 2);

        Rewound rewound = rewind(log, store, 10);

        assertEquals(0, rewound.lsn());
        assertEquals(0, rewound.term());
        assertEquals(0, rewound.keys().size(), "an empty keyspace: the leader bootstraps this node again");
        assertEquals(0, log.wal().lastLsn());
        assertEquals(List.of(), log.wal().segmentFiles());
        assertEquals(List.of(), store.list());
        List<String> lines = rollbackLines("3-11.jsonl");
        assertTrue(lines.get(0).startsWith("{\"note\":\"entries 11 to 12 were only in snapshot "), lines.get(0));
        assertTrue(lines.get(0).endsWith(",\"first_lsn\":11,\"last_lsn\":12}"), lines.get(0));
        assertEquals(1 + 6, lines.size(), "the note, then entries 13..15");
        assertTrue(lines.get(1).startsWith("{\"lsn\":13,"), lines.get(1));
        try (Stream<Path> kept = Files.list(dataDir.resolve("rollback"))) {
            assertEquals(2, kept.count(), "the rollback file and the snapshot moved beside it");
        }
        assertEquals(5, stats.rollbackEntries, "11..12 in the snapshot, 13..15 in the log");
        log.wal().close();

        NodeRecovery.Result recovered = NodeRecovery.recover(dataDir, WalOptions.defaults(), SEED);
        recovered.recovered().wal().close();
        assertEquals(0, recovered.keyspace().size());
        assertEquals(0, recovered.lastLsn());
    }

    @Test
    void aTruncationOfEntriesNotAppliedRecordsThemToo() throws Exception {
        SnapshotStore store = SnapshotStore.open(dataDir);
        Log log = log(1, 15);
        new Rewinder(dataDir, log.wal(), log.view(), store, Runnable::run, Runnable::run, stats).truncate(12, 3);
        assertEquals(12, log.wal().lastLsn());
        List<String> lines = rollbackLines("3-13.jsonl");
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).startsWith("{\"lsn\":13,"), lines.get(0));
        assertEquals(3, stats.rollbackEntries);
        // Nothing to drop: no file.
        new Rewinder(dataDir, log.wal(), log.view(), store, Runnable::run, Runnable::run, stats).truncate(12, 3);
        assertFalse(Files.exists(dataDir.resolve("rollback").resolve("3-14.jsonl")));
        log.wal().close();
    }

    @Test
    void theRebuildBaseIsTheNewestSnapshotAtOrBeforeTheLsnIfTheLogFollowsIt() {
        // snapshots, first LSN of the log, afterLsn -> base (-1: wipe)
        Object[][] table = {
                {List.of(), 1L, 10L, 0L},            // no snapshot, the whole log: replay 1..10
                {List.of(), 5L, 10L, -1L},           // no snapshot and the log's start is gone
                {List.of(100L, 200L), 101L, 150L, 100L},
                {List.of(100L, 200L), 101L, 250L, 200L},
                {List.of(100L, 200L), 201L, 150L, -1L}, // 101..200 only in the divergent snapshot at 200
                {List.of(100L, 200L), 201L, 200L, 200L},
                {List.of(100L), 101L, 100L, 100L},
                {List.of(200L), 201L, 0L, -1L},       // the core gave up on everything (a divergent snapshot)
                {List.of(), 1L, 0L, 0L}};
        for (Object[] row : table) {
            @SuppressWarnings("unchecked")
            List<Long> snapshots = (List<Long>) row[0];
            assertEquals((long) row[3], Rewinder.rebuildBase(snapshots, (long) row[1], (long) row[2]),
                    java.util.Arrays.toString(row));
        }
    }

    @Test
    void bytesThatAreNotUtf8AreWrittenAsBase64AndTextIsEscaped() {
        StringBuilder out = new StringBuilder();
        EffectJson.bytes(out, new byte[] {(byte) 0xff, 0, 'a'});
        assertEquals("{\"base64\":\"/wBh\"}", out.toString());
        out.setLength(0);
        EffectJson.bytes(out, "é \"q\" \\ \n\u0001".getBytes(StandardCharsets.UTF_8));
        assertEquals("\"é \\\"q\\\" \\\\ \\n\\u0001\"", out.toString());
        out.setLength(0);
        EffectJson.appendFields(out, new Effect.HashPut(b("h"), new byte[][] {b("f"), b("v")}));
        assertEquals("\"effect\":\"hash_put\",\"key\":\"h\",\"fields_and_values\":[\"f\",\"v\"]", out.toString());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
