package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A follower that stalls (a process stopped by SIGSTOP, a long pause, a slow link) while writes go on: under
 * {@code async} the leader keeps acknowledging them, sends the stalled follower no more than its in-flight
 * window (rather than queueing every entry in memory for a socket no one reads), and once the follower runs
 * again it catches up from the leader's log to the same keyspace. The stall is made by holding n3's event loop,
 * which holds its agent: its sockets stay open and the kernel's buffers fill, as with a stopped process.
 */
class StalledFollowerTest extends ThreeNodeClusterTest {
    /** More entries than the window (4 MB at a nominal 128 bytes an entry: 32,768) plus one 256 KB batch. */
    private static final int WRITES = 100_000;
    /**
     * The most a leader may have sent beyond what the follower acknowledged, in entries: the window, counted at
     * the core's nominal 128 bytes an entry, and one batch of entries of at least 16 bytes each.
     */
    private static final long MOST_IN_FLIGHT = TandemNode.MAX_INFLIGHT_BYTES / 128 + TandemNode.MAX_BATCH_BYTES / 16;
    private static final ProtocolCommand DIGEST = () -> "TANDEM.DIGEST".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aStalledFollowerGetsNoMoreThanTheWindowThenCatchesUp() throws Exception {
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "async").set("fsync", "never")
                .set("election-timeout-millis", "0");
        cluster.start();
        try (Jedis leader = new Jedis("127.0.0.1", cluster.port(0));
                Jedis n3 = new Jedis("127.0.0.1", cluster.port(2))) {
            await(() -> leader.info("replication").contains("connected_slaves:2"), "both followers online");
            CountDownLatch release = new CountDownLatch(1);
            cluster.hold(2, release);
            long last;
            try {
                Pipeline pipeline = leader.pipelined();
                List<Response<String>> replies = new java.util.ArrayList<>(WRITES);
                for (int i = 0; i < WRITES; i++) {
                    replies.add(pipeline.set("key:" + i, "value:" + i));
                }
                pipeline.sync();
                for (Response<String> reply : replies) {
                    assertEquals("OK", reply.get(), "async writes are acknowledged while a follower stalls");
                }
                last = offset(leader.info("replication"), "master_repl_offset");
                String info = leader.info("replication");
                long sent = replicaField(info, "n3", "sent_lsn");
                long received = replicaField(info, "n3", "received_lsn");
                assertTrue(sent - received <= MOST_IN_FLIGHT, "the leader sent the stalled n3 " + (sent - received)
                        + " entries beyond what it acknowledged, more than the window: " + info);
                assertTrue(sent < last, "the leader held back what the window did not allow (sent " + sent
                        + ", log ends at " + last + ")");
            } finally {
                release.countDown();
            }
            long target = last;
            await(() -> offset(n3.info("replication"), "slave_repl_offset") >= target, "n3 catches up once it runs");
            assertEquals(new String((byte[]) leader.sendCommand(DIGEST), StandardCharsets.US_ASCII),
                    new String((byte[]) n3.sendCommand(DIGEST), StandardCharsets.US_ASCII),
                    "n3's keyspace equals the leader's");
            assertEquals("value:" + (WRITES - 1), n3.get("key:" + (WRITES - 1)));
        }
    }

    private static long offset(String info, String field) {
        Matcher m = Pattern.compile(field + ":(\\d+)").matcher(info);
        assertTrue(m.find(), field + " in " + info);
        return Long.parseLong(m.group(1));
    }

    /** A field of the leader's {@code tandem_replicaN:id=...} line for one replica. */
    private static long replicaField(String info, String id, String field) {
        Matcher m = Pattern.compile("tandem_replica\\d+:id=" + id + ",[^\\r\\n]*?" + field + "=(\\d+)").matcher(info);
        assertTrue(m.find(), field + " of " + id + " in " + info);
        return Long.parseLong(m.group(1));
    }
}
