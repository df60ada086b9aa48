package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Each acknowledgement policy and level on three real nodes, driven by real clients: writes of every type
 * through Lettuce (sync API) and Jedis (one by one and pipelined) reach both followers (their
 * {@code TANDEM.DIGEST} equals the leader's), and under every policy but {@code async} a write acknowledged
 * to the client is already, at that moment, at the level on as many followers as the policy promises.
 *
 * <p>Why that last check has no race: a follower's positions only grow (received LSN, durable LSN, what its
 * reads show), so whatever held when the leader replied still holds when the test looks right after the
 * reply. A follower seen without the write can only mean it did not have it when the reply was sent.
 */
class AckModesWithClientsTest {
    /** Writes checked one by one against the followers right after their reply. */
    private static final int OBSERVED_WRITES = 30;
    private static final ProtocolCommand TANDEM_LSN = () -> "TANDEM.LSN".getBytes(StandardCharsets.US_ASCII);
    private static final ProtocolCommand TANDEM_DIGEST = () -> "TANDEM.DIGEST".getBytes(StandardCharsets.US_ASCII);

    private static RedisClient lettuce;

    @TempDir
    Path dir;

    private ThreeNodeCluster cluster;

    /**
     * A policy at a level, and what it promises: given how many of n2 and n3 have an acknowledged write at
     * the level, and whether n2 is one of them (for {@code first 1 (n2)}), is the promise kept?
     */
    record Mode(String policy, String level, String promise, Promise kept) {
        @Override
        public String toString() {
            return policy + " at " + level + " (" + promise + ")";
        }
    }

    @FunctionalInterface
    interface Promise {
        boolean kept(boolean n2Has, boolean n3Has);
    }

    static Stream<Mode> modes() {
        Promise none = (n2, n3) -> true;
        Promise one = (n2, n3) -> n2 || n3;
        Promise both = (n2, n3) -> n2 && n3;
        Promise n2Itself = (n2, n3) -> n2;
        return Stream.of(
                new Mode("async", "durable", "no follower needed", none),
                new Mode("semi-sync 1", "durable", "at least one follower", one),
                new Mode("quorum", "received", "at least one follower: 2 of 3 with the leader", one),
                new Mode("quorum", "durable", "at least one follower: 2 of 3 with the leader", one),
                new Mode("quorum", "applied", "at least one follower: 2 of 3 with the leader", one),
                new Mode("all", "durable", "both followers", both),
                new Mode("all", "applied", "both followers", both),
                new Mode("first 1 (n2)", "applied", "n2 itself", n2Itself),
                new Mode("any 1 (n2,n3)", "received", "at least one of n2, n3", one));
    }

    @BeforeAll
    static void lettuce() {
        lettuce = RedisClient.create();
    }

