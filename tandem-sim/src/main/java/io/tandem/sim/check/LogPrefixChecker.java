package io.tandem.sim.check;

import io.tandem.core.model.Entry;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import java.util.List;

/**
 * Every follower's durable log is a prefix of the leader's log: the same entry (term, LSN and payload) at
 * every LSN up to the follower's last. Checked after each of a follower's fsyncs, from where that fsync
 * started rewriting (what lies before was checked already), and for every follower after the leader
 * crashes (its log may have lost its undurable tail: no follower may hold any of it, since the leader
 * ships only what is durable), and for a follower after its own crash (a torn tail may keep entries
 * that no completed fsync covered).
 */
public final class LogPrefixChecker implements SimObserver {
    private final Cluster cluster;
    /** Per node: the durable prefix already found to match the leader's log. */
    private final long[] verifiedLsn;

    public LogPrefixChecker(Cluster cluster) {
        this.cluster = cluster;
        this.verifiedLsn = new long[cluster.nodes().size()];
    }

    @Override
    public void onSynced(SimNode node) {
        if (node != cluster.leader()) {
            check(node, Math.min(verifiedLsn[node.index()], node.disk().lastSyncBaseLsn()));
        }
    }

    @Override
    public void onCrash(SimNode node, long lostEntries) {
        if (node == cluster.leader()) {
            checkAll();
        } else {
            check(node, 0); // a torn tail may have kept entries no fsync completed
        }
    }

    public void checkAll() {
        for (SimNode follower : cluster.followers()) {
            check(follower, 0);
        }
    }

    private void check(SimNode follower, long fromLsn) {
        List<Entry> durable = follower.disk().durableEntries();
        SimLog leaderLog = cluster.leader().disk().log();
        for (long lsn = fromLsn + 1; lsn <= durable.size(); lsn++) {
            Entry ours = durable.get((int) lsn - 1);
            if (lsn > leaderLog.lastLsn()) {
                throw new InvariantViolation("log prefix", follower.name() + " holds durable entry "
                        + Describe.entry(ours) + " but the leader's log ends at " + leaderLog.lastLsn());
            }
            Entry leaders = leaderLog.get(lsn);
            if (!Truth.sameEntry(ours, leaders)) {
                throw new InvariantViolation("log prefix", follower.name() + " holds durable entry "
                        + Describe.entry(ours) + " where the leader has " + Describe.entry(leaders));
            }
        }
        verifiedLsn[follower.index()] = durable.size();
    }
}
