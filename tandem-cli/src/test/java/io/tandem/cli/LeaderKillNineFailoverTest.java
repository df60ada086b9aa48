package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic failover with three node processes under {@code quorum}: the leader is killed with SIGKILL; within
 * a bound one of the others leads a higher term, takes writes and holds every write acknowledged before the
 * kill; the old leader, started again on its data, follows the new one and converges.
 */
class LeaderKillNineFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long the cluster may take to elect a new leader once the old one is dead. */
    private static final Duration ELECTION_BOUND = Duration.ofSeconds(10);
    private static final int WRITES = 300;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void aKilledLeaderIsReplacedByAnElectedOneThatHoldsEveryAcknowledgedWrite() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        String[] args = {"--ack-policy", "quorum", "--ack-timeout-millis", "15000", "--heartbeat-interval-millis",
                "100", "--election-timeout-millis", "500"};
        NodeProcess[] started = nodes.startReplicaSet(set, tmp, args);
        int[] ports = java.util.Arrays.stream(started).mapToInt(NodeProcess::port).toArray();
        // n1 leads term 1 on a new replica set, unless it stepped down before hearing from a majority (three
        // JVMs starting side by side can take longer than an election timeout): then another leads a later term.
        int first = Leaders.await(ports, List.of(0, 1, 2), WAIT);
        long firstTerm;
        try (RespConnection leader = new RespConnection(ports[first])) {
            for (int i = 0; i < WRITES; i++) {
                assertEquals("+OK", leader.call("SET", "k" + i, "v" + i).toString(), "write " + i);
            }
            firstTerm = Long.parseLong(leader.info("replication", "tandem_term"));
        }

        started[first].kill9();
        long killedNanos = System.nanoTime();
        List<Integer> survivors = List.of(0, 1, 2).stream().filter(i -> i != first).toList();
        int second = Leaders.await(ports, survivors, ELECTION_BOUND);
        System.out.println(ReplicaSetArgs.name(second) + " elected " + (System.nanoTime() - killedNanos) / 1_000_000
                + " ms after " + ReplicaSetArgs.name(first) + " was killed");
        int newLeaderPort = ports[second];
        try (RespConnection newLeader = new RespConnection(newLeaderPort)) {
            assertTrue(Long.parseLong(newLeader.info("replication", "tandem_term")) > firstTerm, "a higher term");
            for (int i = 0; i < WRITES; i++) {
                assertEquals("\"v" + i + "\"", newLeader.call("GET", "k" + i).toString(), "acknowledged k" + i);
            }
            // Quorum with two of three: acknowledged once the other survivor has it.
            assertEquals("+OK", newLeader.call("SET", "after", "failover").toString());
        }

        String name = ReplicaSetArgs.name(first);
        NodeProcess again = nodes.start(name + "-restarted", tmp.resolve(name), set.node(first, args));
        int againPort = again.port();
        String leaderId = ReplicaSetArgs.name(second);
        String digest = RespConnection.digest(newLeaderPort);
        try (RespConnection old = new RespConnection(againPort)) {
            await(() -> "slave".equals(old.info("replication", "role"))
                    && leaderId.equals(old.info("replication", "tandem_leader"))
                    && digest.equals(RespConnection.digest(againPort)), "the old leader follows " + leaderId
                    + " and converges", WAIT);
            assertEquals("\"failover\"", old.call("GET", "after").toString());
        }
        for (int i : survivors) {
            int port = ports[i];
            await(() -> digest.equals(RespConnection.digest(port)), "every member converges", WAIT);
        }
    }

    private static void await(Callable<Boolean> condition, String what, Duration timeout) {
        Await.until(condition, what, timeout);
    }
}
