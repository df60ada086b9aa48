package io.tandem.cli;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * The lab's view of the replica set: one thread per node polls its {@code INFO replication} every
 * {@link #POLL_MILLIS} ms on its own connection (a paused node holds up only its own poller). Records, per
 * term, when a node was first seen leading it (wall clock): with the writer's acknowledgements, the times at
 * which each leader was known to be elected.
 */
final class LabMonitor implements AutoCloseable {
    static final long POLL_MILLIS = 20;
    /** A view older than this is not trusted (its node did not answer since). */
    static final long FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);

    /** One node's answer; {@code up} false when it did not answer (down, paused, starting). */
    record View(long atNanos, boolean up, String role, long term, String leader, boolean linkUp, int streaming,
            boolean rewinding) {
        boolean leads() {
            return up && "master".equals(role);
        }
    }

    /** When a term's leader was first known, and which node it was. */
    record Elected(long atMillis, int node) {}

    private final LabCluster cluster;
    private final int timeoutMillis;
    private final AtomicReferenceArray<View> views = new AtomicReferenceArray<>(LabCluster.SIZE);
    private final Map<Long, Elected> elected = new ConcurrentHashMap<>();
    private final Thread[] pollers = new Thread[LabCluster.SIZE];
    private volatile boolean stop;

    LabMonitor(LabCluster cluster, int timeoutMillis) {
        this.cluster = cluster;
        this.timeoutMillis = timeoutMillis;
        for (int i = 0; i < LabCluster.SIZE; i++) {
            views.set(i, new View(0, false, "", 0, "", false, 0, false));
            int index = i;
            pollers[i] = new Thread(() -> poll(index), "lab-monitor-" + LabCluster.name(i));
            pollers[i].setDaemon(true);
        }
    }

    void start() {
        for (Thread t : pollers) {
            t.start();
        }
    }

    private void poll(int index) {
        Jedis jedis = null;
        int port = -1;
        while (!stop) {
            int now = cluster.clientPort(index);
            if (jedis != null && now != port) {
                jedis.close();
                jedis = null;
            }
            port = now;
            if (port < 0) {
                views.set(index, new View(System.nanoTime(), false, "", 0, "", false, 0, false));
            } else {
                try {
                    if (jedis == null) {
                        jedis = connect(port, timeoutMillis);
                    }
                    View view = parse(jedis.info("replication"));
                    views.set(index, view);
                    if (view.leads()) {
                        knownElected(view.term(), System.currentTimeMillis(), index);
                    }
                } catch (RuntimeException e) { // Jedis's exceptions are unchecked
                    if (jedis != null) {
                        jedis.close();
                        jedis = null;
                    }
                    View last = views.get(index);
                    if (!cluster.isPaused(index) || last.atNanos() == 0) {
                        views.set(index, new View(System.nanoTime(), false, "", 0, "", false, 0, false));
                    }
                    // a paused node's last view stays, ageing: the writer sees it was not refreshed
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    static Jedis connect(int port, int timeoutMillis) {
        JedisClientConfig config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis).build();
        return new Jedis(new HostAndPort("127.0.0.1", port), config);
    }

    private static View parse(String info) {
        String role = "";
        String leader = "";
        long term = 0;
        boolean link = false;
        int streaming = 0;
        boolean rewinding = false;
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "role" -> role = value;
                case "tandem_term" -> term = Long.parseLong(value);
                case "tandem_leader" -> leader = value;
                case "master_link_status" -> link = "up".equals(value);
                case "tandem_rewinding" -> rewinding = "1".equals(value);
                default -> {
                    if (key.startsWith("tandem_replica") && value.contains("state=streaming")) {
                        streaming++;
                    }
                }
            }
        }
        return new View(System.nanoTime(), true, role, term, leader, link, streaming, rewinding);
    }

    /** Records that {@code node} led {@code term} at {@code atMillis}, unless an earlier sighting is known. */
    void knownElected(long term, long atMillis, int node) {
        elected.merge(term, new Elected(atMillis, node), (a, b) -> a.atMillis() <= b.atMillis() ? a : b);
    }

    Map<Long, Elected> elected() {
        return Map.copyOf(elected);
    }

    View view(int index) {
        return views.get(index);
    }

    /**
     * The node that leads the highest term among fresh views whose answer came after {@code notBeforeNanos[i]}
     * (a node the writer just failed on counts again only once it answered since), or -1.
     */
    int leader(long[] notBeforeNanos) {
        long now = System.nanoTime();
        int best = -1;
        long bestTerm = -1;
        for (int i = 0; i < LabCluster.SIZE; i++) {
            View v = views.get(i);
            if (v.leads() && now - v.atNanos() <= FRESH_NANOS && v.atNanos() > notBeforeNanos[i]
                    && v.term() > bestTerm) {
                best = i;
                bestTerm = v.term();
            }
        }
        return best;
    }

    /**
     * All three answer; one leads the highest term; the other two follow it in that term with their link up;
     * it streams to both; none rewinds. Returns the leader's index, or -1.
     */
    int healthyLeader() {
        long now = System.nanoTime();
        int leader = -1;
        long maxTerm = -1;
        for (int i = 0; i < LabCluster.SIZE; i++) {
            View v = views.get(i);
            if (!v.up() || now - v.atNanos() > FRESH_NANOS || v.rewinding()) {
                return -1;
            }
            maxTerm = Math.max(maxTerm, v.term());
            if (v.leads()) {
                if (leader >= 0) {
                    return -1;
                }
                leader = i;
            }
        }
        if (leader < 0 || views.get(leader).term() != maxTerm || views.get(leader).streaming() != LabCluster.SIZE - 1) {
            return -1;
        }
        for (int i = 0; i < LabCluster.SIZE; i++) {
            View v = views.get(i);
            if (i != leader && (!LabCluster.name(leader).equals(v.leader()) || !v.linkUp() || v.term() != maxTerm)) {
                return -1;
            }
        }
        return leader;
    }

    @Override
    public void close() {
        stop = true;
        for (Thread t : pollers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
