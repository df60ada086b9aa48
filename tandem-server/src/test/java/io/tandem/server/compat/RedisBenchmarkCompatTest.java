package io.tandem.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-benchmark runs to the end against Tandem: it first asks CONFIG GET save and appendonly, then runs
 * each test with 5 clients. Only that it works is checked here; how fast is for the benchmarks.
 */
class RedisBenchmarkCompatTest {
    @TempDir
    static Path dir;
    static TandemNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TandemNode.start(NodeConfig.forTest(dir, FsyncPolicy.BATCH));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void redisBenchmarkReportsEveryTest() throws Exception {
        RedisCli.Result result = RedisCli.exec("redis-benchmark", node.port(), "", "-n", "2000", "-c", "5", "-t",
                "set,get,incr,lpush,hset", "-q");
        System.out.println("redis-benchmark against Tandem:\n" + result);
        assertEquals(0, result.exitCode(), result.toString());
        String output = result.stdout() + result.stderr();
        assertFalse(output.contains("WARNING"), "redis-benchmark warned (could it read CONFIG GET?):\n" + result);
        assertFalse(output.contains("ERR"), result.toString());
        for (String test : new String[] {"SET", "GET", "INCR", "LPUSH", "HSET"}) {
            assertTrue(Pattern.compile("(^|[\r\n])" + test + ": [0-9.]+ requests per second").matcher(output).find(),
                    "no result line for " + test + ":\n" + result);
        }
        // What the benchmark wrote is there: redis-benchmark uses these fixed key names without -r.
        try (RespConnection conn = new RespConnection(node.port())) {
            assertEquals(":2000", conn.call("LLEN", "mylist").toString());
            assertEquals("\"2000\"", conn.call("GET", "counter:__rand_int__").toString());
            assertEquals(":3", conn.call("STRLEN", "key:__rand_int__").toString()); // -d defaults to 3 bytes
            assertEquals(":1", conn.call("HLEN", "myhash").toString());
        }
    }
}
