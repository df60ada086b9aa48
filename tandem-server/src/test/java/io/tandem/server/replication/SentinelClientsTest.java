package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static io.tandem.server.replication.ThreeNodeCluster.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.tandem.server.TandemNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.JedisSentinelPool;

/**
 * Stock Sentinel-aware clients against three members with elections (quorum, heartbeat 100 ms, election timeout
 * 500 ms), each member's client port given to them as a "sentinel": they find the leader, read from followers,
 * and follow a failover with no code change, within a bound. Every write acknowledged before the leader went is
 * readable after.
 */
class SentinelClientsTest {
    /** How long a client may take to write on the new leader after the old one is gone. */
    private static final Duration FOLLOW_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private ThreeNodeCluster cluster;
    private final boolean[] running = new boolean[3];
    private RedisClient lettuce;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "quorum").set("heartbeat-interval-millis", "100")
                .set("election-timeout-millis", "500");
        cluster.start();
        java.util.Arrays.fill(running, true);
        lettuce = RedisClient.create();
    }

    @AfterEach
    void stop() {
        if (lettuce != null) {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyMemberAnswersTheSentinelApiWithTheLeaderAndItsReplicas() throws Exception {
        int leader = awaitLeaderKnownByAll();
        String leaderPort = Integer.toString(cluster.port(leader));
        for (int i = 0; i < 3; i++) {
            int index = i;
            // A leader learns a follower's client address when the follower subscribes (after an election, once it
            // notices the leader's directory lacks it); the others learn it from the leader's directory.
            await(() -> {
                try (Jedis sentinel = jedis(index)) {
                    return "2".equals(sentinel.sentinelMaster("tandem").get("num-slaves"));
                }
            }, "n" + (i + 1) + " knows both replicas");
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis sentinel = jedis(i)) {
                assertEquals(List.of("127.0.0.1", leaderPort), sentinel.sentinelGetMasterAddrByName("tandem"));
                assertNull(sentinel.sentinelGetMasterAddrByName("other"), "a nil array for another name");
                Map<String, String> master = sentinel.sentinelMaster("tandem");
                assertEquals("tandem", master.get("name"));
                assertEquals(leaderPort, master.get("port"));
                assertEquals("master", master.get("flags"));
                assertEquals("2", master.get("num-slaves"));
                assertEquals("2", master.get("num-other-sentinels"));
                assertEquals("2", master.get("quorum"));
                assertEquals(2, sentinel.sentinelSentinels("tandem").size());
                assertTrue(sentinel.sentinelMyId().matches("[0-9a-f]{40}"), sentinel.sentinelMyId());
            }
        }
        try (Jedis onLeader = jedis(leader)) {
            // The leader knows its followers' links: both up, each with its applied offset.
            // (The link is up as soon as a follower answers; its applied offset comes with its next answer.)
            await(() -> onLeader.sentinelReplicas("tandem").stream()
                    .allMatch(r -> "slave".equals(r.get("flags")) && "ok".equals(r.get("master-link-status"))
                            && Long.parseLong(r.get("slave-repl-offset")) >= 1),
                    "both followers are up as the leader sees them, each with an applied offset");
            List<Map<String, String>> replicas = onLeader.sentinelReplicas("tandem");
            assertEquals(2, replicas.size());
            for (Map<String, String> r : replicas) {
                assertEquals(r.get("ip") + ":" + r.get("port"), r.get("name"));
                assertEquals(leaderPort, r.get("master-port"));
                assertTrue(Long.parseLong(r.get("slave-repl-offset")) >= 1, r.toString());
            }
            assertEquals("ERR No such master with that name",
                    error(() -> onLeader.sentinelMaster("other")));
            assertEquals("ERR No such master with that name",
                    error(() -> onLeader.sentinelReplicas("other")));
            assertEquals("ERR unknown subcommand 'foo'. Try SENTINEL HELP.",
                    error(() -> onLeader.sendCommand(redis.clients.jedis.Protocol.Command.SENTINEL, "foo")));
        }
    }

    @Test
    void jedisSentinelPoolFindsTheLeaderAndFollowsAFailover() throws Exception {
        int leader = awaitLeaderKnownByAll();
        try (JedisSentinelPool pool = new JedisSentinelPool("tandem", sentinels())) {
            assertEquals(cluster.port(leader), pool.getCurrentHostMaster().getPort());
            for (int i = 0; i < 50; i++) {
                try (Jedis jedis = pool.getResource()) {
                    assertEquals("OK", jedis.set("j" + i, "v" + i)); // acknowledged by a majority (quorum)
                }
            }
            List<String> events = new CopyOnWriteArrayList<>();
            Thread listener = listen(survivor(leader), events);
            int oldPort = cluster.port(leader);

            killLeader(leader);
            int next = followWrites("JedisSentinelPool writes on the new leader", () -> {
                try (Jedis jedis = pool.getResource()) {
                    return "OK".equals(jedis.set("after-jedis", "yes"));
                }
            });
            assertEquals(cluster.port(next), pool.getCurrentHostMaster().getPort(), "the pool switched masters");
            int newPort = cluster.port(next);
            await(() -> events.stream().anyMatch(e -> e.equals("+switch-master tandem 127.0.0.1 " + oldPort
                    + " 127.0.0.1 " + newPort)), "+switch-master was published: " + events);
            listener.interrupt();
            try (Jedis jedis = pool.getResource()) {
                for (int i = 0; i < 50; i++) {
                    assertEquals("v" + i, jedis.get("j" + i), "acknowledged before the failover: j" + i);
                }
            }
        }
    }

    @Test
    void lettuceConnectsThroughTheSentinelsReadsFromAReplicaAndFollowsAFailover() throws Exception {
        int leader = awaitLeaderKnownByAll();
        RedisURI uri = RedisURI.create("redis-sentinel://127.0.0.1:" + cluster.port(0) + ",127.0.0.1:" + cluster.port(1)
                + ",127.0.0.1:" + cluster.port(2) + "?timeout=2s#tandem");
        try (StatefulRedisConnection<String, String> plain = lettuce.connect(uri);
                StatefulRedisMasterReplicaConnection<String, String> masterReplica =
                        MasterReplica.connect(lettuce, StringCodec.UTF8, uri)) {
            assertTrue(plain.sync().info("replication").contains("role:master"), "connected to the leader");
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", plain.sync().set("l" + i, "v" + i));
            }
            masterReplica.setReadFrom(ReadFrom.REPLICA_PREFERRED);
            assertEquals("OK", masterReplica.sync().set("greeting", "hello"));
            long before = followerGets(leader);
            for (int i = 0; i < 20; i++) {
                assertEquals("hello", masterReplica.sync().get("greeting")); // quorum: on a follower too... or
            }
            assertTrue(followerGets(leader) - before >= 20, "the GETs were served by followers");

            killLeader(leader);
            followWrites("Lettuce's sentinel connection writes on the new leader",
                    () -> "OK".equals(plain.sync().set("after-lettuce", "yes")));
            followWrites("Lettuce's MasterReplica writes on the new leader",
                    () -> "OK".equals(masterReplica.sync().set("after-master-replica", "yes")));
            for (int i = 0; i < 50; i++) {
                assertEquals("v" + i, plain.sync().get("l" + i), "acknowledged before the failover: l" + i);
            }
            assertEquals("yes", plain.sync().get("after-master-replica"));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** Waits until one node leads and every running node's SENTINEL answer names it; returns its index. */
    private int awaitLeaderKnownByAll() {
        return awaitValue(() -> {
            int leader = -1;
            for (int i = 0; i < 3; i++) {
                if (!running[i]) {
                    continue;
                }
                try (Jedis jedis = jedis(i)) {
                    if (jedis.info("replication").contains("role:master")) {
                        if (leader >= 0) {
                            return -1;
                        }
                        leader = i;
                    }
                }
            }
            if (leader < 0) {
                return -1;
            }
            String port = Integer.toString(cluster.port(leader));
            for (int i = 0; i < 3; i++) {
                if (running[i]) {
                    try (Jedis jedis = jedis(i)) {
                        List<String> address = jedis.sentinelGetMasterAddrByName("tandem");
                        if (address == null || !port.equals(address.get(1))) {
                            return -1;
                        }
                    }
                }
            }
            return leader;
        }, index -> index >= 0, "every member names the same leader");
    }

    private void killLeader(int leader) {
        cluster.stop(leader);
        running[leader] = false;
    }

    /** Retries a write until it succeeds, within FOLLOW_BOUND; returns the new leader's index. */
    private int followWrites(String what, Callable<Boolean> write) {
        long deadline = System.nanoTime() + FOLLOW_BOUND.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (write.call()) {
                    return awaitLeaderKnownByAll();
                }
            } catch (Exception e) {
                last = e; // the old leader is gone, or the new one not yet known: the client retries, as an app would
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError(what + ": not within " + FOLLOW_BOUND.toSeconds() + " s (last: " + last + ")", last);
    }

    /** Subscribes to every event on one member, as Lettuce's topology refresh does (PSUBSCRIBE *). */
    private Thread listen(int index, List<String> events) throws Exception {
        Jedis subscriber = jedis(index);
        JedisPubSub pubSub = new JedisPubSub() {
            @Override
            public void onPMessage(String pattern, String channel, String message) {
                events.add(channel + " " + message);
            }
        };
        Thread thread = new Thread(() -> {
            try {
                subscriber.psubscribe(pubSub, "*");
            } catch (RuntimeException ignored) {
                // closed at the end of the test
            } finally {
                subscriber.close();
            }
        }, "sentinel-events");
        thread.setDaemon(true);
        thread.start();
        await(() -> pubSub.isSubscribed(), "subscribed to the events of n" + (index + 1));
        return thread;
    }

    private int survivor(int leader) {
        return leader == 0 ? 1 : 0;
    }

    private long followerGets(int leader) throws Exception {
        long total = 0;
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                TandemNode follower = cluster.node(i);
                total += follower.onAgent(() -> follower.agent().stats().command("get").calls);
            }
        }
        return total;
    }

    private Set<String> sentinels() {
        Set<String> sentinels = new LinkedHashSet<>();
        for (int i = 0; i < 3; i++) {
            sentinels.add("127.0.0.1:" + cluster.port(i));
        }
        return sentinels;
    }

    private Jedis jedis(int index) {
        return new Jedis("127.0.0.1", cluster.port(index), 5_000);
    }

    private static String error(Runnable call) {
        try {
            call.run();
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }

    @SuppressWarnings("unused")
    private static List<String> copy(List<String> list) {
        return new ArrayList<>(list);
    }
}
