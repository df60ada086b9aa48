package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes under {@code quorum}: a writer loads the leader; one follower is killed with SIGKILL
 * mid-load; the leader keeps acknowledging (the other follower completes the quorum); the killed follower,
 * started again on its data directory, resubscribes from where its log ends (not from 0), catches up while the
 * load goes on, and ends with every acknowledged write and the same digest as the others.
 */
class FollowerKillNineTest {
    private static final int THREADS = 4;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern N3_SUBSCRIBED = Pattern.compile("FollowerSubscribed\\[follower=n3, fromLsn=(\\d+)]");
    private static final Pattern RECOVERED = Pattern.compile("log replayed \\d+ entries up to LSN (\\d+)");

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void aFollowerKilledUnderLoadCatchesUpFromItsLogWithEveryAcknowledgedWrite() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        // A generous acknowledgement timeout: a timed-out write would fail the load, and on a loaded machine
        // the surviving follower may be slow; what is tested is that the quorum is met, not how fast.
        // Failover by hand: the test needs n1 to lead throughout, and with elections (on by default with peers)
        // three JVMs starting side by side can take longer than an election timeout, so n2 or n3 may lead.
        String[] policy = {"--ack-policy", "quorum", "--ack-timeout-millis", "15000", "--election-timeout-millis", "0"};
        NodeProcess[] started = new NodeProcess[3];
        for (int i = 0; i < 3; i++) { // launched together: three JVMs start faster side by side
            started[i] = nodes.launch(ReplicaSetArgs.name(i), tmp.resolve(ReplicaSetArgs.name(i)), set.node(i, policy));
        }
        NodeProcess n1 = started[0];
        int leaderPort = n1.awaitReady();
        int n2Port = started[1].awaitReady();
        int n3Port = started[2].awaitReady();
        try (RespConnection leader = new RespConnection(leaderPort)) {
            await(() -> "2".equals(leader.info("replication", "connected_slaves")), "both followers online");
        }

        AckedWriteLoad load = new AckedWriteLoad(0, THREADS, leaderPort);
        load.awaitProgress(Duration.ofMillis(800), 20, WAIT);
        long n3DurableBeforeKill;
        try (RespConnection n3 = new RespConnection(n3Port)) {
            // Under quorum n2 alone completes each write; n3 may trail on a busy machine, but must hold some.
            await(() -> Long.parseLong(n3.info("replication", "tandem_durable_lsn")) > 0, "n3 replicates");
            n3DurableBeforeKill = Long.parseLong(n3.info("replication", "tandem_durable_lsn"));
        }
        started[2].kill9();
        System.out.println("n3 killed with its log durable up to LSN " + n3DurableBeforeKill + "; " + load.summary());

        // n1 and n2 are a majority: writes go on being acknowledged without n3.
        load.awaitMoreAcks(30, WAIT);
        long leaderLsnAtRestart;
        try (RespConnection leader = new RespConnection(leaderPort)) {
            leaderLsnAtRestart = Long.parseLong(leader.info("replication", "master_repl_offset"));
        }
        assertTrue(leaderLsnAtRestart > n3DurableBeforeKill, "the leader wrote on while n3 was down");

        int leaderLogMark = n1.stderr().length();
        NodeProcess n3Again = nodes.start("n3-restarted", tmp.resolve("n3"), set.node(2, policy));
        int n3AgainPort = n3Again.port();
        MatchResult recovered = n3Again.awaitLogMatch(RECOVERED, 0, WAIT);
        long recoveredLsn = Long.parseLong(recovered.group(1));
        assertTrue(recoveredLsn >= n3DurableBeforeKill, "n3 recovered its log only up to LSN " + recoveredLsn
                + ", but had " + n3DurableBeforeKill + " durable before the kill");
        MatchResult subscribed = n1.awaitLogMatch(N3_SUBSCRIBED, leaderLogMark, WAIT);
        long fromLsn = Long.parseLong(subscribed.group(1));
        assertTrue(fromLsn >= n3DurableBeforeKill, "n3 resubscribed from LSN " + fromLsn + ", not from the end of"
                + " its durable log (" + n3DurableBeforeKill + ")");
        System.out.println("n3 restarted: recovered its log up to LSN " + recoveredLsn + ", resubscribed from LSN "
                + fromLsn + " while the leader was at " + leaderLsnAtRestart);

        try (RespConnection n3 = new RespConnection(n3AgainPort)) {
            await(() -> Long.parseLong(n3.info("replication", "tandem_applied_lsn")) >= leaderLsnAtRestart,
                    "n3 catches up to where the leader was when it restarted, under load");
        }
        try (RespConnection leader = new RespConnection(leaderPort)) {
            // What Redis clients read to find replicas: the restarted n3 at its new client port, streaming.
            String n3Line = "id=n3,addr=127.0.0.1:" + n3AgainPort + ",state=streaming";
            await(() -> leader.info("replication", "tandem_replica1").startsWith(n3Line),
                    "the leader's INFO shows " + n3Line);
        }
        load.awaitMoreAcks(10, WAIT); // still acknowledging with all three members back
        load.stop();
        load.failIfAnyWriterFailed();
        load.failIfAnyWriterEnded();
        System.out.println("load stopped: " + load.summary());

        String digest = RespConnection.digest(leaderPort);
        for (int port : List.of(n2Port, n3AgainPort)) {
            await(() -> digest.equals(RespConnection.digest(port)),
                    "the follower on port " + port + " converges to the leader's digest " + digest);
        }
        for (int port : List.of(leaderPort, n2Port, n3AgainPort)) {
            long keys = AckedWriteLoad.verify(port, List.of(load));
            assertTrue(keys > 0);
        }
        try (RespConnection leader = new RespConnection(leaderPort)) {
            assertEquals("0", leader.info("replication", "tandem_degraded"));
        }
    }

    private static void await(Callable<Boolean> condition, String what) {
        Await.until(condition, what, WAIT);
    }
}
