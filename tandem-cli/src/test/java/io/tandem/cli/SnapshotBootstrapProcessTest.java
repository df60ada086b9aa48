package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes; a follower is killed with SIGKILL and held down while the leader writes a few MB,
 * takes snapshots and deletes the log (retention-bytes-max 0 keeps nothing for it). Started again on its
 * data directory, it cannot catch up from the leader's log: the leader streams it a snapshot, it installs
 * it, then follows the log, and ends with every acknowledged write and the leader's digest.
 */
class SnapshotBootstrapProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void aFollowerHeldDownPastRetentionIsBootstrappedFromASnapshot() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        // Failover by hand: the test needs n1 to lead throughout, and with elections (on by default with peers)
        // three JVMs starting side by side can take longer than an election timeout, so n2 or n3 may lead.
        String[] flags = {"--ack-policy", "async", "--wal-segment-bytes", "1mb", "--snapshot-after-log-bytes",
            "512kb", "--retention-bytes-max", "0", "--election-timeout-millis", "0"};
        NodeProcess[] started = new NodeProcess[3];
        for (int i = 0; i < 3; i++) {
            started[i] = nodes.launch(ReplicaSetArgs.name(i), tmp.resolve(ReplicaSetArgs.name(i)), set.node(i, flags));
        }
        NodeProcess n1 = started[0];
        int leaderPort = n1.awaitReady();
        started[1].awaitReady();
        started[2].awaitReady();
        try (RespConnection leader = new RespConnection(leaderPort)) {
            await(() -> "2".equals(leader.info("replication", "connected_slaves")), "both followers online");
            assertTrue(RespConnection.isOk(leader.call("SET", "before", "1")));
            await(() -> ":2".equals(leader.call("WAIT", "2", "1000").toString()), "both followers have it");
            started[2].kill9();
            long n3Lsn = Long.parseLong(leader.info("replication", "master_repl_offset"));

            // 15,000 SETs of 200 bytes: about 3.5 MB of log, several snapshots, the early segments deleted.
            String value = "v".repeat(200);
            for (int batch = 0; batch < 15; batch++) {
                List<String[]> commands = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    commands.add(new String[] {"SET", "k" + batch + ":" + i, value});
                }
                for (var reply : leader.pipeline(commands)) {
                    assertTrue(RespConnection.isOk(reply), reply.toString());
                }
            }
            await(() -> Long.parseLong(leader.info("persistence", "wal_first_lsn")) > n3Lsn + 1,
                    "the leader deletes log n3 has not received");
        }

        int leaderLogMark = n1.stderr().length();
        NodeProcess n3 = nodes.start("n3-restarted", tmp.resolve("n3"), set.node(2, flags));
        n1.awaitLogMatch(Pattern.compile("bootstrapping n3 from snapshot"), leaderLogMark, WAIT);
        n3.awaitLogMatch(Pattern.compile("installed the snapshot from n1 at LSN \\d+: \\d+ keys"), 0, WAIT);
        String digest = RespConnection.digest(leaderPort);
        await(() -> digest.equals(RespConnection.digest(n3.port())), "n3 converges to the leader's digest " + digest);
        try (RespConnection follower = new RespConnection(n3.port())) {
            assertEquals("\"1\"", follower.call("GET", "before").toString());
            assertEquals(200, follower.call("GET", "k14:999").toString().length() - 2);
            assertEquals("1", follower.info("persistence", "snapshots_installed"));
        }
        // After the snapshot the log streams again: a new write reaches n3.
        try (RespConnection leader = new RespConnection(leaderPort)) {
            assertTrue(RespConnection.isOk(leader.call("SET", "after", "snapshot")));
        }
        try (RespConnection follower = new RespConnection(n3.port())) {
            await(() -> "\"snapshot\"".equals(follower.call("GET", "after").toString()), "streaming after it");
        }
    }

    private static void await(Callable<Boolean> condition, String what) {
        Await.until(condition, what, WAIT);
    }
}
