package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes in a chain: n1 leads, n2 follows n1, n3 follows n2 (--upstream n2). Writes reach n3
 * through n2; while n2 is killed with SIGKILL, n3 gets nothing new (and, under async, the leader goes on
 * acknowledging); once n2 is back on its data directory, both catch up and every node ends with the
 * leader's digest. Failover by hand: with elections n3 would follow the leader while n2 is down.
 */
class CascadingProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void aCascadedFollowerStopsWithItsRelayAndCatchesUpWhenTheRelayReturns() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        // Failover by hand, so that n3 has no other source while n2 is down: with elections, n3 would follow the
        // leader directly meanwhile (and go back to n2 once n2 follows it again: CascadingAfterElectionTest, and
        // docs/replication.md, Cascading), and an election while three JVMs start would move n3 around too.
        String[] flags = {"--ack-policy", "async", "--election-timeout-millis", "0"};
        NodeProcess n1 = nodes.launch("n1", tmp.resolve("n1"), set.node(0, flags));
        NodeProcess n2 = nodes.launch("n2", tmp.resolve("n2"), set.node(1, flags));
        NodeProcess n3 = nodes.launch("n3", tmp.resolve("n3"), set.node(2, "--ack-policy", "async", "--upstream", "n2",
                "--election-timeout-millis", "0"));
        int leaderPort = n1.awaitReady();
        n2.awaitReady();
        int n3Port = n3.awaitReady();
        try (RespConnection leader = new RespConnection(leaderPort); RespConnection follower = new RespConnection(n3Port)) {
            assertTrue(RespConnection.isOk(leader.call("SET", "k", "1")));
            await(() -> "\"1\"".equals(follower.call("GET", "k").toString()), "the write reaches n3 through n2");
            assertEquals(String.valueOf(n2.port()), follower.info("replication", "master_port"), "n3's master is n2");
            await(() -> leader.info("replication", "tandem_replica1").contains("state=relayed,via=n2"),
                    "the leader sees n3 through n2");

            n2.kill9();
            assertTrue(RespConnection.isOk(leader.call("SET", "k", "2")), "async: the leader acknowledges alone");
            long lastBefore = Long.parseLong(follower.info("replication", "slave_repl_offset"));
            // n3 has no other source. Until the leader has stopped hearing of n3 (five heartbeats without n2's
            // reports), n3 must have received nothing new.
            await(() -> leader.info("replication", "tandem_replica1").contains("state=disconnected"),
                    "the leader no longer hears of n3");
            assertEquals("\"1\"", follower.call("GET", "k").toString(), "nothing reaches n3 without its relay");
            assertEquals(lastBefore, Long.parseLong(follower.info("replication", "slave_repl_offset")));

            NodeProcess n2Again = nodes.start("n2-restarted", tmp.resolve("n2"), set.node(1, flags));
            await(() -> "\"2\"".equals(follower.call("GET", "k").toString()), "n3 catches up once n2 is back");
            String digest = RespConnection.digest(leaderPort);
            for (int port : new int[] {n2Again.port(), n3Port}) {
                await(() -> digest.equals(RespConnection.digest(port)),
                        "port " + port + " converges to the leader's digest");
            }
        }
    }

    private static void await(Callable<Boolean> condition, String what) {
        Await.until(condition, what, WAIT);
    }
}
