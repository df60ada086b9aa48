package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped with SIGTERM by the lab stops as it does for an operator: cleanly (exit 0), and everything it
 * prints while stopping still reaches its log. That output is where `tandem aot` gets its cache from: the JVM
 * writes the cache at exit, from a second process that prints as it starts, and which died of SIGPIPE when the
 * lab closed the pipes before the node had exited (Process#destroy does).
 */
class LabClusterStopTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedNodeExitsCleanlyAndItsLastLinesReachItsLog() throws Exception {
        try (LabCluster cluster = new LabCluster(dir, NodeLauncher.inheritedJvmOptions(),
                List.of("--fsync", "never", "--election-timeout-millis", "0"), false)) {
            cluster.startAll();
            assertEquals(0, cluster.stop(2, 30_000), "exit code of a node stopped with SIGTERM");
            assertEquals(-1, cluster.clientPort(2), "n3 is down");
            Path log = cluster.logFile(2);
            // The pump copies the node's output as it comes: wait for the line it prints last (bounded).
            Await.until(() -> Files.readString(log).contains("Tandem stopped"), "n3's log to end with its"
                    + " 'Tandem stopped' line", Duration.ofSeconds(10));
            assertTrue(cluster.clientPort(0) > 0, "n1 still serves");
        }
    }
}
