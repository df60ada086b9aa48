package io.tandem.sim;

import io.tandem.sim.sim.Trace;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shrinks a failing seed's fault schedule: drops one fault at a time and keeps the drop whenever the run
 * still fails on the same invariant (greedy delta debugging; the rest of the run follows from the seed).
 * Used by the replay test with -Dtandem.sim.minimize=true; prints the smaller replay line.
 */
final class Minimizer {
    private Minimizer() {}

    /** The indices of the faults that still make the seed fail as {@code failure} did. */
    static Set<Integer> minimize(long seed, SimulationConfig.Overrides overrides, SimulationFailure failure) {
        Set<Integer> kept = new TreeSet<>();
        int count = SimulationConfig.fromSeed(seed, withFaults(overrides, null)).faults().faults().size();
        for (int i = 0; i < count; i++) {
            if (overrides.faults() == null || overrides.faults().contains(i)) {
                kept.add(i);
            }
        }
        for (int candidate : Set.copyOf(kept).stream().sorted().toList()) {
            Set<Integer> without = new TreeSet<>(kept);
            without.remove(candidate);
            if (failsTheSameWay(seed, withFaults(overrides, without), failure)) {
                kept = without;
            }
        }
        return kept;
    }

    private static boolean failsTheSameWay(long seed, SimulationConfig.Overrides overrides, SimulationFailure failure) {
        try {
            ReplicaSetSimulation.run(SimulationConfig.fromSeed(seed, overrides),
                    new Trace(ReplicaSetSimulation.TRACE_CAPACITY, false));
            return false;
        } catch (SimulationFailure other) {
            return other.invariant().equals(failure.invariant());
        }
    }

    static SimulationConfig.Overrides withFaults(SimulationConfig.Overrides overrides, Set<Integer> faults) {
        return new SimulationConfig.Overrides(overrides.policy(), overrides.level(), faults, overrides.maxFaults(),
                overrides.ackChanges());
    }
}
