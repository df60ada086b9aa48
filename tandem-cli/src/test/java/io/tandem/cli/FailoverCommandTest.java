package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem failover --to NODE} against three node processes under {@code async}, the policy whose
 * writes a crash of the leader could lose: a planned switchover loses none of them.
 */
class FailoverCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WRITES = 300;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    private final CliRun cli = new CliRun();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int tandem(String... args) {
        return cli.tandem(args);
    }

    @Test
    void aSwitchoverToANamedMemberLosesNoAcknowledgedWrite() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        String[] args = {"--ack-policy", "async", "--heartbeat-interval-millis", "100", "--election-timeout-millis",
            "500"};
        int[] ports = new int[3];
        NodeProcess[] started = new NodeProcess[3];
        for (int i = 0; i < 3; i++) {
            started[i] = nodes.launch(ReplicaSetArgs.name(i), tmp.resolve(ReplicaSetArgs.name(i)), set.node(i, args));
        }
        for (int i = 0; i < 3; i++) {
            ports[i] = started[i].awaitReady();
        }
        String portList = IntStream.of(ports).mapToObj(Integer::toString).collect(Collectors.joining(","));
        int[] leader = {-1};
        Await.until(() -> {
            for (int i = 0; i < 3; i++) {
                try (RespConnection node = new RespConnection(ports[i])) {
                    if ("master".equals(node.info("replication", "role"))
                            && "2".equals(node.info("replication", "connected_slaves"))) {
                        leader[0] = i;
                        return true;
                    }
                }
            }
            return false;
        }, "a leader with both followers connected", WAIT);
        int target = (leader[0] + 2) % 3;
        try (RespConnection node = new RespConnection(ports[leader[0]])) {
            for (int i = 0; i < WRITES; i++) {
                assertEquals("+OK", node.call("SET", "k" + i, "v" + i).toString(), "write " + i);
            }
        }

        assertEquals(1, tandem("failover", "--to", "n9", "--ports", portList));
        assertTrue(err.toString().contains("no node on 127.0.0.1 [" + portList.replace(",", ", ") + "] is n9"),
                err.toString());

        String name = ReplicaSetArgs.name(target);
        assertEquals(0, tandem("failover", "--to", name, "--ports", portList), err.toString());
        assertTrue(out.toString().contains(name + " leads term "), out.toString());
        try (RespConnection node = new RespConnection(ports[target])) {
            assertEquals("master", node.info("replication", "role"));
            for (int i = 0; i < WRITES; i++) {
                assertEquals("\"v" + i + "\"", node.call("GET", "k" + i).toString(), "acknowledged k" + i);
            }
        }
        try (RespConnection old = new RespConnection(ports[leader[0]])) {
            Await.until(() -> "slave".equals(old.info("replication", "role"))
                    && name.equals(old.info("replication", "tandem_leader")), "the old leader follows " + name, WAIT);
            assertEquals("0", old.info("replication", "tandem_rewinds"), "nothing of the old leader's is rolled back");
        }
    }
}
