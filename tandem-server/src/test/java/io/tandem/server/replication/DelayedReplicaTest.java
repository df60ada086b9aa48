package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A delayed replica ({@code apply-delay-millis} on n3): it stores a write at once but shows it to reads only
 * once the write is that old, while n2 shows it as soon as it has it.
 *
 * <p>Time without flakiness: the nodes run in this JVM and read {@code System.currentTimeMillis()} as this
 * test does, so the test's clock readings bracket theirs. A write's time (stamped by the leader when it reads
 * the request) is at least {@code t0}, read before the request was sent; n3 applies it only when its clock
 * shows the write's time plus the delay; a reply read after n3 showed the value is therefore read at
 * {@code >= t0 + delay}. Only such lower bounds and orderings are asserted; upper bounds are generous
 * deadlines.
 */
class DelayedReplicaTest extends ThreeNodeClusterTest {
    private static final long DELAY_MILLIS = 1_500;
    /** Tolerance for the wall clock being slewed between two readings; far below the delay. */
    private static final long CLOCK_MARGIN_MILLIS = 10;
    private static final ProtocolCommand TANDEM_LSN = () -> "TANDEM.LSN".getBytes(StandardCharsets.US_ASCII);
    private static final ProtocolCommand TANDEM_WAITLSN = () -> "TANDEM.WAITLSN".getBytes(StandardCharsets.US_ASCII);

    private void start(String ackPolicy, String ackLevel) throws Exception {
        cluster = new ThreeNodeCluster(dir).set("ack-policy", ackPolicy).set("ack-level", ackLevel)
                // under "all at applied" a write waits for the delay: keep the timeout well above it
                .set("ack-timeout-millis", "30000")
                .setOn(2, "apply-delay-millis", Long.toString(DELAY_MILLIS));
        cluster.start();
        try (Jedis leader = jedis(0)) {
            await(() -> leader.info("replication").contains("connected_slaves:2"), "both followers online");
        }
    }

    @Test
    void aWriteShowsOnTheDelayedReplicaOnlyAfterTheDelayWhileItIsAlreadyDurableThere() throws Exception {
        start("quorum", "durable");
        try (Jedis leader = jedis(0); Jedis n2 = jedis(1); Jedis n3 = jedis(2)) {
            // Every attempt checks that n3 never shows the write early. Seeing it stored but not shown, on n3
            // and in the leader's INFO, needs the test to look within the delay: on a machine so slow that it
            // cannot, the attempt proves nothing about that and is repeated.
            String seen = "";
            for (int attempt = 1; attempt <= 3; attempt++) {
                String observed = observeOneDelayedWrite(leader, n2, n3, "k" + attempt);
                if (observed.isEmpty()) {
                    return;
                }
                seen += "\nattempt " + attempt + ": " + observed;
            }
            throw new AssertionError("n3 was never seen with a write durable but not yet applied:" + seen);
        }
    }

    /**
     * Writes one key and watches n2 and n3 until n3 shows it. Returns "" if n3 and then the leader were seen
     * reporting it durable but not applied while the delay ran, else what was missing.
     */
    private String observeOneDelayedWrite(Jedis leader, Jedis n2, Jedis n3, String key) {
        long t0 = System.currentTimeMillis();
        assertEquals("OK", leader.set(key, "v"));
        long lsn = lsn(leader);
        long notBefore = t0 + DELAY_MILLIS - CLOCK_MARGIN_MILLIS;

        await(() -> "v".equals(n2.get(key)), "n2 (no delay) shows " + key);
        boolean sawWaiting = false;
        boolean leaderSawWaiting = false;
        long deadline = t0 + DELAY_MILLIS + ThreeNodeCluster.AWAIT_TIMEOUT.toMillis();
        while (true) {
            long before = System.currentTimeMillis();
            Map<String, String> own = info(n3);
            Map<String, String> atLeader = replicaLine(leader, "n3");
            String value = n3.get(key);
            long after = System.currentTimeMillis();
            if (value != null) {
                assertEquals("v", value);
                assertTrue(after >= notBefore, "n3 showed " + key + " " + (after - t0) + " ms after the write was"
                        + " sent, before its apply delay of " + DELAY_MILLIS + " ms");
                System.out.println("n3 (delayed " + DELAY_MILLIS + " ms) showed " + key + " after " + (after - t0)
                        + " ms; seen waiting (durable, not applied): " + sawWaiting + ", by the leader: "
                        + leaderSawWaiting);
                break;
            }
            if (before < notBefore && Long.parseLong(own.get("tandem_durable_lsn")) >= lsn) {
                // Stored and synced, not yet shown: applied is behind durable, in both the Redis field
                // (slave_repl_offset is what reads show) and Tandem's own.
                assertTrue(Long.parseLong(own.get("tandem_applied_lsn")) < lsn, own.toString());
                assertTrue(Long.parseLong(own.get("slave_repl_offset")) < lsn, own.toString());
                assertTrue(Long.parseLong(own.get("slave_read_repl_offset")) >= lsn, own.toString());
                sawWaiting = true;
                if (Long.parseLong(atLeader.get("durable_lsn")) >= lsn) {
                    // The leader knows n3 has it durable; it must not claim n3 applied it, and counts the lag.
                    assertTrue(Long.parseLong(atLeader.get("applied_lsn")) < lsn, atLeader.toString());
                    assertTrue(Long.parseLong(atLeader.get("lag_entries")) > 0, atLeader.toString());
                    leaderSawWaiting = true;
                }
            }
            assertTrue(after < deadline, "n3 never showed " + key + " (its delay is " + DELAY_MILLIS + " ms)");
            LockSupport.parkNanos(10_000_000); // polling with a deadline
        }
        if (!sawWaiting) {
            return "n3's INFO never showed " + key + " durable before the delay had passed";
        }
        return leaderSawWaiting ? "" : "the leader's INFO never showed n3 with " + key + " durable but not applied";
    }

