package io.tandem.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes on loopback (in this JVM, real sockets and WALs): a leader and two followers
 * replicate under a quorum policy, followers serve reads and refuse writes, and a follower that was down
 * catches up from where its log ended.
 */
class ThreeNodeReplicationTest {
    @TempDir
    Path dir;

    private final List<TandemNode> nodes = new ArrayList<>();
    private final int[] peerPorts = new int[3];
    private String replicationFormat = "row";

    @AfterEach
    void stop() {
        nodes.forEach(TandemNode::close);
    }

    private NodeConfig config(int index, String ackPolicy) {
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
        flags.put("ack-policy", ackPolicy);
        flags.put("ack-timeout-millis", "5000");
        flags.put("replication-format", replicationFormat);
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    private void startCluster(String ackPolicy) throws IOException {
        for (int i = 0; i < 3; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                peerPorts[i] = probe.getLocalPort();
            }
        }
        for (int i = 0; i < 3; i++) {
            nodes.add(TandemNode.start(config(i, ackPolicy)));
        }
    }

    @Test
    void writesOnTheLeaderReachEveryFollowerUnderQuorum() throws Exception {
        startCluster("quorum");
        try (Client leader = new Client(nodes.get(0).port())) {
            for (int i = 0; i < 500; i++) {
                leader.send("SET", "k" + i, "v" + i);
            }
            leader.send("HSET", "h", "f", "1");
            leader.send("SADD", "s", "a", "b");
            for (int i = 0; i < 502; i++) {
                RespValue reply = leader.read();
                assertTrue(reply.toString().equals("+OK") || reply.toString().startsWith(":"), reply.toString());
            }
            String digest = leader.call("TANDEM.DIGEST").toString();
            for (int i = 1; i < 3; i++) {
                try (Client follower = new Client(nodes.get(i).port())) {
                    await(() -> digest.equals(follower.callUnchecked("TANDEM.DIGEST").toString()),
                            "n" + (i + 1) + " converges to the leader's digest");
                    assertEquals("\"v42\"", follower.call("GET", "k42").toString());
                    assertEquals("-READONLY You can't write against a read only replica.",
                            follower.call("SET", "k", "v").toString());
                }
            }
        }
    }

    @Test
    void aFollowerThatWasDownCatchesUpFromItsLog() throws Exception {
        startCluster("semi-sync 1");
        try (Client leader = new Client(nodes.get(0).port())) {
            for (int i = 0; i < 100; i++) {
                assertEquals("+OK", leader.call("SET", "a" + i, "x").toString());
            }
            nodes.get(2).close(); // n3 goes away; semi-sync 1 still has n2
            for (int i = 0; i < 100; i++) {
                assertEquals("+OK", leader.call("SET", "b" + i, "y").toString());
            }
            nodes.set(2, TandemNode.start(config(2, "semi-sync 1")));
            String digest = leader.call("TANDEM.DIGEST").toString();
            try (Client n3 = new Client(nodes.get(2).port())) {
                await(() -> digest.equals(n3.callUnchecked("TANDEM.DIGEST").toString()), "n3 catches up after restart");
                assertEquals("\"y\"", n3.call("GET", "b99").toString());
            }
        }
    }

    @Test
    void infoReplicationAndRoleDescribeTheSetAsRedisDoes() throws Exception {
        startCluster("quorum");
        int leaderPort = nodes.get(0).port();
        try (Client leader = new Client(leaderPort); Client n2 = new Client(nodes.get(1).port())) {
            assertEquals("+OK", leader.call("SET", "k", "v").toString());
            await(() -> leader.callUnchecked("INFO", "replication").toString().contains("connected_slaves:2"),
                    "both followers online");
            String info = leader.call("INFO", "replication").toString();
            assertTrue(info.contains("role:master"), info);
            assertTrue(info.contains("slave0:ip=127.0.0.1,port=" + nodes.get(1).port() + ",state=online,offset="), info);
            assertTrue(info.contains("slave1:ip=127.0.0.1,port=" + nodes.get(2).port() + ",state=online,offset="), info);
            assertTrue(info.contains("tandem_replica0:id=n2,addr=127.0.0.1:" + nodes.get(1).port() + ",state=streaming"),
                    info);
            String role = leader.call("ROLE").toString();
            assertTrue(role.startsWith("[\"master\", :"), role);
            assertTrue(role.contains("[\"127.0.0.1\", \"" + nodes.get(1).port() + "\", "), role);

            await(() -> n2.callUnchecked("INFO", "replication").toString().contains("master_link_status:up"),
                    "n2's link to its master is up");
            String followerInfo = n2.call("INFO", "replication").toString();
            assertTrue(followerInfo.contains("role:slave"), followerInfo);
            assertTrue(followerInfo.contains("master_host:127.0.0.1"), followerInfo);
            assertTrue(followerInfo.contains("master_port:" + leaderPort), followerInfo);
            assertEquals("[\"slave\", \"127.0.0.1\", :" + leaderPort + ", \"connected\", :1]",
                    n2.call("ROLE").toString());
        }
    }

