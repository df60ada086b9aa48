package io.tandem.server.compat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few thousand seeded random commands over six keys, run against Redis and Tandem over one raw connection
 * each (RESP2, and RESP3 after HELLO 3): the transcripts must be equal. A failure prints the seed; repeat it with
 * -Dtandem.compat.seed=N (and -Dtandem.compat.randomCommands=M to change the length).
 */
class RandomizedDifferentialTest {
    private static final int COMMANDS = Integer.getInteger("tandem.compat.randomCommands", 3000);

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

    @Test
    void randomCommandsGetTheSameRepliesAsRedis() throws IOException {
        run(false);
    }

    @Test
    void randomCommandsOverResp3GetTheSameRepliesAsRedis() throws IOException {
        run(true);
    }

    private static void run(boolean resp3) throws IOException {
        long seed = Long.getLong("tandem.compat.seed", System.nanoTime());
        String title = "random commands" + (resp3 ? " over RESP3" : "") + ", seed " + seed;
        System.out.println(title + " (-Dtandem.compat.seed=" + seed + ")");
        List<ScriptLine> lines = new ArrayList<>();
        if (resp3) {
            lines.add(ScriptLine.command("hello", "mask", List.of("server,version,id"), "HELLO", "3"));
        }
        lines.addAll(new RandomCommandGenerator(seed).generate(COMMANDS));
        String diff = servers.diff(title, lines);
        if (diff != null) {
            String message = "Tandem and Redis differ on " + title + "; repeat with -Dtandem.compat.seed=" + seed
                    + " (the first difference is the one to look at; later ones may follow from it)\n" + diff
                    + "\n(compared with " + RedisServerProcess.version() + ")";
            System.out.println(message);
            throw new AssertionError(message);
        }
    }
}
