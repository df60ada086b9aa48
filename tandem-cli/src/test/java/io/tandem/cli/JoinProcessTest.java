package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.net.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem node --join}: three node processes with the defaults (elections on) under {@code quorum}; a
 * fourth is started with an empty data directory and {@code --join} pointed at a follower. It is added
 * through the leader and bootstrapped, and from then on it is a voter like the others: when the leader is
 * killed with SIGKILL, the three left (a majority of four) elect one of themselves, and the new member
 * holds every acknowledged write.
 */
class JoinProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void aNodeStartedWithJoinBecomesAVoterThatOutlivesTheLeader() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        NodeProcess[] started = java.util.Arrays.copyOf(nodes.startReplicaSet(set, tmp, "--ack-policy", "quorum"), 4);
        int[] ports = new int[4];
        for (int i = 0; i < 3; i++) {
            ports[i] = started[i].port();
        }
        int first = Leaders.await(ports, List.of(0, 1, 2), WAIT);
        try (RespConnection leader = new RespConnection(ports[first])) {
            for (int i = 0; i < 100; i++) {
                assertEquals("+OK", leader.call("SET", "k" + i, "v" + i).toString());
            }
        }

        int peerPort = FreePorts.outsideEphemeralRange();
        int follower = first == 0 ? 1 : 0;
        started[3] = nodes.launch("n4", tmp.resolve("n4"), "--node-id", "n4", "--peer-port",
                Integer.toString(peerPort), "--ack-policy", "quorum", "--join", "127.0.0.1:" + ports[follower]);
        ports[3] = started[3].awaitReady();
        try (RespConnection n4 = new RespConnection(ports[3])) {
            Await.until(() -> n4.info("replication", "tandem_members").contains("n4=127.0.0.1:" + peerPort)
                    && "slave".equals(n4.info("replication", "role")), "n4 is a member and follows", WAIT);
            String digest = RespConnection.digest(ports[first]);
            Await.until(() -> digest.equals(RespConnection.digest(ports[3])), "n4 holds what the leader holds", WAIT);
        }

        started[first].kill9();
        List<Integer> survivors = List.of(0, 1, 2, 3).stream().filter(i -> i != first).toList();
        int second = Leaders.await(ports, survivors, WAIT);
        try (RespConnection newLeader = new RespConnection(ports[second])) {
            // Quorum of four voters: three acknowledgements, so every survivor, n4 among them, holds it.
            assertEquals("+OK", newLeader.call("SET", "after", "failover").toString());
            assertTrue(newLeader.info("replication", "tandem_members").contains("n4="), "n4 is still a member");
        }
        try (RespConnection n4 = new RespConnection(ports[3])) {
            Await.until(() -> "\"failover\"".equals(n4.call("GET", "after").toString()), "n4 has the write", WAIT);
            for (int i = 0; i < 100; i++) {
                assertEquals("\"v" + i + "\"", n4.call("GET", "k" + i).toString(), "acknowledged k" + i);
            }
        }
    }
}
