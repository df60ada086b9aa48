package io.tandem.sim;

import io.tandem.sim.check.AckedWritesChecker;
import io.tandem.sim.check.ConvergenceChecker;
import io.tandem.sim.check.DeposedAcknowledgementChecker;
import io.tandem.sim.check.ElectionSafetyChecker;
import io.tandem.sim.check.LinearizabilityChecker;
import io.tandem.sim.check.MembershipSafetyChecker;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Fault;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;

/**
 * Runs one seeded failover schedule ({@link SimulationConfig#failoverFromSeed}): members elect their
 * leader while faults crash and isolate whoever leads. Checked:
 * <ul>
 *   <li>at every step: one leader per term, and a new leader holds every write acknowledged so far under
 *       a policy that promised it with the members in force then ({@link ElectionSafetyChecker}); members
 *       change one at a time, each on a committed base, and acknowledged changes survive
 *       ({@link MembershipSafetyChecker}; in runs with the membership fault, an operator adds, removes,
 *       promotes and demotes members meanwhile);
 *   <li>liveness: once the faults stop and the network is reliable, a leader is elected that every node
 *       follows, with every log caught up, within the quiesce bound;
 *   <li>at the end: every member's log, keys and membership equal the leader's (a node outside the
 *       leader's membership is not waited for), and no acknowledged write that was promised is lost; the
 *       history is linearizable when every success was released under a promise.
 * </ul>
 */
public final class FailoverSimulation {
    private FailoverSimulation() {}

    public static SimulationResult run(SimulationConfig config) {
        return run(config, new Trace(ReplicaSetSimulation.TRACE_CAPACITY, false));
    }

    public static SimulationResult run(SimulationConfig config, Trace trace) {
        Cluster cluster = new Cluster(config.spec(), config.newWorldRandom(), trace);
        ElectionSafetyChecker elections = new ElectionSafetyChecker(cluster,
                members -> SimulationConfig.promisesAcknowledgedWrites(config.replicaSet(), members.voters(),
                        members.seats().size() - members.voters()));
        cluster.observe(elections);
        MembershipSafetyChecker membership = new MembershipSafetyChecker(cluster);
        cluster.observe(membership);
        AckedWritesChecker ackedWrites = new AckedWritesChecker(cluster);
        if (config.faults().faults().stream().noneMatch(f -> f instanceof Fault.ClockJump)) {
            cluster.observe(new DeposedAcknowledgementChecker(cluster)); // the lease counts on clocks not stepped
        }
        try {
            cluster.start();
            config.faults().schedule(cluster);
            cluster.scheduler().runUntil(config.spec().workloadMicros());
            ReplicaSetSimulation.quiesce(config, cluster);
            ConvergenceChecker.check(cluster);
            membership.checkFinal();
            ackedWrites.check(elections::promised);
            if (elections.everyReleasePromised()) {
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
                cluster.nodes().stream().mapToLong(SimNode::rolledBackEntries).sum(), membership.changesLogged(),
                membership.changesAcknowledged());
    }
}