    @AfterAll
    static void shutdownLettuce() {
        lettuce.shutdown();
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void acknowledgedWritesReachTheFollowersAsPromised(Mode mode) throws Exception {
        cluster = new ThreeNodeCluster(dir).set("ack-policy", mode.policy()).set("ack-level", mode.level());
        cluster.start();
        // Under a policy that needs followers, a write before they subscribed would wait for them; wait
        // here instead so that every reply below is timely.
        try (Jedis leader = new Jedis("127.0.0.1", cluster.port(0))) {
            await(() -> leader.info("replication").contains("connected_slaves:2"), "both followers online");
        }
        int keys = writeMixedTypesThroughLettuce() + writeThroughJedis();
        try (Jedis leader = new Jedis("127.0.0.1", cluster.port(0));
                Jedis n2 = new Jedis("127.0.0.1", cluster.port(1));
                Jedis n3 = new Jedis("127.0.0.1", cluster.port(2))) {
            observeEachReply(mode, leader, n2, n3);
            keys += OBSERVED_WRITES;
            assertEquals(keys, leader.dbSize(), "every key written is on the leader");
            String digest = digest(leader);
            List<Jedis> followers = List.of(n2, n3);
            for (int i = 0; i < 2; i++) {
                Jedis follower = followers.get(i);
                await(() -> digest.equals(digest(follower)), "n" + (i + 2) + " converges to the leader's digest");
                assertEquals(keys, follower.dbSize(), "n" + (i + 2) + " holds every key");
            }
        }
    }

    /** Strings, counters, hashes, lists and sets, one synchronous Lettuce call at a time; returns the key count. */
    private int writeMixedTypesThroughLettuce() {
        try (StatefulRedisConnection<String, String> connection =
                     lettuce.connect(RedisURI.create("redis://127.0.0.1:" + cluster.port(0)))) {
            RedisCommands<String, String> sync = connection.sync();
            for (int i = 0; i < 40; i++) {
                assertEquals("OK", sync.set("lt:s:" + i, "value-" + i));
                assertEquals(i / 4 + 1, sync.incr("lt:counter:" + (i % 4)));
                assertTrue(sync.hset("lt:h:" + (i % 5), "f" + i, "v" + i));
                assertEquals(i / 6 + 1, sync.rpush("lt:l:" + (i % 6), "e" + i));
                assertEquals(1L, sync.sadd("lt:set:" + (i % 7), "m" + i));
            }
            assertEquals("OK", sync.mset(java.util.Map.of("lt:m:a", "1", "lt:m:b", "2")));
            assertEquals("e0", sync.lpop("lt:l:0"));
            assertEquals(1L, sync.hdel("lt:h:0", "f0"));
            assertEquals(1L, sync.srem("lt:set:0", "m0"));
            assertEquals(1L, sync.del("lt:s:0"));
            assertTrue(sync.expire("lt:s:1", 3600));
            // lt:s 39 (one deleted) + counters 4 + hashes 5 + lists 6 + sets 7 + mset 2
            return 39 + 4 + 5 + 6 + 7 + 2;
        }
    }

    /** 100 SETs and 20 HSETs on one Jedis: half one at a time, half as one pipeline (group-committed). */
    private int writeThroughJedis() {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", jedis.set("jd:s:" + i, "v" + i));
            }
            Pipeline pipeline = jedis.pipelined();
            List<redis.clients.jedis.Response<String>> sets = new ArrayList<>();
            for (int i = 50; i < 100; i++) {
                sets.add(pipeline.set("jd:s:" + i, "v" + i));
            }
            for (int i = 0; i < 20; i++) {
                pipeline.hset("jd:h", "f" + i, "v" + i);
            }
            pipeline.sync();
            sets.forEach(reply -> assertEquals("OK", reply.get()));
            assertEquals(20L, jedis.hlen("jd:h"));
            return 100 + 1;
        }
    }

    /**
     * SETs one at a time; right after each reply, asks both followers whether they hold it at the mode's
     * level (their log for received, their synced log for durable, their reads for applied) and checks the
     * policy's promise. Under async the answers are only counted.
     */
    private void observeEachReply(Mode mode, Jedis leader, Jedis n2, Jedis n3) {
        int[] seen = new int[2];
        for (int i = 0; i < OBSERVED_WRITES; i++) {
            String key = "obs:" + i;
            String value = "w" + i;
            assertEquals("OK", leader.set(key, value));
            String token = string(leader.sendCommand(TANDEM_LSN));
            long lsn = Long.parseLong(token.substring(token.indexOf(':') + 1));
            boolean n2Has = holds(n2, mode.level(), key, value, lsn);
            boolean n3Has = holds(n3, mode.level(), key, value, lsn);
            seen[0] += n2Has ? 1 : 0;
            seen[1] += n3Has ? 1 : 0;
            assertTrue(mode.kept().kept(n2Has, n3Has), "write " + key + " at LSN " + lsn + " was acknowledged under "
                    + mode + ", but at that moment n2 had it: " + n2Has + ", n3 had it: " + n3Has);
        }
        System.out.println(mode + ": of " + OBSERVED_WRITES + " writes, n2 had " + seen[0] + " and n3 had " + seen[1]
                + " at the " + mode.level() + " level right after the reply");
    }

    private static boolean holds(Jedis follower, String level, String key, String value, long lsn) {
        return switch (level) {
            case "applied" -> value.equals(follower.get(key));
            case "durable" -> infoLong(follower, "tandem_durable_lsn") >= lsn;
            case "received" -> infoLong(follower, "slave_read_repl_offset") >= lsn;
            default -> throw new IllegalArgumentException(level);
        };
    }

    private static long infoLong(Jedis jedis, String field) {
        for (String line : jedis.info("replication").split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("no " + field + " in INFO replication");
    }

    private static String digest(Jedis jedis) {
        return string(jedis.sendCommand(TANDEM_DIGEST));
    }

    private static String string(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }
}
