package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * CONFIG SET of the acknowledgement settings on a running leader, through real clients on three real nodes:
 * CONFIG GET shows them, a change takes effect on the next write and on the writes already waiting, and a value
 * that is wrong, or a policy the members could never satisfy, is refused and changes nothing.
 */
class AckSettingsAtRuntimeTest {
    @TempDir
    Path dir;

    private ThreeNodeCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Jedis startedLeader() throws Exception {
        cluster = new ThreeNodeCluster(dir).start();
        Jedis leader = new Jedis("127.0.0.1", cluster.port(0));
        await(() -> leader.info("replication").contains("connected_slaves:2"), "both followers online");
        return leader;
    }

    @Test
    void aStricterPolicyTimesOutWithoutTheReplicasItNeedsAndALooserOneWritesAgain() throws Exception {
        try (Jedis leader = startedLeader()) {
            assertEquals(Map.of("ack-policy", "async"), leader.configGet("ack-policy"));
            assertEquals("OK", leader.configSet("ack-policy", "all"));
            assertTrue(leader.info("replication").contains("tandem_ack_policy:all\r\n"), "INFO shows the change");
            assertEquals("OK", leader.set("k", "with both followers")); // within the cluster's generous timeout
            cluster.stop(2); // n3 goes away: "all" can no longer be met
            assertEquals("OK", leader.configSet("ack-timeout-millis", "300"));
            assertEquals(Map.of("ack-policy", "all", "ack-timeout-millis", "300"), leader.configGet("ack-*millis",
                    "ack-policy"));
            JedisDataException timedOut = assertThrows(JedisDataException.class, () -> leader.set("k", "v2"));
            assertTrue(timedOut.getMessage().startsWith("NOREPLICAS Timed out after 300 ms: 1 of 2 required replicas"
                    + " acknowledged (all, durable)"), timedOut.getMessage());
            assertEquals("OK", leader.configSet("ack-policy", "semi-sync 1", "ack-timeout-millis", "5000"));
            assertEquals("OK", leader.set("k", "v3"), "n2 alone meets semi-sync 1");
            assertEquals("v3", leader.get("k"));
        }
    }

    /** An operator unblocks writes stuck on a policy that cannot be met: they are answered at once. */
    @Test
    void writesWaitingForTheOldPolicyAreReleasedByALooserOne() throws Exception {
        try (Jedis leader = startedLeader()) {
            assertEquals("OK", leader.configSet("ack-policy", "semi-sync 2", "ack-timeout-millis", "60000"));
            cluster.stop(2);
            RedisClient lettuce = RedisClient.create();
            try (StatefulRedisConnection<String, String> connection =
                         lettuce.connect(RedisURI.create("redis://127.0.0.1:" + cluster.port(0)))) {
                RedisFuture<String> stuck = connection.async().set("stuck", "1");
                assertFalse(stuck.await(300, TimeUnit.MILLISECONDS), "semi-sync 2 with one follower: it waits");
                assertEquals("OK", leader.configSet("ack-policy", "semi-sync 1"));
                assertTrue(stuck.await(10, TimeUnit.SECONDS), "released by the change");
                assertEquals("OK", stuck.get());
            } finally {
                lettuce.shutdown();
            }
            try (Jedis n2 = new Jedis("127.0.0.1", cluster.port(1))) {
                await(() -> "1".equals(n2.get("stuck")), "the released write is on n2");
            }
        }
    }

    @Test
    void minReplicasToWriteRefusesWritesOnceAReplicaIsSilentPastTheLag() throws Exception {
        try (Jedis leader = startedLeader()) {
            assertEquals("OK", leader.configSet("min-replicas-to-write", "2"));
            assertEquals("OK", leader.set("k", "v"), "both replicas heard from within the default 10 s");
            assertEquals("OK", leader.configSet("min-replicas-max-lag", "1"));
            assertEquals(Map.of("min-replicas-to-write", "2", "min-replicas-max-lag", "1"),
                    leader.configGet("min-replicas-*"));
            cluster.stop(2);
            await(() -> {
                try {
                    leader.set("k", "v2");
                    return false;
                } catch (JedisDataException e) {
                    assertEquals("NOREPLICAS Not enough good replicas to write.", e.getMessage());
                    return true;
                }
            }, "writes refused once n3 was silent for a second");
            assertEquals("OK", leader.configSet("min-replicas-to-write", "1", "min-replicas-max-lag", "10"));
            assertEquals("OK", leader.set("k", "v3"));
        }
    }

    @Test
    void aBadValueOrAPolicyTheMembersCannotMeetIsRefusedAndChangesNothing() throws Exception {
        try (Jedis leader = startedLeader()) {
            assertEquals("OK", leader.configSet("ack-policy", "semi-sync 1"));
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-policy') - semi-sync 3"
                    + " can never commit", "ack-policy", "semi-sync 3");
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-policy') - ",
                    "ack-policy", "first 1 (n9)");
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-policy') - ",
                    "ack-policy", "sometimes");
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-level') - ",
                    "ack-level", "eventually");
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-timeout-millis') - must be"
                    + " between 1 and 3600000", "ack-timeout-millis", "0");
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'on-ack-timeout') - ",
                    "on-ack-timeout", "shrug");
            // All or nothing: the good first pair is put back when the second is refused.
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'ack-level') - ",
                    "ack-policy", "all", "ack-level", "eventually");
            assertEquals(Map.of("ack-policy", "semi-sync 1", "ack-level", "durable"),
                    leader.configGet("ack-policy", "ack-level"));
            assertRefused(leader, "ERR CONFIG SET failed (possibly related to argument 'election-timeout-millis') -"
                    + " can't set immutable config", "election-timeout-millis", "900");
            assertEquals("OK", leader.set("k", "still semi-sync 1"));
        }
    }

    private static void assertRefused(Jedis jedis, String messageStart, String... pairs) {
        JedisDataException refused = assertThrows(JedisDataException.class, () -> jedis.configSet(pairs));
        assertTrue(refused.getMessage().startsWith(messageStart), refused.getMessage());
    }
}
