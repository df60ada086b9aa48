package io.tandem.sim.check;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Membership;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import io.tandem.core.model.Reply;
import io.tandem.sim.sim.MembershipOperator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Raft's two safety properties of elections, checked at every step of a failover run:
 * <ul>
 *   <li>election safety: at most one node leads a term;
 *   <li>leader completeness: a node that starts leading holds every write acknowledged so far, at its
 *       LSN and as the same entry, when the policy promised, with the members in force when the write was
 *       acknowledged, that it survives a failover (see SimulationConfig#promisesAcknowledgedWrites: members
 *       change at run time, and a policy may promise with three voters what it does not with five). Under
 *       other policies the losses are what the policy allows (and what the rollback file lists).
 * </ul>
 */
public final class ElectionSafetyChecker implements SimObserver {
    private final Cluster cluster;
    /** Does the policy promise acknowledged writes survive, with these members? */
    private final Predicate<Membership> promisesUnder;
    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    /** Requests whose success was released under members with which the policy promised it survives. */
    private final Set<Long> promised = new HashSet<>();
    private long unpromisedReleases;
    private long elections;

    public ElectionSafetyChecker(Cluster cluster, Predicate<Membership> promisesUnder) {
        this.cluster = cluster;
        this.promisesUnder = promisesUnder;
    }

    /** Was this request's success released under a promise that it survives any failover? */
    public boolean promised(long requestId) {
        return promised.contains(requestId);
    }

    /**
     * Was every success (write or read) released under a promise? Only then is the whole history bound to be
     * linearizable: a write released without one may be lost, and a read may have shown it.
     */
    public boolean everyReleasePromised() {
        return unpromisedReleases == 0;
    }

    /** Times a node started leading (the first leader of the fresh cluster included). */
    public long elections() {
        return elections;
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        for (StepRecord.ReleasedReply released : step.replies()) {
            if (released.reply() instanceof Reply.Error || released.requestId() >= MembershipOperator.FIRST_REQUEST_ID) {
                continue;
            }
            Operation op = cluster.history().get(released.requestId());
            if (!node.core().isLeader() && op != null && op.kind() == Operation.Kind.READ) {
                continue; // a follower's read: stale by design, promised nothing (linearizability leaves it out)
            }
            // Counted in the members this node uses as it releases the reply (its latest, committed or not), and,
            // for a write, in those in force at its entry: the leader may have committed it then, counting a
            // member a later change removed or made a voter (seed 9301997: semi-sync 1 committed on a non-voting
            // n2, which was then removed, and the reply left as the leader stepped down, under three voters
            // with which semi-sync 1 promises; it had promised nothing when it counted n2).
            boolean promisedAtEntry = op == null || op.entry() == null
                    || promisesUnder.test(node.core().membershipAt(op.entry().lsn()));
            if (promisedAtEntry && promisesUnder.test(node.core().membership())) {
                promised.add(released.requestId());
            } else {
                unpromisedReleases++;
            }
        }
        for (Event event : step.events()) {
            if (event instanceof Event.RoleChanged changed && changed.role().equals("leader")) {
                elections++;
                String before = leaderOfTerm.putIfAbsent(changed.term(), node.name());
                if (before != null && !before.equals(node.name())) {
                    throw new InvariantViolation("election safety", "term " + changed.term() + " has two leaders: "
                            + before + " and " + node.name());
                }
                checkHoldsAcknowledged(node);
            }
        }
    }

    private void checkHoldsAcknowledged(SimNode leader) {
        SimLog log = leader.disk().log();
        for (Operation op : cluster.history().operations()) {
            if (!op.succeeded() || op.entry() == null || !promised.contains(op.requestId())) {
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
