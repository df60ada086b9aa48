package io.tandem.sim;

import io.tandem.sim.check.AckPromiseChecker;
import io.tandem.sim.check.AckedWritesChecker;
import io.tandem.sim.check.ConvergenceChecker;
import io.tandem.sim.check.InvariantViolation;
import io.tandem.sim.check.KnownBug;
import io.tandem.sim.check.KnownBugs;
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
    static final int TRACE_CAPACITY = 2_000;
    /** While BUG-2 is tolerated: how long the quiesce phase waits before it forces stuck followers to resubscribe. */
    private static final long NUDGE_AFTER_MICROS = 2_000_000;

    private ReplicaSetSimulation() {}

    /** Runs tolerating the known bugs unless -Dtandem.sim.strict=true. */
    public static SimulationResult run(SimulationConfig config) {
        return run(config, new Trace(TRACE_CAPACITY, false), KnownBugs.fromSystemProperties());
    }

    /** Runs with the given trace (keepAll for the determinism test) and tolerated bugs. */
    public static SimulationResult run(SimulationConfig config, Trace trace, KnownBugs knownBugs) {
        Cluster cluster = new Cluster(config.spec(), config.newWorldRandom(), trace);
        LogPrefixChecker logPrefix = new LogPrefixChecker(cluster);
        AckPromiseChecker ackPromise = new AckPromiseChecker(cluster, knownBugs);
        LagAccountingChecker lagAccounting = new LagAccountingChecker(cluster, knownBugs);
        AckedWritesChecker ackedWrites = new AckedWritesChecker(cluster);
        cluster.observe(logPrefix);
        cluster.observe(ackPromise);
        cluster.observe(lagAccounting);
        cluster.observe(ackedWrites);
        try {
            cluster.start();
            config.faults().schedule(cluster);
            cluster.scheduler().runUntil(config.spec().workloadMicros());
            quiesce(config, cluster, knownBugs);
            logPrefix.checkAll();
            ConvergenceChecker.check(cluster);
            ackedWrites.check();
        } catch (RuntimeException e) {
            // A checker's violation, an invariant of the core, or any other exception of a step: all are
            // failures of this seed, reported with its trace.
            throw SimulationFailure.of(config, cluster, e, Integer.getInteger("tandem.sim.traceLines", 120));
        }
        return result(config, cluster, ackPromise, ackedWrites, knownBugs);
    }

    private static void quiesce(SimulationConfig config, Cluster cluster, KnownBugs knownBugs) {
        cluster.network().makeReliable();
        for (SimNode node : cluster.nodes()) {
            if (!node.isUp()) {
                node.start();
            }
        }
        long deadline = cluster.scheduler().nowMicros() + config.quiesceLimitMicros();
        settle(config, cluster, knownBugs, deadline);
        // Settled once; run on a while (the leader's active expiry may still log deletions) and settle again.
        cluster.scheduler().runUntil(cluster.scheduler().nowMicros() + SETTLED_GRACE_MICROS);
        settle(config, cluster, knownBugs, deadline);
    }

    private static void settle(SimulationConfig config, Cluster cluster, KnownBugs knownBugs, long deadline) {
        long nextNudge = cluster.scheduler().nowMicros() + NUDGE_AFTER_MICROS;
        String unsettled;
        while ((unsettled = Quiescence.unsettled(cluster)) != null) {
            long now = cluster.scheduler().nowMicros();
            if (now >= deadline) {
                throw new InvariantViolation("convergence", "not settled " + config.quiesceLimitMicros() / 1_000_000
                        + " s after the faults stopped: " + unsettled + "\n    leader's progress: "
                        + Quiescence.progress(cluster));
            }
            if (now >= nextNudge && knownBugs.tolerates(KnownBug.STALE_RECEIVED_HIDES_LOST_BATCH)) {
                forceResubscribe(cluster); // TODO BUG-2: remove once the leader resets a resubscribing follower
                knownBugs.hit(KnownBug.STALE_RECEIVED_HIDES_LOST_BATCH);
                nextNudge = now + NUDGE_AFTER_MICROS;
            }
            cluster.scheduler().runUntil(now + SETTLE_POLL_MICROS);
        }
    }

    /**
     * The workaround for BUG-2's liveness side: a follower stuck behind a lost batch that the leader does
     * not resend resubscribes only after it heard nothing from the leader for a while, so cut leader ->
     * follower for that long (the follower's Subscribe still gets through) and let the leader restart the
     * stream from the follower's log end.
     */
    private static void forceResubscribe(Cluster cluster) {
        long silenceMicros = 8 * cluster.spec().config().heartbeatIntervalMillis() * 1000;
        SimNode leader = cluster.leader();
        for (SimNode follower : cluster.followers()) {
            if (follower.isUp() && follower.core().lastLsn() < leader.core().lastLsn()) {
                cluster.scheduler().note(follower.name(), "BUG-2 workaround: cut from the leader to force a resubscribe",
                        null);
                cluster.network().cut(leader.index(), follower.index(), true);
                cluster.scheduler().after(silenceMicros, follower.name(), "BUG-2 workaround: link healed", null,
                        () -> cluster.network().heal(leader.index(), follower.index(), true));
            }
        }
    }

    private static SimulationResult result(SimulationConfig config, Cluster cluster, AckPromiseChecker ackPromise,
            AckedWritesChecker ackedWrites, KnownBugs knownBugs) {
        long succeeded = cluster.history().operations().stream().filter(op -> op.succeeded()).count();
        int crashes = (int) config.faults().faults().stream().filter(f -> f instanceof Fault.CrashRestart).count();
        return new SimulationResult(config.seed(), config.policyAndLevel(), cluster.scheduler().executed(),
                cluster.scheduler().nowMicros() / 1000, cluster.history().operations().size(), succeeded,
                ackedWrites.checkedWrites(), ackPromise.checked(), ackPromise.degradedReleases(),
                ackPromise.uncommittedReadsAfterTimeout(), cluster.network().sent(), cluster.network().dropped(),
                config.faults().faults().size(), crashes, cluster.leader().core().lastLsn(), knownBugs.hits());
    }
}
