package io.tandem.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.server.replication.ThreeNodeReplicationTest.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that was down while its leader took snapshots and deleted the log it had not received yet
 * comes back: the leader streams it a snapshot, it installs it and then follows the log from there. With
 * retention-bytes-max high enough, the leader keeps that log instead and no snapshot is needed. Three real
 * nodes in this JVM (real sockets, WALs, snapshot files).
 */
class SnapshotBootstrapTest {
    @TempDir
    Path dir;

    private final List<TandemNode> nodes = new ArrayList<>();
    private final int[] peerPorts = new int[3];
    private String retentionBytesMax;

    @AfterEach
    void stop() {
        nodes.forEach(TandemNode::close);
    }

    private NodeConfig config(int index) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("port", "0");
        flags.put("admin-port", "-1");
        flags.put("data-dir", dir.resolve("n" + (index + 1)).toString());
        flags.put("node-id", "n" + (index + 1));
        flags.put("peer-port", Integer.toString(peerPorts[index]));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i != index) {
                peers.add("n" + (i + 1) + "=127.0.0.1:" + peerPorts[i]);
            }
        }
        flags.put("peers", String.join(",", peers));
        if (index > 0) {
            flags.put("replica-of", "n1");
        }
        flags.put("ack-policy", "async");
        // Small segments and frequent snapshots, so that a few MB of writes delete log.
        flags.put("wal-segment-bytes", "1mb");
        flags.put("snapshot-after-log-bytes", "512kb");
        flags.put("retention-bytes-max", retentionBytesMax);
        flags.put("lag-alert-bytes", "1mb");
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    private void startCluster() throws IOException {
        for (int i = 0; i < 3; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                peerPorts[i] = probe.getLocalPort();
            }
        }
        for (int i = 0; i < 3; i++) {
            nodes.add(TandemNode.start(config(i)));
        }
    }

    /** n3 goes down after a first write; 15,000 SETs of 200 bytes (about 3.5 MB of log) follow. */
    private long writeWhileN3IsDown(Client leader) throws Exception {
        assertEquals("+OK", leader.call("SET", "early", "1").toString());
        assertEquals(":2", leader.call("WAIT", "2", "10000").toString());
        long n3Lsn = infoLong(leader, "master_repl_offset");
        nodes.get(2).close();
        String value = "v".repeat(200);
        for (int batch = 0; batch < 15; batch++) {
            for (int i = 0; i < 1000; i++) {
                leader.send("SET", "k" + batch + ":" + i, value);
            }
            for (int i = 0; i < 1000; i++) {
                assertEquals("+OK", leader.read().toString());
            }
        }
        return n3Lsn;
    }

    @Test
    void aFollowerBehindTheLeadersLogIsBootstrappedFromASnapshot() throws Exception {
        retentionBytesMax = "0"; // keep nothing for replicas: n3 cannot catch up from the log
        startCluster();
        try (Client leader = new Client(nodes.get(0).port())) {
            long n3Lsn = writeWhileN3IsDown(leader);
            await(() -> infoLong(leader, "wal_first_lsn") > n3Lsn + 1, "the leader deletes log n3 has not received");

            nodes.set(2, TandemNode.start(config(2)));
            String digest = leader.call("TANDEM.DIGEST").toString();
            try (Client n3 = new Client(nodes.get(2).port())) {
                await(() -> digest.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 converges");
                assertEquals(1, infoLong(n3, "snapshots_installed"), "n3 was bootstrapped from a snapshot");
                assertEquals(1, infoLong(leader, "snapshot_transfers_completed"));
                // After the snapshot, the log streams: a new write reaches n3 too.
                assertEquals("+OK", leader.call("SET", "after", "snapshot").toString());
                await(() -> n3.callUnchecked("GET", "after").toString().equals("\"snapshot\""), "streaming resumes");
                assertEquals("\"" + "v".repeat(200) + "\"", n3.call("GET", "k7:77").toString());
            }
            // The installed snapshot survives a restart of n3: it recovers from it, not from an empty log.
            nodes.get(2).close();
            nodes.set(2, TandemNode.start(config(2)));
            try (Client n3 = new Client(nodes.get(2).port())) {
                String now = leader.call("TANDEM.DIGEST").toString();
                await(() -> now.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 converges after a restart");
                assertEquals(0, infoLong(n3, "snapshots_installed"), "no second snapshot was needed");
            }
        }
    }

    @Test
    void retentionKeepsTheLogAFollowerStillNeedsSoItCatchesUpWithoutASnapshot() throws Exception {
        retentionBytesMax = "1gb";
        startCluster();
        try (Client leader = new Client(nodes.get(0).port())) {
            long n3Lsn = writeWhileN3IsDown(leader);
            await(() -> infoLong(leader, "snapshots_taken") >= 1, "the leader takes a snapshot meanwhile");
            assertTrue(infoLong(leader, "wal_first_lsn") <= n3Lsn + 1, "the log n3 needs is kept");
            // Monitoring sees n3 behind by the bytes written meanwhile, and raised a lag alert for it.
            String n3Line = leader.call("INFO", "replication").toString().replace("\\r\\n", "\n").lines()
                    .filter(l -> l.contains("id=n3")).findFirst().orElseThrow();
            Matcher lagBytes = Pattern.compile("lag_bytes=(\\d+)").matcher(n3Line);
            assertTrue(lagBytes.find(), n3Line);
            assertTrue(Long.parseLong(lagBytes.group(1)) > 3_000_000, n3Line);
            // (n2 may have passed the bound for a moment too, streaming behind the burst.)
            assertTrue(infoLong(leader, "lag_alerts_raised") >= 1, "n3 is more than lag-alert-bytes behind");
            assertTrue(infoLong(leader, "ack_wait_count") >= 15_000, "every acknowledged write was timed");

            nodes.set(2, TandemNode.start(config(2)));
            String digest = leader.call("TANDEM.DIGEST").toString();
            try (Client n3 = new Client(nodes.get(2).port())) {
                await(() -> digest.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 catches up");
                assertEquals(0, infoLong(n3, "snapshots_installed"), "from the log, without a snapshot");
            }
            // Caught up, n3 no longer holds the log back: the leader deletes what its snapshot covers.
            await(() -> infoLong(leader, "wal_first_lsn") > n3Lsn + 1, "the leader releases the retained log");
        }
    }

    private static long infoLong(Client client, String field) {
        String info = client.callUnchecked("INFO").toString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":(-?\\d+)").matcher(info.replace("\\r\\n", "\n").replace("\r", ""));
        if (!m.find()) {
            throw new AssertionError("INFO has no " + field + ": " + info);
        }
        return Long.parseLong(m.group(1));
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline, not waiting for a fixed time
        }
    }
}
