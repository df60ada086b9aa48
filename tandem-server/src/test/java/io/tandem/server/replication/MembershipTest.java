package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.ConfigException;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.server.net.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Members added and removed at run time with real nodes in this JVM (real sockets, WALs, snapshots, Jedis):
 * a fourth node started with {@code join} pointed at a follower is added through the leader, bootstrapped
 * from a snapshot (the leader's log no longer starts at 1), follows the log, survives a restart, and leaves
 * when removed.
 */
class MembershipTest {
    private static final ProtocolCommand MEMBERS = () -> "TANDEM.MEMBERS".getBytes(StandardCharsets.US_ASCII);
    private static final ProtocolCommand DIGEST = () -> "TANDEM.DIGEST".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private ThreeNodeCluster cluster;
    private TandemNode n4;

    @AfterEach
    void stop() {
        if (n4 != null) {
            n4.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster() throws Exception {
        // Small segments and frequent snapshots, so that the writes below delete the start of the log.
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "quorum").set("heartbeat-interval-millis", "100")
                .set("election-timeout-millis", "500").set("wal-segment-bytes", "1mb")
                .set("snapshot-after-log-bytes", "512kb").set("retention-bytes-max", "0").start();
        await(() -> "master".equals(role(cluster.port(0))), "n1 leads the new replica set");
    }

    private NodeConfig n4Config(int joinPort, int peerPort) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("port", "0");
        flags.put("admin-port", "-1");
        flags.put("data-dir", dir.resolve("n4").toString());
        flags.put("node-id", "n4");
        flags.put("peer-port", Integer.toString(peerPort));
        flags.put("join", "127.0.0.1:" + joinPort);
        flags.put("ack-policy", "quorum");
        flags.put("heartbeat-interval-millis", "100");
        flags.put("election-timeout-millis", "500");
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    @Test
    void aJoiningNodeIsAddedBootstrappedFromASnapshotSurvivesARestartAndLeavesWhenRemoved() throws Exception {
        startCluster();
        try (Jedis leader = jedis(cluster.port(0))) {
            String value = "v".repeat(200);
            Pipeline pipeline = leader.pipelined();
            for (int i = 0; i < 15_000; i++) { // about 3.5 MB of log: snapshots, and the first segments deleted
                pipeline.set("k" + i, value);
            }
            pipeline.sync();
        }
        int peerPort = FreePorts.outsideEphemeralRange();
        // Pointed at a follower: it answers with the leader's address, and n4 asks there.
        n4 = TandemNode.start(n4Config(cluster.port(1), peerPort));
        int n4Port = n4.port();
        await(() -> members(cluster.port(0)).contains("n4 127.0.0.1:" + peerPort + " voter"),
                "the leader lists n4 as a voting member");
        await(() -> digest(n4Port).equals(digest(cluster.port(0))), "n4 holds what the leader holds");
        assertTrue(members(n4Port).startsWith("n1 127.0.0.1:"), "n4 learned every member: " + members(n4Port));
        assertEquals(members(cluster.port(0)), members(n4Port));
        try (Jedis leader = jedis(cluster.port(0))) {
            assertEquals("OK", leader.set("after-join", "1")); // a quorum of four now: three acknowledgements
        }
        await(() -> "1".equals(get(n4Port, "after-join")), "n4 follows the log after its bootstrap");

        // Restarted, it knows the members from its own snapshot and log: no join again, it simply follows.
        n4.close();
        n4 = TandemNode.start(n4Config(cluster.port(1), peerPort));
        int restartedPort = n4.port();
        try (Jedis leader = jedis(cluster.port(0))) {
            assertEquals("OK", leader.set("after-restart", "1"));
        }
        await(() -> "1".equals(get(restartedPort, "after-restart")), "n4 follows again after a restart");
        await(() -> {
            try (Jedis leader = jedis(cluster.port(0))) {
                return leader.info("replication").contains("port=" + restartedPort + ",state=online");
            }
        }, "the leader shows n4 at the client port it came back on");
        assertEquals(members(cluster.port(0)), members(restartedPort));

        try (Jedis leader = jedis(cluster.port(0))) {
            assertEquals("OK", leader.sendCommand(MEMBERS, "REMOVE", "n4") instanceof byte[] b
                    ? new String(b, StandardCharsets.UTF_8) : "OK");
        }
        await(() -> !members(restartedPort).contains("n4 "), "n4 learns that it was removed");
        assertTrue(!members(cluster.port(0)).contains("n4 "), members(cluster.port(0)));
        await(() -> "2".equals(info(cluster.port(0), "connected_slaves")), "the leader streams to two followers");
        // Clients are no longer sent to it: no member lists it among the replicas (the Sentinel API).
        for (int member = 0; member < 3; member++) {
            int port = cluster.port(member);
            await(() -> !sentinelReplicas(port).contains("\n" + restartedPort + "\n")
                    && !sentinelReplicas(port).contains("\n" + n4Port + "\n"),
                    "n" + (member + 1) + " no longer lists n4 as a replica");
        }
    }

    @Test
    void badChangesAreRefusedWithTheReasonAndChangeNothing() throws Exception {
        startCluster();
        String before = members(cluster.port(0));
        try (Jedis leader = jedis(cluster.port(0)); Jedis follower = jedis(cluster.port(1))) {
            assertEquals("ERR peer address of n4 'nowhere' is not host:port", refusal(leader, "ADD", "n4", "nowhere"));
            assertEquals("ERR invalid node id \"n 4\": character U+0020 at position 2 is not allowed (use letters, digits,"
                    + " '-', '_' and '.')", refusal(leader, "ADD", "n 4", "127.0.0.1:1"));
            assertEquals("ERR n2 is already a member", refusal(leader, "ADD", "n2", "127.0.0.1:1"));
            assertEquals("ERR n9 is not a member", refusal(leader, "REMOVE", "n9"));
            assertTrue(refusal(leader, "REMOVE", "n1").startsWith("ERR n1 leads: hand leadership to another member"));
            assertEquals("ERR unknown subcommand 'JOIN'; use LIST, ADD, REMOVE, PROMOTE or DEMOTE",
                    refusal(leader, "JOIN"));
            assertEquals("ERR wrong number of arguments: TANDEM.MEMBERS REMOVE id", refusal(leader, "REMOVE"));
            assertEquals("READONLY membership changes are made on the leader; the leader is n1 at 127.0.0.1:"
                    + cluster.port(0), refusal(follower, "REMOVE", "n3"));
        }
        assertEquals(before, members(cluster.port(0)));
        assertEquals(before, members(cluster.port(2)));
    }

    @Test
    void aMemberIsShownAndAddedAtItsAnnouncedIp() throws Exception {
        // n2 announces 127.0.0.2 (loopback too, but not what it binds): the leader shows that address, as
        // Redis shows a replica's replica-announce-ip; it is display and directory only, the peers' own
        // configuration says where to connect.
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "quorum").setOn(1, "announce-ip", "127.0.0.2").start();
        await(() -> "master".equals(role(cluster.port(0))), "n1 leads");
        int n2Port = cluster.port(1);
        await(() -> {
            try (Jedis leader = jedis(cluster.port(0))) {
                return leader.info("replication").contains("ip=127.0.0.2,port=" + n2Port + ",state=online");
            }
        }, "the leader shows n2 at its announced address");
    }

    @Test
    void joinIsCheckedAtStartWithAnErrorThatNamesTheKey() {
        Map<String, String> flags = new LinkedHashMap<>(Map.of("node-id", "n4", "port", "0", "join", "127.0.0.1:7001",
                "election-timeout-millis", "500", "peers", "n1=127.0.0.1:27001"));
        ConfigException peers = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(flags, Map.of(), null));
        assertTrue(peers.getMessage().contains("join") && peers.getMessage().contains("leave peers and replica-of"),
                peers.getMessage());
        flags.remove("peers");
        flags.put("election-timeout-millis", "0");
        ConfigException manual = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(flags, Map.of(), null));
        assertTrue(manual.getMessage().contains("needs elections"), manual.getMessage());
        flags.put("election-timeout-millis", "500");
        flags.put("join", "localhost");
        ConfigException address = assertThrows(ConfigException.class, () -> NodeConfigLoader.load(flags, Map.of(), null));
        assertTrue(address.getMessage().contains("not host:port"), address.getMessage());
    }

    private static String refusal(Jedis jedis, String... args) {
        return assertThrows(JedisDataException.class, () -> jedis.sendCommand(MEMBERS, args)).getMessage();
    }

    /** TANDEM.MEMBERS as lines "id address voter|nonvoting", by id. */
    @SuppressWarnings("unchecked")
    private static String members(int port) {
        try (Jedis jedis = jedis(port)) {
            List<String> lines = new ArrayList<>();
            for (Object row : (List<Object>) jedis.sendCommand(MEMBERS)) {
                List<String> fields = new ArrayList<>();
                for (Object field : (List<Object>) row) {
                    fields.add(new String((byte[]) field, StandardCharsets.UTF_8));
                }
                lines.add(String.join(" ", fields));
            }
            return String.join("\n", lines);
        }
    }

    /** SENTINEL REPLICAS tandem, flattened: every field of every replica on a line of its own. */
    @SuppressWarnings("unchecked")
    private static String sentinelReplicas(int port) {
        try (Jedis jedis = jedis(port)) {
            StringBuilder text = new StringBuilder("\n");
            for (Object replica : (List<Object>) jedis.sendCommand(() -> "SENTINEL".getBytes(StandardCharsets.US_ASCII),
                    "REPLICAS", "tandem")) {
                for (Object field : (List<Object>) replica) {
                    text.append(new String((byte[]) field, StandardCharsets.UTF_8)).append('\n');
                }
            }
            return text.toString();
        }
    }

    private static Jedis jedis(int port) {
        return new Jedis("127.0.0.1", port, 5_000);
    }

    private static String role(int port) {
        return info(port, "role");
    }

    private static String get(int port, String key) {
        try (Jedis jedis = jedis(port)) {
            return jedis.get(key);
        }
    }

    private static String digest(int port) {
        try (Jedis jedis = jedis(port)) {
            return new String((byte[]) jedis.sendCommand(DIGEST), StandardCharsets.UTF_8);
        }
    }

    private static String info(int port, String field) {
        try (Jedis jedis = jedis(port)) {
            for (String line : jedis.info("replication").split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1);
                }
            }
            return null;
        }
    }
}
