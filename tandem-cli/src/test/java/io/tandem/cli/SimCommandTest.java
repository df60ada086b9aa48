package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code tandem sim}, as a user types it: in process, output captured. */
class SimCommandTest {
    private final CliRun cli = new CliRun();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int tandem(String... args) {
        return cli.tandem(args);
    }

    @Test
    void aSoakRunsTheSeedsAndSaysHowManyFailed() {
        assertEquals(0, tandem("sim", "--seeds", "4", "--first-seed", "100"));
        assertTrue(out.toString().startsWith("4 leader-follower schedules (seeds 100..103): 0 failed;"), out.toString());
    }

    @Test
    void aFailoverSoakCountsLeadershipsAndRollbacks() {
        assertEquals(0, tandem("sim", "--failover", "--seeds", "3"));
        assertTrue(out.toString().startsWith("3 failover schedules (seeds 0..2): 0 failed;"), out.toString());
        assertTrue(out.toString().contains(" leaderships, "), out.toString());
    }

    @Test
    void aReplayPrintsTheSeedsConfigurationFaultsAndResult() {
        assertEquals(0, tandem("sim", "--failover", "--seed", "859"));
        String text = out.toString();
        assertTrue(text.startsWith("seed 859: all at durable\n"), text);
        assertTrue(text.contains("faults:\n"), text);
        assertTrue(text.contains("isolate the leader"), text);
        assertTrue(text.contains("SimulationResult[seed=859"), text);
    }

    @Test
    void aSoakWithAckChangesChangesTheSettingsMidRunAndRefusesFailoverRuns() {
        assertEquals(0, tandem("sim", "--ack-changes", "--seeds", "3"));
        assertTrue(out.toString().startsWith("3 leader-follower (with ack changes) schedules (seeds 0..2): 0 failed;"),
                out.toString());
        assertEquals(0, tandem("sim", "--ack-changes", "--seed", "5"));
        assertTrue(out.toString().contains("CONFIG SET ack-policy '"), out.toString());
        assertNotEquals(0, tandem("sim", "--ack-changes", "--failover", "--seeds", "3"));
        assertTrue(err.toString().contains("--ack-changes runs leader-follower schedules"), err.toString());
    }

    @Test
    void aBadSeedCountIsRefusedByName() {
        assertNotEquals(0, tandem("sim", "--seeds", "0"));
        assertTrue(err.toString().contains("--seeds must be between 1 and 1000000, got 0"), err.toString());
    }
}