    @Test
    void tokensWaitAndStalenessBounds() throws Exception {
        startCluster("async");
        try (Client leader = new Client(nodes.get(0).port()); Client n2 = new Client(nodes.get(1).port())) {
            assertEquals("(nil)", leader.call("TANDEM.LSN").toString(), "no write yet");
            assertEquals("+OK", leader.call("SET", "k", "v1").toString());
            String token = leader.call("TANDEM.LSN").toString().replace("\"", "");
            assertTrue(token.matches("1:\\d+"), token);
            assertEquals(":2", leader.call("WAIT", "2", "10000").toString(), "both followers apply it");
            assertEquals("+OK", n2.call("TANDEM.WAITLSN", token, "10000").toString());
            assertEquals("\"v1\"", n2.call("GET", "k").toString(), "read-your-writes through the token");
            assertTrue(n2.call("WAIT", "1", "0").toString().startsWith("-ERR WAIT cannot be used with replica"));
            assertEquals("-ERR invalid token 'x': expected term:lsn as TANDEM.LSN returns",
                    n2.call("TANDEM.WAITLSN", "x", "10").toString());
            assertTrue(n2.call("TANDEM.WAITLSN", "1:999999", "50").toString().startsWith("-TIMEOUT LSN 999999"));

            assertEquals("+OK", n2.call("TANDEM.MAXSTALENESS", "60000").toString());
            assertEquals("\"v1\"", n2.call("GET", "k").toString(), "well within a minute of its leader");
            nodes.get(0).close(); // the leader is gone: n2 cannot know what it misses any more
            assertEquals("+OK", n2.call("TANDEM.MAXSTALENESS", "300").toString());
            await(() -> n2.callUnchecked("GET", "k").toString().startsWith("-STALE this replica may be"),
                    "reads refused once n2 lags more than 300 ms behind what it knows of its leader");
            assertEquals("+OK", n2.call("TANDEM.MAXSTALENESS", "0").toString());
            assertEquals("\"v1\"", n2.call("GET", "k").toString(), "no bound, the stale value is served");
        }
    }

    @Test
    void replicaofPromotesAFollowerAndRepointsTheOthers() throws Exception {
        startCluster("async");
        try (Client n1 = new Client(nodes.get(0).port()); Client n2 = new Client(nodes.get(1).port());
                Client n3 = new Client(nodes.get(2).port())) {
            assertEquals("+OK", n1.call("SET", "before", "1").toString());
            assertEquals(":2", n1.call("WAIT", "2", "10000").toString(), "everything replicated before the switch");
            // Switchover by hand, the Redis way: promote n2, point n3 and the old leader n1 at it.
            assertEquals("+OK", n2.call("REPLICAOF", "NO", "ONE").toString());
            assertTrue(n2.call("ROLE").toString().startsWith("[\"master\""));
            assertEquals("+OK", n2.call("SET", "after", "2").toString());
            String n2Address = "127.0.0.1";
            String n2Port = Integer.toString(nodes.get(1).port());
            assertEquals("+OK", n3.call("REPLICAOF", n2Address, n2Port).toString());
            assertEquals("+OK", n1.call("REPLICAOF", n2Address, n2Port).toString());
            String digest = n2.call("TANDEM.DIGEST").toString();
            for (Client follower : List.of(n1, n3)) {
                await(() -> digest.equals(follower.callUnchecked("TANDEM.DIGEST").toString()),
                        "a re-pointed node follows the new leader");
                assertEquals("\"2\"", follower.call("GET", "after").toString());
                assertEquals("-READONLY You can't write against a read only replica.",
                        follower.call("SET", "x", "y").toString());
            }
            String info = n1.call("INFO", "replication").toString();
            assertTrue(info.contains("tandem_term:2"), "the old leader adopted the new term: " + info);
            assertEquals("-ERR value is not an integer or out of range", n1.call("REPLICAOF", "h", "p").toString());
            assertTrue(n1.call("REPLICAOF", "10.9.9.9", "1").toString().startsWith("-ERR no member of this replica set"));
        }
    }

    @Test
    void statementFormatDivergesOnSpopWhereRowFormatDoesNot() throws Exception {
        for (String format : List.of("row", "statement")) {
            nodes.forEach(TandemNode::close);
            nodes.clear();
            replicationFormat = format;
            dir = dir.resolve(format);
            startCluster("all");
            try (Client leader = new Client(nodes.get(0).port()); Client n2 = new Client(nodes.get(1).port())) {
                List<String> sadd = new ArrayList<>(List.of("SADD", "s"));
                for (int i = 0; i < 50; i++) {
                    sadd.add("m" + i);
                }
                leader.call(sadd.toArray(new String[0]));
                for (int i = 0; i < 10; i++) {
                    assertTrue(leader.call("SPOP", "s").toString().startsWith("\"m"));
                }
                assertEquals(":2", leader.call("WAIT", "2", "10000").toString());
                String leaderDigest = leader.call("TANDEM.DIGEST").toString();
                String followerDigest = n2.call("TANDEM.DIGEST").toString();
                assertEquals(":40", n2.call("SCARD", "s").toString());
                if (format.equals("row")) {
                    assertEquals(leaderDigest, followerDigest, "row: the follower removed the members the leader popped");
                } else {
                    assertTrue(!leaderDigest.equals(followerDigest), "statement: the follower popped its own picks");
                }
            }
        }
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline, not waiting for a fixed time
        }
    }

    /** A blocking RESP client over one socket. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final RespCommandWriter out;
        private final RespValueReader in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = new RespCommandWriter(socket.getOutputStream());
            in = new RespValueReader(socket.getInputStream());
        }

        void send(String... args) throws IOException {
            out.write(args);
        }

        RespValue read() throws IOException {
            out.flush();
            return in.read();
        }

        RespValue call(String... args) throws IOException {
            send(args);
            return read();
        }

        RespValue callUnchecked(String... args) {
            try {
                return call(args);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
