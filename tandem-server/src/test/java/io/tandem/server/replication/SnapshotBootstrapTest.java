package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.replication.ThreeNodeReplicationTest.Client;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A follower that was down while its leader took snapshots and deleted the log it had not received yet
 * comes back: the leader streams it a snapshot, it installs it and then follows the log from there. With
 * retention-bytes-max high enough, the leader keeps that log instead and no snapshot is needed. Three real
 * nodes in this JVM (real sockets, WALs, snapshot files).
 */
class SnapshotBootstrapTest extends ThreeNodeClusterTest {
    private void startCluster(String retentionBytesMax) throws IOException {
        // Small segments and frequent snapshots, so that a few MB of writes delete log.
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "async").set("wal-segment-bytes", "1mb")
                .set("snapshot-after-log-bytes", "512kb").set("retention-bytes-max", retentionBytesMax)
                .set("lag-alert-bytes", "1mb").start();
    }

    /** n3 goes down after a first write; 15,000 SETs of 200 bytes (about 3.5 MB of log) follow. */
    private long writeWhileN3IsDown(Client leader) throws Exception {
        assertEquals("+OK", leader.call("SET", "early", "1").toString());
        assertEquals(":2", leader.call("WAIT", "2", "10000").toString());
        long n3Lsn = infoLong(leader, "master_repl_offset");
        cluster.stop(2);
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
        startCluster("0"); // keep nothing for replicas: n3 cannot catch up from the log
        try (Client leader = new Client(cluster.port(0))) {
            long n3Lsn = writeWhileN3IsDown(leader);
            await(() -> infoLong(leader, "wal_first_lsn") > n3Lsn + 1, "the leader deletes log n3 has not received");

            cluster.start(2);
            String digest = leader.call("TANDEM.DIGEST").toString();
            try (Client n3 = new Client(cluster.port(2))) {
                await(() -> digest.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 converges");
                // At least one: with retention-bytes-max 0, a snapshot the leader was still taking when n3 came
                // back can delete the log after the first one n3 installed, and n3 is bootstrapped again.
                long installed = infoLong(n3, "snapshots_installed");
                assertTrue(installed >= 1, "n3 was bootstrapped from a snapshot: " + installed);
                assertEquals(installed, infoLong(leader, "snapshot_transfers_completed"));
                // After the snapshot, the log streams: a new write reaches n3 too.
                assertEquals("+OK", leader.call("SET", "after", "snapshot").toString());
                await(() -> n3.callUnchecked("GET", "after").toString().equals("\"snapshot\""), "streaming resumes");
                assertEquals("\"" + "v".repeat(200) + "\"", n3.call("GET", "k7:77").toString());
            }
            // The installed snapshot survives a restart of n3: it recovers from it, not from an empty log.
            cluster.stop(2);
            cluster.start(2);
            try (Client n3 = new Client(cluster.port(2))) {
                String now = leader.call("TANDEM.DIGEST").toString();
                await(() -> now.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 converges after a restart");
                assertEquals(0, infoLong(n3, "snapshots_installed"), "no second snapshot was needed");
            }
        }
    }

    @Test
    void retentionKeepsTheLogAFollowerStillNeedsSoItCatchesUpWithoutASnapshot() throws Exception {
        startCluster("1gb");
        try (Client leader = new Client(cluster.port(0))) {
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

            cluster.start(2);
            String digest = leader.call("TANDEM.DIGEST").toString();
            try (Client n3 = new Client(cluster.port(2))) {
                await(() -> digest.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 catches up");
                assertEquals(0, infoLong(n3, "snapshots_installed"), "from the log, without a snapshot");
            }
            // Caught up, n3 no longer holds the log back: the leader deletes what its snapshot covers.
            await(() -> infoLong(leader, "wal_first_lsn") > n3Lsn + 1, "the leader releases the retained log");
        }
    }

    static long infoLong(Client client, String field) {
        String info = client.callUnchecked("INFO").toString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":(-?\\d+)").matcher(info.replace("\\r\\n", "\n").replace("\r", ""));
        if (!m.find()) {
            throw new AssertionError("INFO has no " + field + ": " + info);
        }
        return Long.parseLong(m.group(1));
    }

}
