package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem status} against three real node processes: one row per node with its role, positions and
 * acknowledgement settings (a CONFIG SET on one node shows on its row only), and a node that does not answer
 * is shown as unreachable with a failing exit code.
 */
class StatusCommandTest {
    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void oneRowPerNodeWithItsRoleItsPositionsAndItsOwnAckSettings() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        // A generous ack timeout: on a loaded machine the first semi-sync write may wait for a follower's fsync.
        NodeProcess[] started = nodes.startReplicaSet(set, tmp, "--ack-policy", "semi-sync 1",
                "--ack-timeout-millis", "10000", "--election-timeout-millis", "0");
        int[] ports = {started[0].port(), started[1].port(), started[2].port()};
        try (RespConnection leader = new RespConnection(ports[0]); RespConnection n2 = new RespConnection(ports[1])) {
            Await.until(() -> leader.info("replication", "connected_slaves").equals("2"), "both followers online",
                    java.time.Duration.ofSeconds(60));
            assertTrue(RespConnection.isOk(leader.call("SET", "k", "v")));
            assertTrue(RespConnection.isOk(n2.call("CONFIG", "SET", "ack-policy", "first 1 (n3)")));
        }
        CliRun cli = new CliRun();
        assertEquals(0, cli.tandem("status", "--ports", ports[0] + "," + ports[1] + "," + ports[2]));
        List<String> lines = cli.out.toString().lines().toList();
        assertEquals(4, lines.size(), cli.out.toString());
        assertTrue(lines.get(0).startsWith("NODE   CLIENT"), lines.get(0));
        assertTrue(lines.get(0).contains("ACK POLICY / LEVEL"), lines.get(0));
        assertRow(lines.get(1), "n1", ports[0], "leader", "semi-sync 1 / durable", "2 followers online");
        assertRow(lines.get(2), "n2", ports[1], "follower", "first 1 (n3) / durable", "link up to n1");
        assertRow(lines.get(3), "n3", ports[2], "follower", "semi-sync 1 / durable", "link up to n1");
    }

    @Test
    void aNodeThatDoesNotAnswerIsShownUnreachableAndTheExitCodeSaysSo() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // free once closed: nothing listens there
        }
        CliRun cli = new CliRun();
        assertEquals(1, cli.tandem("status", "--ports", Integer.toString(closedPort)));
        String row = cli.out.toString().lines().toList().get(1);
        assertTrue(row.startsWith("?      127.0.0.1:" + closedPort), row);
        assertTrue(row.contains("unreachable: "), row);
    }

    private static void assertRow(String row, String node, int port, String role, String ack, String state) {
        assertTrue(row.startsWith(String.format("%-6s %-22s %-9s", node, "127.0.0.1:" + port, role)), row);
        assertTrue(row.contains(String.format(" %-24s %s", ack, state)), row);
    }
}
