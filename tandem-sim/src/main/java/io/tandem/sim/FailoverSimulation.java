package io.tandem.sim;

import io.tandem.sim.check.AckedWritesChecker;
import io.tandem.sim.check.ConvergenceChecker;
import io.tandem.sim.check.ElectionSafetyChecker;
import io.tandem.sim.check.LinearizabilityChecker;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Fault;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;

/**
 * Runs one seeded failover schedule ({@link SimulationConfig#failoverFromSeed}): members elect their
 * leader while faults crash and isolate whoever leads. Checked:
 * <ul>
 *   <li>at every step: one leader per term, and a new leader holds every write acknowledged so far under
 *       a policy that promises it ({@link ElectionSafetyChecker});
 *   <li>liveness: once the faults stop and the network is reliable, a leader is elected that every node
 *       follows, with every log caught up, within the quiesce bound;
 *   <li>at the end: every node's log and keys equal the leader's, and, under a promising policy, no
 *       acknowledged write is lost.
 * </ul>
 */
public final class FailoverSimulation {
    private FailoverSimulation() {}

    public static SimulationResult run(SimulationConfig config) {
        return run(config, new Trace(ReplicaSetSimulation.TRACE_CAPACITY, false));
    }

    public static SimulationResult run(SimulationConfig config, Trace trace) {
        Cluster cluster = new Cluster(config.spec(), config.newWorldRandom(), trace);
        boolean promises = config.promisesAcknowledgedWrites();
        ElectionSafetyChecker elections = new ElectionSafetyChecker(cluster, promises);
        cluster.observe(elections);
        AckedWritesChecker ackedWrites = new AckedWritesChecker(cluster);
        try {
            cluster.start();
            config.faults().schedule(cluster);
            cluster.scheduler().runUntil(config.spec().workloadMicros());
            ReplicaSetSimulation.quiesce(config, cluster);
            ConvergenceChecker.check(cluster);
            if (promises) {
                ackedWrites.check();
                LinearizabilityChecker.check(cluster.history());
            }
        } catch (RuntimeException e) {
            throw SimulationFailure.of(config, cluster, e, Integer.getInteger("tandem.sim.traceLines", 120));
        }
        long succeeded = cluster.history().operations().stream().filter(op -> op.succeeded()).count();
        int crashes = (int) config.faults().faults().stream().filter(f -> f instanceof Fault.CrashRestart).count();
        return new SimulationResult(config.seed(), config.policyAndLevel(), cluster.scheduler().executed(),
                cluster.scheduler().nowMicros() / 1000,
                cluster.history().operations().size(), succeeded, ackedWrites.checkedWrites(), 0, 0,
                cluster.network().sent(), cluster.network().dropped(), config.faults().faults().size(), crashes,
                cluster.leader().core().lastLsn(),
                cluster.nodes().stream().mapToLong(SimNode::snapshotsInstalled).sum(), elections.elections(),
                cluster.nodes().stream().mapToLong(SimNode::rolledBackEntries).sum());
    }
}
