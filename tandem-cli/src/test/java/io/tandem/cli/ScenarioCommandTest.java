package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code tandem scenario}, as a user types it: in process, output captured. */
class ScenarioCommandTest {
    private final CliRun cli = new CliRun();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int tandem(String... args) {
        return cli.tandem(args);
    }

    @Test
    void listShowsEveryScenarioWithItsDescription() {
        assertEquals(0, tandem("scenario", "list"));
        for (String name : new String[] {"async-stale-reads", "semi-sync", "quorum-partition", "delayed-replica"}) {
            assertTrue(out.toString().lines().anyMatch(line -> line.startsWith(name + " ")), name + " in\n" + out);
        }
    }

    @Test
    void runPrintsTheTimelineAndWhatItShows() {
        assertEquals(0, tandem("scenario", "run", "async-stale-reads"));
        String text = out.toString();
        assertTrue(text.startsWith("Scenario async-stale-reads\n"), text);
        assertTrue(text.contains("client sends SET k v1 to n1"), text);
        assertTrue(text.contains("STALE: n2 has applied up to LSN 0"), text);
        assertTrue(text.contains("\nWhat this shows\n"), text);
    }

    @Test
    void anUnknownScenarioIsAnErrorNamingTheValidOnes() {
        assertNotEquals(0, tandem("scenario", "run", "no-such-thing"));
        assertTrue(err.toString().contains("no scenario named \"no-such-thing\""), err.toString());
        assertTrue(err.toString().contains("async-stale-reads, semi-sync"), err.toString());
        assertEquals("", out.toString());
    }
}
