package io.tandem.sim.check;

import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;

/**
 * After the faults stop and the system settles ({@link Quiescence}), every member (every node the leader's
 * membership names: a spare never added, or a node removed, is not waited for) holds the leader's log,
 * entry for entry, and the same data: equal {@link KeyspaceDigest}s.
 */
public final class ConvergenceChecker {
    private ConvergenceChecker() {}

    public static void check(Cluster cluster) {
        SimNode leader = cluster.leader();
        SimLog leaderLog = leader.disk().log();
        long leaderDigest = KeyspaceDigest.of(leader.core().keyspace());
        for (SimNode follower : cluster.memberFollowers()) {
            SimLog log = follower.disk().log();
            if (log.lastLsn() != leaderLog.lastLsn()) {
                throw new InvariantViolation("convergence", follower.name() + "'s log ends at " + log.lastLsn()
                        + ", the leader's at " + leaderLog.lastLsn());
            }
            for (long lsn = 1; lsn <= log.lastLsn(); lsn++) {
                if (!Truth.sameEntry(log.get(lsn), leaderLog.get(lsn))) {
                    throw new InvariantViolation("convergence", follower.name() + " holds "
                            + Describe.entry(log.get(lsn)) + " where the leader holds " + Describe.entry(leaderLog.get(lsn)));
                }
            }
            long digest = KeyspaceDigest.of(follower.core().keyspace());
            if (digest != leaderDigest) {
                throw new InvariantViolation("convergence", follower.name() + "'s keyspace digest "
                        + Long.toHexString(digest) + " differs from the leader's " + Long.toHexString(leaderDigest)
                        + " with equal logs up to " + log.lastLsn());
            }
        }
    }
}
