package io.tandem.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-cli against Tandem: one-shot commands (formatted for a pipe, --raw, --no-raw, -3), commands piped
 * on stdin, -x, -r, --pipe and --scan. Each invocation's output (and exit code) must be what the same
 * invocation prints against a real Redis; a few are also checked literally.
 */
class RedisCliCompatTest {
    @TempDir
    static Path dir;
    static DifferentialServers servers;

    @BeforeAll
    static void start() throws Exception {
        servers = DifferentialServers.start(dir);
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    private record Invocation(String stdin, boolean sortLines, String... args) {
        @Override
        public String toString() {
            return "redis-cli " + String.join(" ", args) + (stdin.isEmpty() ? "" : " <<< " + stdin.replace("\n", "\\n")
                    .replace("\r", "\\r"));
        }
    }

    private static Invocation cli(String... args) {
        return new Invocation("", false, args);
    }

    private static Invocation piped(String stdin, String... args) {
        return new Invocation(stdin, false, args);
    }

    private static final String SCRIPT = "SET a 1\nINCR a\nGET a\nRPUSH l2 x y\nLRANGE l2 0 -1\nHGETALL h\nGET nope\n"
            + "INCR l2\nNOSUCH cmd\nMULTI\nSET t 1\nINCR t\nEXEC\nPING\nECHO \"two words\"\n";

    private static final List<Invocation> INVOCATIONS = List.of(
            cli("PING"),
            cli("SET", "k", "v"),
            cli("GET", "k"),
            cli("--raw", "GET", "k"),
            cli("--no-raw", "GET", "k"),
            cli("GET", "missing"),
            cli("--no-raw", "GET", "missing"),
            cli("SET", "nl", "a\nb"),
            cli("--raw", "GET", "nl"),
            cli("--no-raw", "GET", "nl"),
            cli("INCR", "k"),
            cli("--no-raw", "INCR", "k"),
            cli("INCR", "n"),
            cli("--no-raw", "INCRBY", "n", "10"),
            cli("RPUSH", "l", "x", "y", "z"),
            cli("LRANGE", "l", "0", "-1"),
            cli("--no-raw", "LRANGE", "l", "0", "-1"),
            cli("--no-raw", "LRANGE", "nolist", "0", "-1"),
            cli("HSET", "h", "f", "v", "g", "w"),
            cli("HGETALL", "h"),
            cli("--no-raw", "HGETALL", "h"),
            cli("-3", "HGETALL", "h"),
            cli("-3", "--no-raw", "HGETALL", "h"),
            cli("-3", "--no-raw", "GET", "missing"),
            cli("-3", "--no-raw", "HGETALL", "missing"),
            cli("--no-raw", "TYPE", "h"),
            cli("EXPIRE", "k", "100"),
            cli("--no-raw", "TTL", "k"),
            cli("--no-raw", "NOSUCH", "a", "b"),
            cli("--no-raw", "GET"),
            cli("--no-raw", "ECHO", "with space"),
            cli("DBSIZE"),
            piped(SCRIPT),
            piped(SCRIPT.replace("SET a 1", "SET a 5"), "--no-raw"),
            piped("hello\n", "-x", "SET", "fromstdin"),
            cli("--no-raw", "GET", "fromstdin"),
            cli("-r", "3", "INCR", "repeated"),
            piped("*3\r\n$3\r\nSET\r\n$5\r\npiped\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$5\r\npiped\r\n"
                    + "*2\r\n$4\r\nINCR\r\n$1\r\nh\r\n", "--pipe"),
            cli("GET", "piped"),
            new Invocation("", true, "--scan"),
            new Invocation("", true, "--scan", "--pattern", "l*"),
            cli("FLUSHALL"),
            cli("DBSIZE"));

    @Test
    void redisCliPrintsWhatItPrintsAgainstRedis() throws Exception {
        List<String> fromRedis = runAll(servers.redisPort());
        List<String> fromTandem = runAll(servers.tandemPort());
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < INVOCATIONS.size(); i++) {
            if (!fromRedis.get(i).equals(fromTandem.get(i))) {
                differences.add(INVOCATIONS.get(i) + "\n  against redis:\n" + indent(fromRedis.get(i))
                        + "\n  against tandem:\n" + indent(fromTandem.get(i)));
            }
        }
        assertEquals("", String.join("\n\n", differences), differences.size() + " redis-cli invocations print"
                + " something else against Tandem than against Redis");
    }

    private static List<String> runAll(int port) throws Exception {
        try (RespConnection conn = new RespConnection(port)) {
            assertEquals("+OK", conn.call("FLUSHALL").toString());
        }
        List<String> outputs = new ArrayList<>();
        for (Invocation invocation : INVOCATIONS) {
            RedisCli.Result result = RedisCli.exec("redis-cli", port, invocation.stdin(), invocation.args());
            String stdout = result.stdout();
            if (invocation.sortLines()) {
                String[] lines = stdout.split("\n");
                Arrays.sort(lines);
                stdout = String.join("\n", lines);
            }
            outputs.add(new RedisCli.Result(result.exitCode(), stdout, result.stderr()).toString());
        }
        return outputs;
    }

    private static String indent(String s) {
        return "    " + s.replace("\n", "\n    ");
    }

    @Test
    void literalOutputs() throws Exception {
        int port = servers.tandemPort();
        assertEquals("OK\n", RedisCli.run(port, "", "SET", "lit", "v"));
        assertEquals("v\n", RedisCli.run(port, "", "GET", "lit"));
        assertEquals("v\n", RedisCli.run(port, "", "--raw", "GET", "lit"));
        assertEquals("\"v\"\n", RedisCli.run(port, "", "--no-raw", "GET", "lit"));
        assertEquals("OK\n2\n2\n", RedisCli.run(port, "SET c 1\nINCR c\nGET c\n"));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value\n\n",
                RedisCli.run(port, "", "LPUSH", "lit", "x"));
    }
}
