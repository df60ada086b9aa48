package io.tandem.sim.check;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.QuorumMath;
import io.tandem.core.replicaset.MembershipLog;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.MembershipOperator;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's single-server membership changes are safe only if every change is one voter away from the
 * membership before it, and is made only once that one, and an entry of the leader's own term, are
 * committed: then any majority of the old voters and any majority of the new share a node, and no two
 * leaders can be elected in one term, one by each (ElectionSafetyChecker checks the outcome). Checked here
 * against the simulator's truth, not the leader's beliefs, at every step of a run:
 * <ul>
 *   <li>one at a time: a change a leader logs adds, removes, promotes or demotes exactly one member of the
 *       membership in force on it just before;
 *   <li>on a committed base: when a leader logs a change, its log up to the previous change, and up to the
 *       first entry of its own term, is durable on a majority of the voters of the membership in force
 *       (their disks hold it, whatever any message said). Committed by the policy is not enough: under
 *       {@code async} or at level {@code received} a change "committed" by the leader alone could be lost,
 *       and the next one be made from a base the others never had;
 *   <li>acknowledged changes survive: every change the operator saw answered +OK is, as the same entry, in
 *       the log of every node that leads afterwards;
 *   <li>a leader is a voting member of the membership it uses.
 * </ul>
 * At the end ({@link #checkFinal}): the leader holds every acknowledged change, and every member uses the
 * leader's membership.
 */
public final class MembershipSafetyChecker implements SimObserver {
    private final Cluster cluster;
    /** The entry each of the operator's changes became on the leader that logged it, by request id. */
    private final Map<Long, Entry> logged = new HashMap<>();
    private final List<Entry> acknowledged = new ArrayList<>();
    private long changesLogged;

    public MembershipSafetyChecker(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Membership changes leaders logged. */
    public long changesLogged() {
        return changesLogged;
    }

    /** Membership changes acknowledged +OK. */
    public long changesAcknowledged() {
        return acknowledged.size();
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        if (node.core().isLeader()) {
            for (Entry entry : step.persisted()) {
                Membership next = MembershipLog.changedBy(entry);
                if (next != null && entry.term() == node.core().term()) {
                    changesLogged++;
                    checkOneStepOnCommittedBase(node, entry, next);
                    if (step.input() instanceof Input.ChangeMembers change) {
                        logged.put(change.requestId(), entry);
                    }
                }
            }
        }
        for (StepRecord.ReleasedReply released : step.replies()) {
            if (released.requestId() >= MembershipOperator.FIRST_REQUEST_ID && !(released.reply() instanceof Reply.Error)) {
                Entry entry = logged.get(released.requestId());
                if (entry == null) {
                    throw new InvariantViolation("membership", node.name() + " acknowledged change #"
                            + released.requestId() + " that no leader logged");
                }
                acknowledged.add(entry);
            }
        }
        for (Event event : step.events()) {
            if (event instanceof Event.RoleChanged changed && changed.role().equals("leader")) {
                Membership.Seat own = node.core().membership().seat(node.id());
                if (own == null || !own.voting()) {
                    throw new InvariantViolation("membership", node.name() + " leads term " + changed.term()
                            + " but is not a voting member of the membership it uses: " + node.core().membership());
                }
                checkHoldsAcknowledged(node);
            }
        }
    }

    /** After the run settled: the leader holds every acknowledged change, and its members use its membership. */
    public void checkFinal() {
        SimNode leader = cluster.leader();
        checkHoldsAcknowledged(leader);
        Membership membership = leader.core().membership();
        for (SimNode follower : cluster.memberFollowers()) {
            if (!follower.core().membership().equals(membership)) {
                throw new InvariantViolation("membership", follower.name() + " uses " + follower.core().membership()
                        + ", the leader " + leader.name() + " " + membership);
            }
        }
    }

    private void checkHoldsAcknowledged(SimNode leader) {
        SimLog log = leader.disk().log();
        for (Entry change : acknowledged) {
            if (change.lsn() > log.lastLsn() || !Truth.sameEntry(log.get(change.lsn()), change)) {
                throw new InvariantViolation("membership", leader.name() + " leads term " + leader.core().term()
                        + " without the acknowledged membership change " + Describe.entry(change) + ": its log "
                        + (change.lsn() > log.lastLsn() ? "ends at " + log.lastLsn()
                                : "holds " + Describe.entry(log.get(change.lsn()))));
            }
        }
    }

    private void checkOneStepOnCommittedBase(SimNode leader, Entry entry, Membership next) {
        Membership before = leader.core().membershipAt(entry.lsn() - 1);
        int changed = seatsChanged(before, next);
        if (changed != 1) {
            throw new InvariantViolation("membership", leader.name() + " logged " + Describe.entry(entry) + ": "
                    + changed + " members changed at once, from " + before + " to " + next);
        }
        SimLog log = leader.disk().log();
        // The first entry of the leader's term (an earlier one than the change must exist), and the last change.
        long termStart = entry.lsn();
        while (termStart > 1 && log.get(termStart - 1).term() == entry.term()) {
            termStart--;
        }
        if (termStart == entry.lsn()) {
            throw new InvariantViolation("membership", leader.name() + " logged " + Describe.entry(entry)
                    + " before any entry of its term " + entry.term());
        }
        long previousChange = 0;
        for (long lsn = entry.lsn() - 1; lsn >= 1; lsn--) {
            if (MembershipLog.changedBy(log.get(lsn)) != null) {
                previousChange = lsn;
                break;
            }
        }
        // Log matching: holding the leader's entry at p means holding its log up to p.
        long p = Math.max(termStart, previousChange);
        Entry base = log.get(p);
        int voters = 0;
        List<String> holders = new ArrayList<>();
        for (Membership.Seat seat : before.seats()) {
            if (!seat.voting()) {
                continue;
            }
            voters++;
            SimNode voter = nodeOrNull(seat.id());
            if (voter != null && Truth.durablyHolds(voter, base)) {
                holders.add(voter.name());
            }
        }
        if (holders.size() < QuorumMath.majority(voters)) {
            throw new InvariantViolation("membership", leader.name() + " logged " + Describe.entry(entry)
                    + " changing " + before + " to " + next + " while its log up to " + p + " ("
                    + (p == previousChange ? "the previous change" : "the first entry of its term")
                    + ") is durable only on " + holders + " of the " + voters + " voters in force: not committed");
        }
    }

    private SimNode nodeOrNull(NodeId id) {
        for (SimNode node : cluster.nodes()) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        return null;
    }

    /** How many members were added, removed or changed whether they vote. */
    static int seatsChanged(Membership before, Membership after) {
        int changed = 0;
        for (Membership.Seat seat : before.seats()) {
            Membership.Seat now = after.seat(seat.id());
            if (now == null || now.voting() != seat.voting()) {
                changed++;
            }
        }
        for (Membership.Seat seat : after.seats()) {
            if (!before.contains(seat.id())) {
                changed++;
            }
        }
        return changed;
    }

}
