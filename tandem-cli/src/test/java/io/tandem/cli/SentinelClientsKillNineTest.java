package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tandem.wire.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

/**
 * Stock Sentinel-aware clients under load while the leader process is killed with SIGKILL: three node processes
 * with elections (quorum, heartbeat 100 ms, election timeout 500 ms), every member's client port given to the
 * clients as a "sentinel". A {@link JedisSentinelPool} and a Lettuce {@code redis-sentinel://} connection each
 * write in a loop; the clients are told nothing about the failover (each writer only retries what failed, as an
 * application does with Redis Sentinel). Within a bound of the kill both acknowledge writes again, on the elected
 * leader, and every write either acknowledged, before or after the kill, is there with its value.
 */
class SentinelClientsKillNineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long a client may take, after the leader is dead, to have a write acknowledged by the new one. */
    private static final Duration FOLLOW_BOUND = Duration.ofSeconds(15);
    /** The master name both clients ask for: sentinel-master-name's default. */
    private static final String MASTER = "tandem";
    /** Acknowledged writes per client before the kill, so that some of what must survive is from the old leader. */
    private static final int ACKED_BEFORE_KILL = 200;
    /** Acknowledged writes per client after the first one on the new leader: they keep going, not just once. */
    private static final int ACKED_AFTER_FOLLOW = 100;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void jedisAndLettuceFollowAKilledLeaderToTheElectedOneAndLoseNoAcknowledgedWrite() throws Exception {
        ReplicaSetArgs set = new ReplicaSetArgs();
        String[] args = {"--ack-policy", "quorum", "--ack-timeout-millis", "15000", "--heartbeat-interval-millis",
                "100", "--election-timeout-millis", "500"};
        NodeProcess[] started = nodes.startReplicaSet(set, tmp, args);
        int[] ports = java.util.Arrays.stream(started).mapToInt(NodeProcess::port).toArray();
        int first = awaitLeaderKnownByAll(ports, List.of(0, 1, 2), WAIT);

        Set<String> sentinels = new LinkedHashSet<>();
        StringBuilder uri = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < 3; i++) {
            sentinels.add("127.0.0.1:" + ports[i]);
            uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[i]);
        }
        // Stock settings but for Lettuce's command timeout (60 s by default), so that a write stuck on the dead
        // leader fails and is retried within the bound instead of after it.
        uri.append("?timeout=2s#").append(MASTER);
        RedisClient lettuce = RedisClient.create();
        try (JedisSentinelPool pool = new JedisSentinelPool(MASTER, sentinels);
                StatefulRedisConnection<String, String> connection = lettuce.connect(RedisURI.create(uri.toString()))) {
            assertEquals(ports[first], pool.getCurrentHostMaster().getPort(), "the pool found the leader");
            assertTrue(connection.sync().info("replication").contains("role:master"), "Lettuce found the leader");
            // JedisSentinelPool learns of a new leader from +switch-master, through one listener per sentinel that
            // subscribes on a thread of its own: the kill must not come before they listen.
            for (int i = 0; i < 3; i++) {
                int port = ports[i];
                Await.until(() -> switchMasterSubscribers(port) >= 1, "the pool listens to +switch-master on "
                        + ReplicaSetArgs.name(i), WAIT);
            }

            Writer jedisWriter = new Writer("jedis", (key, value) -> {
                try (Jedis jedis = pool.getResource()) {
                    return jedis.set(key, value);
                }
            });
            Writer lettuceWriter = new Writer("lettuce", (key, value) -> connection.sync().set(key, value));
            List<Writer> writers = List.of(jedisWriter, lettuceWriter);
            List<Thread> threads = new ArrayList<>();
            for (Writer w : writers) {
                Thread t = new Thread(w, "writer-" + w.client);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            try {
                for (Writer w : writers) {
                    await(w, () -> w.acks().size() >= ACKED_BEFORE_KILL, "has " + ACKED_BEFORE_KILL
                            + " acknowledged writes", WAIT);
                }

                started[first].kill9();
                // The process is gone from here on: a write sent after this instant was acknowledged by another.
                long killedNanos = System.nanoTime();
                for (Writer w : writers) {
                    await(w, () -> w.firstAckSentAfter(killedNanos) != null, "has a write sent after the kill"
                            + " acknowledged, within " + FOLLOW_BOUND.toSeconds() + " s of it",
                            FOLLOW_BOUND.minusNanos(System.nanoTime() - killedNanos));
                }
                for (Writer w : writers) {
                    Ack followed = w.firstAckSentAfter(killedNanos);
                    System.out.println(w.client + ": first write acknowledged by the new leader "
                            + TimeUnit.NANOSECONDS.toMillis(followed.ackNanos - killedNanos) + " ms after "
                            + ReplicaSetArgs.name(first) + " was killed (" + w + ")");
                }
                for (Writer w : writers) {
                    await(w, () -> w.acksSentAfter(killedNanos) >= ACKED_AFTER_FOLLOW, "keeps writing on the new"
                            + " leader: " + ACKED_AFTER_FOLLOW + " acknowledged writes sent after the kill", WAIT);
                }
            } finally {
                for (Writer w : writers) {
                    w.stopRequested = true;
                }
                for (Thread t : threads) {
                    t.join(10_000);
                    assertFalse(t.isAlive(), t.getName() + " did not stop within 10 s");
                }
            }

            List<Integer> survivors = List.of(0, 1, 2).stream().filter(i -> i != first).toList();
            int second = awaitLeaderKnownByAll(ports, survivors, WAIT);
            assertNotEquals(ports[first], ports[second]);
            // Each client is now on the elected leader: the pool's master, and the node Lettuce's connection is on.
            assertEquals(ports[second], pool.getCurrentHostMaster().getPort(), "the pool switched masters");
            try (Jedis jedis = pool.getResource()) {
                assertEquals("n" + (second + 1), field(jedis.info("replication"), "tandem_node_id"));
                assertEquals("master", field(jedis.info("replication"), "role"));
            }
            String lettuceInfo = connection.sync().info("replication");
            assertEquals("n" + (second + 1), field(lettuceInfo, "tandem_node_id"), "the node Lettuce writes to");
            assertEquals("master", field(lettuceInfo, "role"), "the node Lettuce writes to");

            // Quorum: every acknowledged write, from either client, before or after the kill, is on the new leader.
            try (RespConnection leader = new RespConnection(ports[second])) {
                for (Writer w : writers) {
                    List<Ack> acks = w.acks();
                    List<String> keys = acks.stream().map(a -> w.key(a.op)).toList();
                    List<String> values = leader.mget(keys);
                    for (int i = 0; i < acks.size(); i++) {
                        int op = acks.get(i).op;
                        assertEquals(w.value(op), values.get(i), "acknowledged " + keys.get(i) + " on the new leader");
                    }
                    System.out.println(w.client + ": " + acks.size() + " acknowledged writes all on "
                            + ReplicaSetArgs.name(second) + "; failed attempts by cause: " + w.failureCauses());
                }
            }
        } finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * Polls {@code condition} about one writer; fails at once on a wrong reply, and after the timeout with what the
     * writer has done by then (acknowledgements, failures by cause).
     */
    private static void await(Writer w, Callable<Boolean> condition, String what, Duration timeout) {
        try {
            Await.until(() -> {
                w.failIfWrongReply();
                return condition.call();
            }, w.client + " " + what, timeout);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + w.client + ": " + w, e);
        }
    }

    /**
     * Waits until one of {@code candidates} says it is master, every other one follows it with its link up, and
     * every one names it in its Sentinel API; returns its index.
     */
    private static int awaitLeaderKnownByAll(int[] ports, List<Integer> candidates, Duration timeout) {
        return Leaders.await(ports, candidates, timeout, (node, leader) -> List.of("127.0.0.1",
                Integer.toString(ports[leader])).equals(strings(node.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                MASTER))), " and all name it as the Sentinel master");
    }

    private static long switchMasterSubscribers(int port) throws Exception {
        try (RespConnection node = new RespConnection(port)) {
            RespValue reply = node.call("PUBSUB", "NUMSUB", "+switch-master");
            if (reply instanceof RespValue.Array array && array.items().size() == 2
                    && array.items().get(1) instanceof RespValue.Int n) {
                return n.value();
            }
            throw new AssertionError("PUBSUB NUMSUB replied " + reply);
        }
    }

    private static List<String> strings(RespValue reply) {
        if (!(reply instanceof RespValue.Array array)) {
            return List.of(); // a nil array: this member knows no leader right now
        }
        return array.items().stream().map(v -> v instanceof RespValue.Bulk b
                ? new String(b.bytes(), StandardCharsets.UTF_8) : String.valueOf(v)).toList();
    }

    /** One field of INFO's text, or null. */
    private static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** One write: SET key value through a client, returning its reply. */
    @FunctionalInterface
    private interface SetCall {
        String set(String key, String value) throws Exception;
    }

    /** An acknowledged write: its operation number, when it was sent and when its OK came back. */
    private record Ack(int op, long sentNanos, long ackNanos) {}

    /**
     * One client's writer thread: SET &lt;client&gt;:k&lt;i&gt; v&lt;i&gt; for i = 0, 1, 2, ..., each key once, recording
     * which were acknowledged. A write that fails is not retried under its own key (it may or may not have been
     * applied); the next one is tried after a short pause, as an application retries with a stock client.
     */
    private static final class Writer implements Runnable {
        private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

        final String client;
        private final SetCall call;
        private final List<Ack> acks = new ArrayList<>();
        private final Map<String, Integer> failures = new TreeMap<>();
        private volatile String wrongReply;
        volatile boolean stopRequested;

        Writer(String client, SetCall call) {
            this.client = client;
            this.call = call;
        }

        String key(int op) {
            return client + ":k" + op;
        }

        String value(int op) {
            return "v" + op;
        }

        @Override
        public void run() {
            for (int op = 0; !stopRequested; op++) {
                long sent = System.nanoTime();
                String reply;
                try {
                    reply = call.set(key(op), value(op));
                } catch (Exception e) {
                    // Expected while the leader is dead and until the client knows the new one.
                    synchronized (this) {
                        failures.merge(cause(e), 1, Integer::sum);
                    }
                    LockSupport.parkNanos(RETRY_PAUSE_NANOS);
                    continue;
                }
                if (!"OK".equals(reply)) {
                    wrongReply = "SET " + key(op) + " replied " + reply;
                    return;
                }
                synchronized (this) {
                    acks.add(new Ack(op, sent, System.nanoTime()));
                }
            }
        }

        /** The exception's class and message, cut short, with the number in an ephemeral port masked. */
        private static String cause(Exception e) {
            String message = String.valueOf(e.getMessage()).replaceAll(":\\d{4,5}", ":PORT");
            String text = e.getClass().getSimpleName() + ": " + message;
            return text.length() > 100 ? text.substring(0, 100) + "..." : text;
        }

        void failIfWrongReply() {
            if (wrongReply != null) {
                throw new AssertionError(client + ": " + wrongReply);
            }
        }

        synchronized List<Ack> acks() {
            return new ArrayList<>(acks);
        }

        synchronized int acksSentAfter(long nanos) {
            int n = 0;
            for (int i = acks.size() - 1; i >= 0 && acks.get(i).sentNanos - nanos >= 0; i--) {
                n++;
            }
            return n;
        }

        synchronized Ack firstAckSentAfter(long nanos) {
            for (Ack a : acks) {
                if (a.sentNanos - nanos >= 0) {
                    return a;
                }
            }
            return null;
        }

        synchronized Map<String, Integer> failureCauses() {
            return new TreeMap<>(failures);
        }

        @Override
        public synchronized String toString() {
            return acks.size() + " acknowledged, failures " + failures;
        }
    }
}
