package io.tandem.sim;

import io.tandem.sim.check.AckPromiseChecker;
import io.tandem.sim.check.AckedWritesChecker;
import io.tandem.sim.check.ConvergenceChecker;
import io.tandem.sim.check.InvariantViolation;
import io.tandem.sim.check.LagAccountingChecker;
import io.tandem.sim.check.LogPrefixChecker;
import io.tandem.sim.check.Quiescence;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Fault;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;

/**
 * Runs one seeded schedule of a leader-follower replica set with every checker on, in three phases:
 * <ol>
 *   <li>workload: clients write and read while the fault schedule cuts links, crashes and restarts nodes,
 *       slows disks and makes links lossy; the checkers watch every step;
 *   <li>quiesce: faults have ended; the network becomes reliable and the run goes on until every follower
 *       holds, has made durable and has applied the leader's whole log (bounded: not settling is a failure);
 *   <li>final checks: convergence (equal logs, equal keyspace digests) and no acknowledged write lost.
 * </ol>
 */
public final class ReplicaSetSimulation {
    /** How often the quiesce phase asks whether the system has settled. */
    private static final long SETTLE_POLL_MICROS = 10_000;
    /** After settling, run this long again and check it is still settled (nothing was about to move). */
    private static final long SETTLED_GRACE_MICROS = 300_000;
    static final int TRACE_CAPACITY = Integer.getInteger("tandem.sim.traceCapacity", 2_000);

    private ReplicaSetSimulation() {}

    /** Runs one schedule with every checker on: returns what it did, or throws a {@link SimulationFailure}. */
    public static SimulationResult run(SimulationConfig config) {
        return run(config, new Trace(TRACE_CAPACITY, false));
    }

    /** Runs with the given trace (keepAll for the determinism test). */
    public static SimulationResult run(SimulationConfig config, Trace trace) {
        Cluster cluster = new Cluster(config.spec(), config.newWorldRandom(), trace);
        LogPrefixChecker logPrefix = new LogPrefixChecker(cluster);
        AckPromiseChecker ackPromise = new AckPromiseChecker(cluster);
        LagAccountingChecker lagAccounting = new LagAccountingChecker(cluster);
        AckedWritesChecker ackedWrites = new AckedWritesChecker(cluster);
        cluster.observe(logPrefix);
        cluster.observe(ackPromise);
        cluster.observe(lagAccounting);
        cluster.observe(ackedWrites);
        try {
            cluster.start();
            config.faults().schedule(cluster);
            cluster.scheduler().runUntil(config.spec().workloadMicros());
            quiesce(config, cluster);
            logPrefix.checkAll();
            ConvergenceChecker.check(cluster);
            ackedWrites.check();
        } catch (RuntimeException e) {
            // A checker's violation, an invariant of the core, or any other exception of a step: all are
            // failures of this seed, reported with its trace.
            throw SimulationFailure.of(config, cluster, e, Integer.getInteger("tandem.sim.traceLines", 120));
        }
        return result(config, cluster, ackPromise, ackedWrites);
    }

    static void quiesce(SimulationConfig config, Cluster cluster) {
        cluster.network().makeReliable();
        for (SimNode node : cluster.nodes()) {
            if (!node.isUp()) {
                node.start();
            }
        }
        long deadline = cluster.scheduler().nowMicros() + config.quiesceLimitMicros();
        settle(config, cluster, deadline);
        // Settled once; run on a while (the leader's active expiry may still log deletions) and settle again.
        cluster.scheduler().runUntil(cluster.scheduler().nowMicros() + SETTLED_GRACE_MICROS);
        settle(config, cluster, deadline);
    }

    private static void settle(SimulationConfig config, Cluster cluster, long deadline) {
        String unsettled;
        while ((unsettled = Quiescence.unsettled(cluster)) != null) {
            long now = cluster.scheduler().nowMicros();
            if (now >= deadline) {
                throw new InvariantViolation("convergence", "not settled " + config.quiesceLimitMicros() / 1_000_000
                        + " s after the faults stopped: " + unsettled + "\n    leader's progress: "
                        + Quiescence.progress(cluster));
            }
            cluster.scheduler().runUntil(now + SETTLE_POLL_MICROS);
        }
    }

    private static SimulationResult result(SimulationConfig config, Cluster cluster, AckPromiseChecker ackPromise,
            AckedWritesChecker ackedWrites) {
        long succeeded = cluster.history().operations().stream().filter(op -> op.succeeded()).count();
        int crashes = (int) config.faults().faults().stream().filter(f -> f instanceof Fault.CrashRestart).count();
        return new SimulationResult(config.seed(), config.policyAndLevel(), cluster.scheduler().executed(),
                cluster.scheduler().nowMicros() / 1000, cluster.history().operations().size(), succeeded,
                ackedWrites.checkedWrites(), ackPromise.checked(), ackPromise.degradedReleases(),
                cluster.network().sent(), cluster.network().dropped(), config.faults().faults().size(), crashes,
                cluster.leader().core().lastLsn(),
                cluster.nodes().stream().mapToLong(SimNode::snapshotsInstalled).sum());
    }
}
