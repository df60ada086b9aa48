package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * idle-spin-micros as a user meets it: the node's event loop thread keeps polling after work when told to
 * (its CPU time grows while no client sends anything), does not when set to 0, and CONFIG SET changes the
 * setting within its bounds.
 */
class IdleSpinTest {
    /**
     * CPU time that shows the loop polled: polling takes up to a core (it yields to anyone else who wants it),
     * while an idle loop that blocks took ~3 ms per second here (ticks), 20 ms only after 6-7 s.
     */
    private static final long SPIN_SEEN_CPU_NANOS = 50_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private static NodeConfig config(Path dataDir, int idleSpinMicros) {
        return NodeConfigLoader.load(Map.of("port", "0", "admin-port", "-1", "data-dir", dataDir.toString(),
                "fsync", "never", "idle-spin-micros", Integer.toString(idleSpinMicros)), Map.of(), null);
    }

    /** CPU time of every node event loop thread in this JVM (the one node of each test; others are closed). */
    private static long agentCpuNanos() {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("tandem-agent")) {
                sum += Math.max(0, THREADS.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    @Test
    void withAWindowTheLoopKeepsPollingAfterWorkWithNoClientSendingAnything() throws Exception {
        // 100 ms, as long as the time between ticks: each tick's work opens the next window before the last ends.
        try (TandemNode node = TandemNode.start(config(dir, 100_000));
                Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            assertEquals("PONG", jedis.ping());
            long before = agentCpuNanos();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (agentCpuNanos() - before < SPIN_SEEN_CPU_NANOS) {
                assertTrue(System.nanoTime() < deadline, "the loop used "
                        + (agentCpuNanos() - before) / 1_000_000 + " ms of CPU in 2 s: it did not poll");
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void atZeroAnIdleNodeBlocksAndCostsNoCpu() throws Exception {
        try (TandemNode node = TandemNode.start(config(dir, 0)); Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            assertEquals("0", jedis.configGet("idle-spin-micros").get("idle-spin-micros"));
            assertEquals("PONG", jedis.ping());
            long before = agentCpuNanos();
            // A window to measure over, not a wait for a condition: three ticks' worth of idleness.
            Thread.sleep(300);
            long used = agentCpuNanos() - before;
            assertTrue(used < SPIN_SEEN_CPU_NANOS, "an idle loop used " + used / 1_000_000 + " ms of CPU in 300 ms");
        }
    }

    @Test
    void configSetChangesItWithinItsBounds() throws Exception {
        try (TandemNode node = TandemNode.start(NodeConfig.forTest(dir, io.tandem.storage.wal.FsyncPolicy.NEVER));
                Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            assertEquals("300", jedis.configGet("idle-spin-micros").get("idle-spin-micros"), "the default");
            for (String bad : List.of("-1", "100001", "fast")) {
                JedisDataException refused = assertThrows(JedisDataException.class,
                        () -> jedis.configSet("idle-spin-micros", bad));
                assertTrue(refused.getMessage().contains("idle-spin-micros"), refused.getMessage());
            }
            assertEquals("300", jedis.configGet("idle-spin-micros").get("idle-spin-micros"),
                    "a refused value changes nothing");
            assertEquals("OK", jedis.configSet("idle-spin-micros", "0"));
            assertEquals("0", jedis.configGet("idle-spin-micros").get("idle-spin-micros"));
            jedis.set("k", "v");
            assertEquals("v", jedis.get("k"), "the node serves as before");
        }
    }
}
