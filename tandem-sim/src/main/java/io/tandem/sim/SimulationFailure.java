package io.tandem.sim;

import io.tandem.sim.check.InvariantViolation;
import io.tandem.sim.sim.Cluster;

/**
 * A failed run, with everything needed to understand and replay it: the seed (the whole run follows from
 * it), the command line that replays it, the configuration, the fault schedule, the last operations and
 * the last events of the trace.
 */
public final class SimulationFailure extends AssertionError {
    private final long seed;
    private final String invariant;

    private SimulationFailure(long seed, String invariant, String message, Throwable cause) {
        super(message, cause);
        this.seed = seed;
        this.invariant = invariant;
    }

    public long seed() {
        return seed;
    }

    /** The invariant that broke ("log prefix", "convergence", ...), or "core invariant" / "crash". */
    public String invariant() {
        return invariant;
    }

    static SimulationFailure of(SimulationConfig config, Cluster cluster, Throwable cause, int traceLines) {
        String invariant = switch (cause) {
            case InvariantViolation v -> v.invariant();
            case IllegalStateException e when String.valueOf(e.getMessage()).startsWith("invariant violated") ->
                    "core invariant";
            default -> "unexpected exception";
        };
        long nowMicros = cluster.scheduler().nowMicros();
        String message = "simulation failed: --seed=" + config.seed() + " (" + config.policyAndLevel() + ") at "
                + String.format("%d.%03d ms", nowMicros / 1000, nowMicros % 1000) + "\n"
                + "  " + cause + "\n"
                + "replay: mvn -B -o -pl tandem-sim test -Dtest="
                + (config.replicaSet().elections() ? "FailoverSimulationTest" : "ReplicaSetSimulationTest")
                + "#replay -Dtandem.sim.seed="
                + config.seed() + config.overrides().asProperties() + "\n"
                + "configuration:\n" + config.describe()
                + "faults:\n" + config.faults().describe()
                + "last operations:\n" + cluster.history().tail(12)
                + "last events (time in ms, node, what):\n" + cluster.scheduler().trace().tail(traceLines);
        return new SimulationFailure(config.seed(), invariant, message, cause);
    }
}
