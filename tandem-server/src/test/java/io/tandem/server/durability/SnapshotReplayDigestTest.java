package io.tandem.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import io.tandem.wire.resp.RespValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10^6 keys of every type (some with TTLs far ahead), a BGSAVE, more writes after it, then a restart that
 * must load the snapshot and replay the log on top of it: TANDEM.DIGEST and DBSIZE must match exactly.
 * Prints the snapshot pause, the snapshot write time and the recovery time with its rate.
 */
class SnapshotReplayDigestTest {
    private static final int KEYS = 1_000_000;
    private static final int CONNECTIONS = 4;
    private static final int PIPELINE = 2_000;
    /** Ten days ahead: none of these keys may expire during the test. */
    private static final String TTL_SECONDS = Integer.toString(10 * 24 * 3600);

    @TempDir
    Path dir;

    @Test
    void digestAndSizeSurviveSnapshotPlusLogReplay() throws Exception {
        NodeConfig config = NodeConfig.forTest(dir.resolve("data"), FsyncPolicy.BATCH);
        String digestBefore;
        long sizeBefore;
        long afterSnapshotWrites;
        long snapshotKeys;
        TandemNode node = TandemNode.start(config);
        try {
            long loadStarted = System.nanoTime();
            runOnConnections(node.port(), (client, part) -> load(client, part));
            long loadMillis = (System.nanoTime() - loadStarted) / 1_000_000;
            try (RespClient client = new RespClient(node.port())) {
                snapshotKeys = client.integer("DBSIZE");
                assertEquals(KEYS, snapshotKeys, "DBSIZE after the load");
                long takenBefore = Long.parseLong(client.info("persistence", "snapshots_taken"));
                assertEquals("Background saving started", ((RespValue.Simple) client.call("BGSAVE")).text());
                RespClient.poll(Duration.ofSeconds(60), "the snapshot to finish", () ->
                        Long.parseLong(client.info("persistence", "snapshots_taken")) > takenBefore ? true : null);
                assertEquals("0", client.info("persistence", "snapshot_failures"));
                System.out.printf("loaded %,d keys in %,d ms; snapshot: pause %s us, written in %s ms at lsn %s%n",
                        snapshotKeys, loadMillis, client.info("persistence", "snapshot_last_pause_us"),
                        client.info("persistence", "snapshot_last_duration_ms"),
                        client.info("persistence", "snapshot_last_lsn"));
            }
            // Recovery must replay these on top of the snapshot: new keys, overwrites, deletes, changes to
            // hashes, sets and lists, and new TTLs.
            afterSnapshotWrites = runOnConnections(node.port(), SnapshotReplayDigestTest::changeAfterSnapshot);
            try (RespClient client = new RespClient(node.port())) {
                digestBefore = client.bulkText("TANDEM.DIGEST");
                sizeBefore = client.integer("DBSIZE");
            }
        } finally {
            node.close();
        }
        node = null; // let the first keyspace go before the second is built

        RecoveryLog log = RecoveryLog.capture();
        TandemNode restarted;
        long startMillis;
        try {
            long started = System.nanoTime();
            restarted = TandemNode.start(config);
            startMillis = (System.nanoTime() - started) / 1_000_000;
        } finally {
            log.close();
        }
        try (RespClient client = new RespClient(restarted.port())) {
            assertTrue(log.replayedEntries >= afterSnapshotWrites, "recovery replayed " + log.replayedEntries
                    + " log entries; the " + afterSnapshotWrites + " writes after the snapshot must be among them");
            assertTrue(log.snapshotLoaded, "recovery must have loaded the snapshot:\n" + log.lines);
            System.out.printf("recovery: %d ms as logged, TandemNode.start %d ms; snapshot of %,d keys (LSN %d)"
                    + " loaded in %d ms (%,.0f keys/s); log: %,d records in %d segment(s) read and checked, the %,d"
                    + " after the snapshot replayed, in %d ms; overall %,.0f keys+entries/s%n", log.recoveryMillis,
                    startMillis, snapshotKeys, log.snapshotLsn, log.snapshotLoadMillis,
                    snapshotKeys * 1000.0 / Math.max(1, log.snapshotLoadMillis), log.walRecords, log.walSegments,
                    log.replayedEntries, log.walMillis,
                    (snapshotKeys + log.replayedEntries) * 1000.0 / Math.max(1, log.recoveryMillis));
            assertEquals(sizeBefore, client.integer("DBSIZE"), "DBSIZE after recovery");
            assertEquals(digestBefore, client.bulkText("TANDEM.DIGEST"), "TANDEM.DIGEST after recovery");
        } finally {
            restarted.close();
        }
    }

    /** Key i of the load, and its type by i % 100: 85% strings, 5% hashes, 5% sets, 3% lists, 2% TTLs. */
    private static long load(RespClient client, int part) throws Exception {
        List<String[]> batch = new ArrayList<>(PIPELINE);
        long commands = 0;
        for (int i = part; i < KEYS; i += CONNECTIONS) {
            String key = "key:" + i;
            int kind = i % 100;
            if (kind < 85) {
                batch.add(new String[] {"SET", key, "value-" + i});
            } else if (kind < 90) {
                batch.add(new String[] {"HSET", key, "f1", "a" + i, "f2", "b" + i, "f3", "c"});
            } else if (kind < 95) {
                batch.add(new String[] {"SADD", key, "m" + i, "n" + i, "o"});
            } else if (kind < 98) {
                batch.add(new String[] {"RPUSH", key, "x" + i, "y", "z" + i});
            } else if (kind == 98) {
                batch.add(new String[] {"SET", key, "ttl-" + i, "EX", TTL_SECONDS});
            } else {
                batch.add(new String[] {"HSET", key, "f", "v" + i});
                batch.add(new String[] {"EXPIRE", key, TTL_SECONDS});
            }
            if (batch.size() >= PIPELINE) {
                commands += pipeline(client, batch);
            }
        }
        return commands + pipeline(client, batch);
    }

