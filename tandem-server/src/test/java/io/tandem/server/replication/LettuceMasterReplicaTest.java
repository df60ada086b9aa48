package io.tandem.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.server.net.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lettuce's MasterReplica finds the replicas from the leader's INFO replication (slaveN lines), sends
 * writes to the leader and, with ReadFrom.REPLICA, reads to the followers — no code change from Redis.
 */
class LettuceMasterReplicaTest {
    @TempDir
    Path dir;

    private final List<TandemNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(TandemNode::close);
    }

    @Test
    void masterReplicaDiscoversTheFollowersAndReadsFromThem() throws Exception {
        int[] peerPorts = new int[3];
        for (int i = 0; i < 3; i++) {
            peerPorts[i] = FreePorts.outsideEphemeralRange();
        }
        for (int i = 0; i < 3; i++) {
            Map<String, String> flags = new LinkedHashMap<>();
            flags.put("port", "0");
            flags.put("admin-port", "-1");
            flags.put("data-dir", dir.resolve("n" + (i + 1)).toString());
            flags.put("node-id", "n" + (i + 1));
            flags.put("peer-port", Integer.toString(peerPorts[i]));
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    peers.add("n" + (j + 1) + "=127.0.0.1:" + peerPorts[j]);
                }
            }
            flags.put("peers", String.join(",", peers));
            if (i > 0) {
                flags.put("replica-of", "n1");
            }
            flags.put("ack-policy", "all");
            nodes.add(TandemNode.start(NodeConfigLoader.load(flags, Map.of(), null)));
        }
        RedisClient client = RedisClient.create();
        try {
            RedisURI leader = RedisURI.create("redis://127.0.0.1:" + nodes.get(0).port());
            // The followers must be online in the leader's INFO before Lettuce reads its topology.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            try (var probe = client.connect(leader)) {
                while (!probe.sync().info("replication").contains("connected_slaves:2")) {
                    assertTrue(System.nanoTime() < deadline, "followers never came online");
                    Thread.sleep(20); // polling a condition with a deadline
                }
            }
            try (StatefulRedisMasterReplicaConnection<String, String> connection =
                         MasterReplica.connect(client, StringCodec.UTF8, leader)) {
                connection.setReadFrom(ReadFrom.REPLICA);
                assertEquals("OK", connection.sync().set("greeting", "hello")); // under "all": on every follower
                long before = followerCommands();
                for (int i = 0; i < 20; i++) {
                    assertEquals("hello", connection.sync().get("greeting"));
                }
                assertTrue(followerCommands() - before >= 20, "the GETs were served by the followers");
            }
        } finally {
            client.shutdown();
        }
    }

    /** GETs the followers have served, read on each follower's own agent thread. */
    private long followerCommands() throws Exception {
        long total = 0;
        for (TandemNode follower : nodes.subList(1, 3)) {
            total += follower.onAgent(() -> follower.agent().stats().command("get").calls);
        }
        return total;
    }
}
