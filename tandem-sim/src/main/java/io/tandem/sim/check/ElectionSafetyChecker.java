package io.tandem.sim.check;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * Raft's two safety properties of elections, checked at every step of a failover run:
 * <ul>
 *   <li>election safety: at most one node leads a term;
 *   <li>leader completeness: a node that starts leading holds every write acknowledged so far, at its
 *       LSN and as the same entry, when the policy promises acknowledged writes survive a failover (see
 *       SimulationConfig#promisesAcknowledgedWrites). Under other policies the losses are counted, since
 *       they are what the policy allows (and what the rollback file lists).
 * </ul>
 */
public final class ElectionSafetyChecker implements SimObserver {
    private final Cluster cluster;
    private final boolean promises;
    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private long elections;

    public ElectionSafetyChecker(Cluster cluster, boolean promises) {
        this.cluster = cluster;
        this.promises = promises;
    }

    /** Times a node started leading (the first leader of the fresh cluster included). */
    public long elections() {
        return elections;
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        for (Event event : step.events()) {
            if (event instanceof Event.RoleChanged changed && changed.role().equals("leader")) {
                elections++;
                String before = leaderOfTerm.putIfAbsent(changed.term(), node.name());
                if (before != null && !before.equals(node.name())) {
                    throw new InvariantViolation("election safety", "term " + changed.term() + " has two leaders: "
                            + before + " and " + node.name());
                }
                if (promises) {
                    checkHoldsAcknowledged(node);
                }
            }
        }
    }

    private void checkHoldsAcknowledged(SimNode leader) {
        SimLog log = leader.disk().log();
        for (Operation op : cluster.history().operations()) {
            if (!op.succeeded() || op.entry() == null) {
                continue;
            }
            Entry acknowledged = op.entry();
            if (acknowledged.lsn() > log.lastLsn() || !Truth.sameEntry(log.get(acknowledged.lsn()), acknowledged)) {
                throw new InvariantViolation("leader completeness", leader.name() + " leads term "
                        + leader.core().term() + " without the acknowledged " + op + ": its log "
                        + (acknowledged.lsn() > log.lastLsn() ? "ends at " + log.lastLsn()
                                : "holds " + Describe.entry(log.get(acknowledged.lsn()))));
            }
        }
    }
}
