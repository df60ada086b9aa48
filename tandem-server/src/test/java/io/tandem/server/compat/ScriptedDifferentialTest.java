package io.tandem.server.compat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts under src/test/resources/compat/scripts, each run over one raw RESP2 connection against a
 * real Redis 7 and against Tandem: the reply transcripts must be equal. To cover more, add lines to a
 * script (or a script and a test here); see {@link ScriptParser} for the format.
 */
class ScriptedDifferentialTest {
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
    void connectionCommands() throws Exception {
        servers.assertSameTranscript("connection.redis");
    }

    @Test
    void strings() throws Exception {
        servers.assertSameTranscript("strings.redis");
    }

    @Test
    void integers() throws Exception {
        servers.assertSameTranscript("integers.redis");
    }

    @Test
    void keys() throws Exception {
        servers.assertSameTranscript("keys.redis");
    }

    @Test
    void expiry() throws Exception {
        servers.assertSameTranscript("expiry.redis");
    }

    @Test
    void hashes() throws Exception {
        servers.assertSameTranscript("hashes.redis");
    }

    @Test
    void sets() throws Exception {
        servers.assertSameTranscript("sets.redis");
    }

    @Test
    void lists() throws Exception {
        servers.assertSameTranscript("lists.redis");
    }

    @Test
    void transactions() throws Exception {
        servers.assertSameTranscript("transactions.redis");
    }

    @Test
    void resp3AfterHello3() throws Exception {
        servers.assertSameTranscript("resp3.redis");
    }

    @Test
    void setOptionCombinations() throws Exception {
        servers.assertSameTranscript("SET option combinations", SetOptionCombinations.lines());
    }

    @Test
    void popCounts() throws Exception {
        servers.assertSameTranscript("pop-count.redis");
    }

    @Test
    void sessionCommandsInsideMultiAreQueued() throws Exception {
        servers.assertSameTranscript("transactions-session-commands.redis");
    }

    @Test
    void aRejectedExecDiscardsTheTransaction() throws Exception {
        servers.assertSameTranscript("transactions-exec-rejected.redis");
    }

    @Test
    void waitWithoutReplicas() throws Exception {
        servers.assertSameTranscript("wait.redis");
    }
}
