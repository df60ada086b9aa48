package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static io.tandem.server.replication.ThreeNodeCluster.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Automatic failover with three real nodes in this JVM (real sockets, WALs, Jedis as the client): the leader
 * goes away, the others elect one of themselves in a higher term within a bound, it takes writes and holds
 * every write acknowledged before; the old leader comes back as its follower and converges. And the case
 * failover exists to handle honestly: writes a deposed leader acknowledged alone (async) are rolled back when
 * it rejoins, and recorded in its rollback directory.
 */
class FailoverTest extends ThreeNodeClusterTest {
    private static final ProtocolCommand TANDEM_DIGEST = () -> "TANDEM.DIGEST".getBytes(StandardCharsets.US_ASCII);

    private final boolean[] running = new boolean[3];

    private void startCluster(String ackPolicy) throws Exception {
        cluster = new ThreeNodeCluster(dir).set("ack-policy", ackPolicy).set("heartbeat-interval-millis", "100")
                .set("election-timeout-millis", "500");
    }

    private void start(int index) throws Exception {
        cluster.start(index);
        running[index] = true;
    }

    private void stop(int index) {
        cluster.stop(index);
        running[index] = false;
    }

    @Test
    void whenTheLeaderStopsAnotherIsElectedKeepsEveryAcknowledgedWriteAndTheOldLeaderFollowsIt() throws Exception {
        startCluster("quorum");
        cluster.start();
        java.util.Arrays.fill(running, true);
        // n1, the configured leader of a new replica set, leads term 1 (or, if it heard from no majority within
        // an election timeout while the others were starting, whoever was elected after it).
        int first = awaitValue(this::currentLeader, index -> index >= 0, "one leader");
        long firstTerm;
        try (Jedis leader = jedis(first)) {
            for (int i = 0; i < 200; i++) {
                assertEquals("OK", leader.set("k" + i, "v" + i)); // acknowledged by a majority (quorum)
            }
            firstTerm = Long.parseLong(info(leader).get("tandem_term"));
        }

        stop(first);
        int second = awaitValue(this::currentLeader, index -> index >= 0, "another member is elected");
        try (Jedis newLeader = jedis(second)) {
            Map<String, String> info = info(newLeader);
            assertTrue(Long.parseLong(info.get("tandem_term")) > firstTerm, "a new term: " + info);
            assertTrue(Long.parseLong(info.get("tandem_elections_won")) >= 1, info.toString());
            for (int i = 0; i < 200; i++) {
                assertEquals("v" + i, newLeader.get("k" + i), "acknowledged before the failover: k" + i);
            }
            assertEquals("OK", newLeader.set("after", "failover"));
        }

        // The old leader comes back: it has data, so it follows no one until it hears the new leader.
        start(first);
        String expected = digest(second);
        String leaderId = "n" + (second + 1);
        try (Jedis old = jedis(first)) {
            await(() -> "slave".equals(role(first)) && leaderId.equals(info(old).get("tandem_leader"))
                    && expected.equals(digest(first)), "the old leader follows " + leaderId + " and has its data");
            assertEquals("failover", old.get("after"));
            assertEquals("up", info(old).get("master_link_status"));
        }
        // The new leader lists both followers as Redis does (Lettuce's MasterReplica finds replicas there), the
        // survivor too, although it found the new leader by its probes and never subscribed again.
        int third = 3 - first - second;
        try (Jedis newLeader = jedis(second)) {
            await(() -> "2".equals(info(newLeader).get("connected_slaves")), "the new leader lists two replicas");
            String slaves = info(newLeader).get("slave0") + " " + info(newLeader).get("slave1");
            for (int follower : new int[] {first, third}) {
                assertTrue(slaves.contains("port=" + cluster.port(follower) + ","), slaves);
            }
        }
    }

    @Test
    void writesADeposedLeaderAcknowledgedAloneAreRolledBackAndRecordedWhenItRejoins() throws Exception {
        // async: n1 acknowledges a write once it is durable on n1 alone. Its check-quorum is slow (5 s), so it
        // keeps leading, alone, long enough to take writes the others never see.
        startCluster("async");
        cluster.setOn(0, "election-timeout-millis", "5000");
        cluster.start();
        java.util.Arrays.fill(running, true);
        await(() -> "master".equals(role(0)), "n1 leads term 1");
        try (Jedis n1 = jedis(0)) {
            assertEquals("OK", n1.set("kept", "before"));
        }
        String replicated = digest(0);
        for (int i = 1; i < 3; i++) {
            int follower = i;
            await(() -> replicated.equals(digest(follower)), "n" + (i + 1) + " has the first write");
        }
        stop(1);
        stop(2);
        try (Jedis n1 = jedis(0)) {
            for (int i = 0; i < 20; i++) {
                assertEquals("OK", n1.set("lost" + i, "only on n1")); // acknowledged: async promises no more
            }
        }
        stop(0);

        start(1);
        start(2);
        int leader = awaitValue(this::currentLeader, index -> index > 0, "n2 or n3 is elected without n1");
        try (Jedis newLeader = jedis(leader)) {
            assertEquals("OK", newLeader.set("after", "failover"));
            assertNull(newLeader.get("lost0"), "the new leader never had n1's lone writes");
        }

        start(0);
        String leaderId = "n" + (leader + 1);
        try (Jedis n1 = jedis(0)) {
            await(() -> leaderId.equals(info(n1).get("tandem_leader")) && digest(leader).equals(digest(0)),
                    "n1 rewinds and converges with " + leaderId);
            assertNull(n1.get("lost0"), "rolled back on n1");
            assertEquals("before", n1.get("kept"));
            assertEquals("failover", n1.get("after"));
            Map<String, String> info = info(n1);
            assertEquals("1", info.get("tandem_rewinds"), info.toString());
            assertTrue(Long.parseLong(info.get("tandem_rollback_entries")) >= 20, info.toString());
        }
        String rollback = rollbackText(0);
        for (int i = 0; i < 20; i++) {
            assertTrue(rollback.contains("\"key\":\"lost" + i + "\",\"value\":\"only on n1\""),
                    "lost" + i + " is recorded in rollback/: " + rollback);
        }
    }