    /** Writes after the snapshot, on keys the snapshot holds and on new ones. */
    private static long changeAfterSnapshot(RespClient client, int part) throws Exception {
        List<String[]> batch = new ArrayList<>(PIPELINE);
        long commands = 0;
        for (int j = part; j < 60_000; j += CONNECTIONS) {
            int i = j * 13; // spread over the loaded keys
            String key = "key:" + i;
            int kind = i % 100;
            switch (j % 6) {
                case 0 -> batch.add(new String[] {"SET", "post:" + j, "after-" + j});
                case 1 -> batch.add(kind < 85 ? new String[] {"SET", key, "overwritten-" + j}
                        : new String[] {"DEL", key});
                case 2 -> batch.add(new String[] {"DEL", "key:" + (i + 1)});
                case 3 -> batch.add(new String[] {"HSET", "post-hash:" + (j % 1000), "f" + j, "v"});
                case 4 -> batch.add(new String[] {"SADD", "post-set:" + (j % 1000), "m" + j});
                default -> batch.add(new String[] {"LPUSH", "post-list:" + (j % 1000), "e" + j});
            }
            if (j % 50 == 0) {
                batch.add(new String[] {"EXPIRE", "post:" + (j - j % 6), TTL_SECONDS});
            }
            if (batch.size() >= PIPELINE) {
                commands += pipeline(client, batch);
            }
        }
        return commands + pipeline(client, batch);
    }

    /**
     * Sends the batch, checks no reply is an error, clears it; returns how many commands changed something
     * (every reply but ":0", which DEL or EXPIRE of a missing key gives): each of those is one log entry.
     */
    private static int pipeline(RespClient client, List<String[]> batch) throws Exception {
        for (String[] command : batch) {
            client.send(command);
        }
        client.flush();
        int changed = 0;
        for (String[] command : batch) {
            RespValue reply = client.read();
            if (reply instanceof RespValue.Error error) {
                throw new AssertionError(String.join(" ", command) + " replied " + error);
            }
            if (!(reply instanceof RespValue.Int n && n.value() == 0)) {
                changed++;
            }
        }
        batch.clear();
        return changed;
    }

    interface Work {
        long run(RespClient client, int part) throws Exception;
    }

    /** Runs work on CONNECTIONS connections in parallel; returns the total it reports. */
    private static long runOnConnections(int port, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (int p = 0; p < CONNECTIONS; p++) {
                int part = p;
                parts.add(pool.submit(() -> {
                    try (RespClient client = new RespClient(port)) {
                        return work.run(client, part);
                    }
                }));
            }
            long total = 0;
            for (Future<Long> part : parts) {
                total += part.get(120, TimeUnit.SECONDS);
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Reads what recovery logs through System.Logger (backed by java.util.logging here): the snapshot load
     * (its start and end instants), the log replay, and NodeRecovery's summary line.
     */
    private static final class RecoveryLog extends Handler {
        private static final Pattern RECOVERED = Pattern.compile(
                "recovered (\\d+) keys: snapshot LSN (\\d+), log replayed (\\d+) entries up to LSN \\d+ in (\\d+) ms");
        private static final Pattern WAL = Pattern.compile(
                "wal: recovered lsns (\\d+)\\.\\.(\\d+) .* from (\\d+) segments, replayed (\\d+) entries after lsn \\d+"
                        + " in (\\d+) ms");
        private final List<Logger> loggers = List.of(Logger.getLogger("io.tandem.server.agent.NodeRecovery"),
                Logger.getLogger("io.tandem.storage.wal.WalRecovery"));
        final StringBuffer lines = new StringBuffer();
        volatile boolean snapshotLoaded;
        volatile long snapshotLoadStartMillis;
        volatile long snapshotLoadMillis = -1;
        volatile long snapshotLsn = -1;
        volatile long replayedEntries = -1;
        volatile long recoveryMillis = -1;
        volatile long walRecords = -1;
        volatile long walSegments = -1;
        volatile long walMillis = -1;

        static RecoveryLog capture() {
            RecoveryLog log = new RecoveryLog();
            log.loggers.forEach(logger -> logger.addHandler(log));
            return log;
        }

        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            lines.append(message).append('\n');
            if (message.startsWith("loading snapshot")) {
                snapshotLoadStartMillis = record.getInstant().toEpochMilli();
            }
            if (message.startsWith("snapshot loaded")) {
                snapshotLoaded = true;
                snapshotLoadMillis = record.getInstant().toEpochMilli() - snapshotLoadStartMillis;
            }
            Matcher m = RECOVERED.matcher(message);
            if (m.find()) {
                snapshotLsn = Long.parseLong(m.group(2));
                replayedEntries = Long.parseLong(m.group(3));
                recoveryMillis = Long.parseLong(m.group(4));
            }
            Matcher w = WAL.matcher(message);
            if (w.find()) {
                walRecords = Long.parseLong(w.group(2)) - Long.parseLong(w.group(1)) + 1;
                walSegments = Long.parseLong(w.group(3));
                walMillis = Long.parseLong(w.group(5));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            loggers.forEach(logger -> logger.removeHandler(this));
        }
    }
}
