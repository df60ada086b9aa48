package io.tandem.server.replication;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.server.net.FreePorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Three real nodes in this JVM (real sockets, real WALs under {@code dir/nI}): n1 leads, n2 and n3 follow it.
 * Client ports are ephemeral; peer ports are picked free just before the start, outside the ephemeral range
 * ({@link FreePorts}), since every node must know the others' peer ports up front. Flags set with
 * {@link #set} apply to every node, {@link #setOn} to one. The same node can be stopped and started again on
 * its data directory and ports.
 */
final class ThreeNodeCluster implements AutoCloseable {
    static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int[] peerPorts = new int[3];
    private final Map<String, String> common = new LinkedHashMap<>();
    private final List<Map<String, String>> perNode = List.of(new LinkedHashMap<>(), new LinkedHashMap<>(),
            new LinkedHashMap<>());
    private final TandemNode[] nodes = new TandemNode[3];

    ThreeNodeCluster(Path dir) {
        this.dir = dir;
        // Generous: on a loaded machine a follower's acknowledgement can take a while, and a timed-out
        // write would fail the test for the wrong reason.
        common.put("ack-timeout-millis", "5000");
    }

    /** Sets a flag on every node (before {@link #start}). */
    ThreeNodeCluster set(String key, String value) {
        common.put(key, value);
        return this;
    }

    /** Sets a flag on one node, 0-based (n1 is 0). */
    ThreeNodeCluster setOn(int index, String key, String value) {
        perNode.get(index).put(key, value);
        return this;
    }

    /** Picks the peer ports and starts n1, n2, n3 in that order. */
    ThreeNodeCluster start() throws IOException {
        for (int i = 0; i < 3; i++) {
            peerPorts[i] = FreePorts.outsideEphemeralRange();
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        return this;
    }

    /** Starts (or starts again) one node on its data directory and peer port. */
    TandemNode start(int index) throws IOException {
        if (nodes[index] != null) {
            throw new IllegalStateException("n" + (index + 1) + " is running");
        }
        nodes[index] = TandemNode.start(config(index));
        return nodes[index];
    }

    /** Stops one node cleanly. */
    void stop(int index) {
        if (nodes[index] != null) {
            nodes[index].close();
            nodes[index] = null;
        }
    }

    TandemNode node(int index) {
        if (nodes[index] == null) {
            throw new IllegalStateException("n" + (index + 1) + " is not running");
        }
        return nodes[index];
    }

    /** The client port of node {@code index}. */
    int port(int index) {
        return node(index).port();
    }

    NodeConfig config(int index) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("port", "0");
        flags.put("admin-port", "-1");
        flags.put("data-dir", dir.resolve("n" + (index + 1)).toString());
        flags.put("node-id", "n" + (index + 1));
        flags.put("peer-port", Integer.toString(peerPorts[index]));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i != index) {
                peers.add("n" + (i + 1) + "=127.0.0.1:" + peerPorts[i]);
            }
        }
        flags.put("peers", String.join(",", peers));
        if (index > 0) {
            flags.put("replica-of", "n1");
        }
        flags.putAll(common);
        flags.putAll(perNode.get(index));
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    @Override
    public void close() {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
    }

    /**
     * Reads a value again and again until it is acceptable, and returns that value (so that what is checked
     * next is the very snapshot that passed); fails like {@link #await}.
     */
    static <T> T awaitValue(Callable<T> read, Predicate<T> acceptable, String what) {
        List<T> last = new ArrayList<>(1);
        try {
            await(() -> {
                T value = read.call();
                last.clear();
                last.add(value);
                return acceptable.test(value);
            }, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last value: " + (last.isEmpty() ? "none" : last.get(0)),
                    e.getCause());
        }
        return last.get(0);
    }

    /**
     * Asks again and again until the condition holds, failing after {@link #AWAIT_TIMEOUT}. An exception from
     * an attempt counts as "not yet" (a node may still be starting) and is reported if the deadline passes.
     */
    static void await(Callable<Boolean> condition, String what) {
        long deadline = System.nanoTime() + AWAIT_TIMEOUT.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error = new AssertionError("timed out after " + AWAIT_TIMEOUT.toSeconds()
                        + " s waiting: " + what + (last == null ? "" : " (last attempt: " + last + ")"));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // polling a condition, not waiting a fixed time
        }
    }

    /**
     * Holds node {@code index}'s event loop (and so its agent) until {@code release}, or a minute at most: the node
     * stalls with its sockets open, as a process stopped by SIGSTOP does. Returns once the loop is held.
     */
    void hold(int index, CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        node(index).agent().loop().execute(() -> {
            held.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!held.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("n" + (index + 1) + "'s event loop was not held within 10 s");
        }
    }
}