    @Test
    void failoverToAReplicaHandsLeadershipOverWithoutLosingAnAsyncAcknowledgedWrite() throws Exception {
        startCluster("async"); // acknowledged once durable on the leader alone: a crash could lose it, FAILOVER not
        cluster.start();
        java.util.Arrays.fill(running, true);
        int first = awaitValue(this::currentLeader, index -> index >= 0, "one leader");
        int target = (first + 1) % 3;
        try (Jedis leader = jedis(first)) {
            for (int i = 0; i < 500; i++) {
                assertEquals("OK", leader.set("k" + i, "v" + i));
            }
            await(() -> !info(leader).getOrDefault("slave1", "").isEmpty(), "the leader knows both replicas' addresses");
            assertEquals("OK", leader.failover(redis.clients.jedis.params.FailoverParams.failoverParams()
                    .to("127.0.0.1", cluster.port(target))));
        }
        await(() -> "master".equals(role(target)), "n" + (target + 1) + " leads after FAILOVER TO it");
        await(() -> currentLeader() == target, "the old leader follows it");
        try (Jedis newLeader = jedis(target)) {
            for (int i = 0; i < 500; i++) {
                assertEquals("v" + i, newLeader.get("k" + i), "acknowledged before the switchover: k" + i);
            }
            assertEquals("no-failover", info(newLeader).get("master_failover_state"));
        }
        try (Jedis old = jedis(first)) {
            assertEquals("slave", info(old).get("role"));
            assertEquals("0", info(old).getOrDefault("tandem_rewinds", "0"), "nothing to roll back");
            JedisDataException refused = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    () -> old.failover());
            assertEquals("ERR FAILOVER is not valid when server is a replica.", refused.getMessage());
        }
        try (Jedis newLeader = jedis(target)) {
            JedisDataException none = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    newLeader::failoverAbort);
            assertEquals("ERR FAILOVER is not in progress.", none.getMessage());
        }
    }

    /**
     * n1, the configured leader, is wiped and started again after n2 and n3 elected one of themselves: on an
     * empty data directory it leads term 1 again, with no votes. Their event loops are held, so that they do
     * not answer its first heartbeats and tell it of their newer term. Until 2026-11-24 it counted them as
     * having heard from it and acknowledged an async write at once, which the replica set never had.
     */
    @Test
    void aWipedConfiguredLeaderStartedAgainAcknowledgesNothingBeforeAMajorityAnswersIt() throws Exception {
        startCluster("async");
        cluster.start();
        java.util.Arrays.fill(running, true);
        await(() -> "master".equals(role(0)), "n1 leads term 1");
        stop(0);
        int elected = awaitValue(this::currentLeader, index -> index > 0, "n2 or n3 is elected");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            cluster.hold(1, release);
            cluster.hold(2, release);
            try (Stream<Path> files = Files.walk(dir.resolve("n1"))) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
            start(0);
            try (Jedis n1 = jedis(0)) {
                JedisDataException refused = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                        () -> n1.set("lost", "acknowledged by a leader no one followed"));
                assertTrue(refused.getMessage().startsWith("TRYAGAIN"), refused.getMessage());
            }
        } finally {
            release.countDown();
        }
        String leaderId = "n" + (elected + 1);
        try (Jedis n1 = jedis(0)) {
            await(() -> "slave".equals(role(0)) && leaderId.equals(info(n1).get("tandem_leader")),
                    "the wiped n1 follows " + leaderId);
        }
        try (Jedis leader = jedis(elected)) {
            assertNull(leader.get("lost"));
        }
    }

    /** The index of the node that says it is master (and is the only one), or -1. */
    private int currentLeader() throws Exception {
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            if (running[i] && "master".equals(role(i))) {
                if (leader >= 0) {
                    return -1; // two claim it (an old term's leader not yet fenced): not settled yet
                }
                leader = i;
            }
        }
        return leader;
    }

    private String rollbackText(int index) throws Exception {
        Path rollback = dir.resolve("n" + (index + 1)).resolve("rollback");
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(rollback)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                text.append(Files.readString(file));
            }
        }
        return text.toString();
    }

    private Jedis jedis(int index) {
        return new Jedis("127.0.0.1", cluster.port(index), 5_000);
    }

    private String role(int index) {
        try (Jedis jedis = jedis(index)) {
            return info(jedis).get("role");
        }
    }

    private String digest(int index) {
        try (Jedis jedis = jedis(index)) {
            Object reply = jedis.sendCommand(TANDEM_DIGEST);
            return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
        }
    }

    private static Map<String, String> info(Jedis jedis) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : List.of(jedis.info("replication").split("\r\n"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
