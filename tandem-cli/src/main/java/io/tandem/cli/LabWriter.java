package io.tandem.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The lab's client: one Jedis connection to the current leader (as {@link LabMonitor} sees it), writing
 * {@code SET <prefix>:<seq> <value>} for seq 0, 1, 2, ... one at a time, each key once. After each {@code OK}
 * it asks {@code TANDEM.LSN} for the token of that write ({@code term:lsn}) and records the acknowledgement:
 * key, node, term, LSN, wall time. On any error or timeout it drops the connection and goes to whichever node
 * leads then (never back to the node it failed on before that node answered the monitor again).
 */
final class LabWriter implements Runnable {
    private static final ProtocolCommand TANDEM_LSN = () -> "TANDEM.LSN".getBytes(StandardCharsets.US_ASCII);

    /** One acknowledged write. {@code term} is -1 when the token could not be read (the write still counts). */
    record Ack(long seq, int node, long term, long lsn, long sentMillis, long ackMillis, long ackNanos) {}

    private final LabMonitor monitor;
    private final LabCluster cluster;
    private final String prefix;
    private final int timeoutMillis;
    private final List<Ack> acks = new ArrayList<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private final long[] failedAtNanos = new long[LabCluster.SIZE];
    private volatile boolean stop;
    private volatile long sent;
    private final Thread thread;

    LabWriter(LabMonitor monitor, LabCluster cluster, String prefix, int timeoutMillis) {
        this.monitor = monitor;
        this.cluster = cluster;
        this.prefix = prefix;
        this.timeoutMillis = timeoutMillis;
        this.thread = new Thread(this, "lab-writer");
        this.thread.setDaemon(true);
    }

    String key(long seq) {
        return prefix + ":" + seq;
    }

    String value(long seq) {
        return "v" + seq + "-" + prefix;
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        Jedis jedis = null;
        int node = -1;
        long seq = 0;
        while (!stop) {
            if (jedis == null) {
                node = monitor.leader(failedAtNanos);
                int port = node < 0 ? -1 : cluster.clientPort(node);
                if (port < 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    continue;
                }
                try {
                    jedis = LabMonitor.connect(port, timeoutMillis);
                    jedis.ping();
                } catch (RuntimeException e) {
                    jedis = close(jedis, node, e);
                    continue;
                }
            }
            long s = seq++;
            sent = seq;
            long sentMillis = System.currentTimeMillis();
            try {
                String reply = jedis.set(key(s), value(s));
                if (!"OK".equals(reply)) {
                    count("SET replied " + reply);
                    continue;
                }
            } catch (JedisDataException e) {
                jedis = close(jedis, node, e); // READONLY, TRYAGAIN, an ack timeout: not acknowledged
                continue;
            } catch (RuntimeException e) {
                jedis = close(jedis, node, e);
                continue;
            }
            long ackNanos = System.nanoTime();
            long ackMillis = System.currentTimeMillis();
            long term = -1;
            long lsn = -1;
            try {
                Object token = jedis.sendCommand(TANDEM_LSN);
                String text = token instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : String.valueOf(token);
                int colon = text.indexOf(':');
                term = Long.parseLong(text.substring(0, colon));
                lsn = Long.parseLong(text.substring(colon + 1));
            } catch (RuntimeException e) {
                record(new Ack(s, node, -1, -1, sentMillis, ackMillis, ackNanos));
                jedis = close(jedis, node, e);
                continue;
            }
            if (term > 0) {
                monitor.knownElected(term, ackMillis, node);
            }
            record(new Ack(s, node, term, lsn, sentMillis, ackMillis, ackNanos));
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private Jedis close(Jedis jedis, int node, RuntimeException e) {
        if (jedis != null) {
            jedis.close();
        }
        failedAtNanos[node] = System.nanoTime();
        String kind;
        if (e instanceof JedisDataException) {
            String message = String.valueOf(e.getMessage());
            int space = message.indexOf(' ');
            kind = "error reply " + (space < 0 ? message : message.substring(0, space));
        } else if (e instanceof JedisConnectionException) {
            kind = "connection lost or timed out";
        } else {
            kind = e.getClass().getSimpleName();
        }
        count(kind);
        return null;
    }

    private synchronized void count(String kind) {
        errors.merge(kind, 1L, Long::sum);
    }

    private synchronized void record(Ack ack) {
        acks.add(ack);
    }

    /** Stops after the current write and waits for the thread. */
    void stop() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }

    synchronized int ackCount() {
        return acks.size();
    }

    synchronized Ack lastAck() {
        return acks.isEmpty() ? null : acks.get(acks.size() - 1);
    }

    /** The first acknowledgement at index {@code from} or later that matches, or null. */
    synchronized Ack firstAck(int from, Predicate<Ack> matching) {
        for (int i = from; i < acks.size(); i++) {
            if (matching.test(acks.get(i))) {
                return acks.get(i);
            }
        }
        return null;
    }

    synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    synchronized Map<String, Long> errors() {
        return new TreeMap<>(errors);
    }

    long sent() {
        return sent;
    }
}