    @Test
    void waitlsnOnTheDelayedReplicaReturnsOnlyOnceTheDelayHasPassed() throws Exception {
        start("async", "durable");
        try (Jedis leader = jedis(0); Jedis n3 = jedis(2)) {
            long t0 = System.currentTimeMillis();
            assertEquals("OK", leader.set("token-key", "v"));
            String token = string(leader.sendCommand(TANDEM_LSN));
            assertEquals("OK", string(n3.sendCommand(TANDEM_WAITLSN, token, "30000")));
            long after = System.currentTimeMillis();
            System.out.println("WAITLSN on n3 (delayed " + DELAY_MILLIS + " ms) returned after " + (after - t0)
                    + " ms");
            assertTrue(after - t0 >= DELAY_MILLIS - CLOCK_MARGIN_MILLIS,
                    "WAITLSN on n3 returned " + (after - t0) + " ms after the write");
            assertEquals("v", n3.get("token-key"), "read-your-writes through the token on the delayed replica");
        }
    }

    @Test
    void underAllAtAppliedTheLeaderAcknowledgesOnlyOnceTheDelayedReplicaShowsTheWrite() throws Exception {
        start("all", "applied");
        try (Jedis leader = jedis(0); Jedis n3 = jedis(2)) {
            long t0 = System.currentTimeMillis();
            assertEquals("OK", leader.set("slow", "v"));
            long acknowledged = System.currentTimeMillis();
            System.out.println("all at applied, n3 delayed " + DELAY_MILLIS + " ms: acknowledged after "
                    + (acknowledged - t0) + " ms");
            assertTrue(acknowledged - t0 >= DELAY_MILLIS - CLOCK_MARGIN_MILLIS,
                    "acknowledged " + (acknowledged - t0) + " ms after the write: before n3 could apply it");
            assertEquals("v", n3.get("slow"), "acknowledged at level applied under all: n3 shows it");
        }
        try (Jedis leader = jedis(0)) {
            // A delayed replica is not a broken one: no timeout, nothing degraded.
            assertEquals("0", info(leader).get("tandem_degraded"));
        }
    }

    private Jedis jedis(int index) {
        return new Jedis("127.0.0.1", cluster.port(index));
    }

    private static long lsn(Jedis leader) {
        String token = string(leader.sendCommand(TANDEM_LSN));
        return Long.parseLong(token.substring(token.indexOf(':') + 1));
    }

    private static Map<String, String> info(Jedis jedis) {
        Map<String, String> fields = new HashMap<>();
        for (String line : jedis.info("replication").split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    /** The leader's tandem_replicaN line for one follower, as key=value pairs. */
    private static Map<String, String> replicaLine(Jedis leader, String id) {
        for (Map.Entry<String, String> e : info(leader).entrySet()) {
            if (e.getKey().startsWith("tandem_replica") && e.getValue().startsWith("id=" + id + ",")) {
                Map<String, String> pairs = new HashMap<>();
                for (String pair : e.getValue().split(",")) {
                    int eq = pair.indexOf('=');
                    pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                return pairs;
            }
        }
        throw new AssertionError("no tandem_replica line for " + id + " in the leader's INFO");
    }

    private static String string(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }
}
