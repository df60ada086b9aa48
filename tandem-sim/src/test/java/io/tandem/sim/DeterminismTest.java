package io.tandem.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sim.sim.Trace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One seed, one run: the full event trace of two runs of a seed is the same, line for line. */
class DeterminismTest {

    private static List<String> trace(long seed) {
        Trace trace = new Trace(16, true);
        ReplicaSetSimulation.run(SimulationConfig.fromSeed(seed), trace);
        return trace.all();
    }

    @Test
    void sameSeedSameTrace() {
        // Seeds with faults of every kind and a policy that waits for replicas (quorum: seed mod 7 = 3).
        for (long seed : new long[] {3, 24, 1003}) {
            List<String> first = trace(seed);
            List<String> second = trace(seed);
            assertTrue(first.size() > 1000, "a run of seed " + seed + " has only " + first.size() + " lines");
            assertEquals(first.size(), second.size(), "trace lengths of seed " + seed);
            for (int i = 0; i < first.size(); i++) {
                assertEquals(first.get(i), second.get(i), "line " + i + " of seed " + seed);
            }
        }
    }

    @Test
    void differentSeedsDiffer() {
        assertNotEquals(trace(5), trace(5 + SimulationConfig.COMBINATIONS));
    }

    @Test
    void configFollowsFromTheSeed() {
        SimulationConfig a = SimulationConfig.fromSeed(77);
        SimulationConfig b = SimulationConfig.fromSeed(77);
        assertEquals(a.describe(), b.describe());
        assertEquals(a.faults().describe(), b.faults().describe());
        assertEquals(SimulationConfig.POLICIES.get(77 % 7), a.replicaSet().ackPolicy().toString());
        assertEquals(SimulationConfig.LEVELS.get((77 / 7) % 3), a.replicaSet().ackLevel());
    }
}
