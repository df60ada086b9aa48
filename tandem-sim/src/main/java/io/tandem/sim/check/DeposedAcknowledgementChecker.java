package io.tandem.sim.check;

import io.tandem.core.model.Event;
import io.tandem.core.model.Reply;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.MembershipOperator;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * No write is acknowledged by a deposed term: once a leader of a newer term is elected, no leader of an
 * older one acknowledges a write, in the simulation's own time (not any node's clock). Under a policy that
 * promises durability this follows from quorums; under async (and semi-sync below a majority) it rests on
 * check-quorum's lease alone (LeadershipLease): the old leader must have stepped down before anyone else
 * can be elected.
 *
 * <p>The lease counts on clocks that run at the same rate; a clock stepped (the ClockJump fault) is what it
 * does not survive (documented), so runs with one are not checked. A leader that handed over (FAILOVER) is
 * exempt in that term: voters grant the target whatever the lease, but the target held the whole log
 * durably when it was told to stand (writes were refused from the switchover's start), so what the old
 * leader still acknowledges is on the new one.
 */
public final class DeposedAcknowledgementChecker implements SimObserver {
    private final Cluster cluster;
    /** The newest term any node has been elected to lead, and when (simulated microseconds). */
    private long newestTerm;
    private long newestTermSinceMicros;
    private long checkedAcknowledgements;
    /** Node name -> the term in which it handed leadership over. */
    private final Map<String, Long> handedOver = new HashMap<>();

    public DeposedAcknowledgementChecker(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Acknowledged writes checked (a run that checked none says nothing). */
    public long checkedAcknowledgements() {
        return checkedAcknowledgements;
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        long term = node.core().term();
        for (StepRecord.ReleasedReply released : step.replies()) {
            if (released.reply() instanceof Reply.Error || released.requestId() >= MembershipOperator.FIRST_REQUEST_ID) {
                continue;
            }
            Operation op = cluster.history().get(released.requestId());
            if (op == null || op.kind() == Operation.Kind.READ || !node.core().isLeader()
                    || handedOver.getOrDefault(node.name(), -1L) == term) {
                continue;
            }
            checkedAcknowledgements++;
            if (term < newestTerm) {
                throw new InvariantViolation("acknowledged by a deposed term", node.name() + " acknowledged " + op
                        + " as leader of term " + term + ", " + (cluster.scheduler().nowMicros()
                        - newestTermSinceMicros) / 1000 + " ms after a leader of term " + newestTerm + " was elected");
            }
        }
        for (Event event : step.events()) {
            if (event instanceof Event.SwitchoverHandedOver) {
                handedOver.put(node.name(), term);
            }
            if (event instanceof Event.RoleChanged changed && changed.role().equals("leader")
                    && changed.term() > newestTerm) {
                newestTerm = changed.term();
                newestTermSinceMicros = cluster.scheduler().nowMicros();
            }
        }
    }
}
