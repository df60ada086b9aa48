package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM stops a node cleanly: its data is all there at the next start, and its log says it stopped. */
class SigtermShutdownTest {
    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    @Test
    void sigtermKeepsEveryWrite() throws Exception {
        Path data = tmp.resolve("data");
        NodeProcess node = nodes.start("first", data, "--fsync", "everysec");
        try (RespConnection conn = new RespConnection(node.port())) {
            for (int i = 0; i < 500; i++) {
                assertTrue(RespConnection.isOk(conn.call("SET", "k" + i, "v" + i)));
            }
        }
        // everysec acknowledges before its fsync; a clean stop must still leave every acknowledged write.
        node.stop();
        NodeProcess again = nodes.start("again", data, "--fsync", "everysec");
        try (RespConnection conn = new RespConnection(again.port())) {
            assertEquals(500, conn.dbsize());
            assertEquals("v499", conn.mget(List.of("k499")).get(0));
        }
        again.stop();
    }
    @Test
    void sigtermLogsTheStop() throws Exception {
        NodeProcess node = nodes.start("node", tmp.resolve("data"));
        node.stop();
        assertTrue(node.stderr().contains("Tandem stopped"), "stderr:\n" + node.stderr());
    }
}
