package io.tandem.core.replicaset;

import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Output;
import java.util.Map;

/**
 * A planned handover of leadership (Redis's {@code FAILOVER}, Raft's leadership transfer): the leader stops
 * taking writes, waits until the target holds its whole log durably, then tells it to stand at once
 * ({@link Message.TimeoutNow}); the target wins (its log is the most current) and the old leader follows it.
 * Nothing acknowledged is lost, under any policy: every acknowledged write is on the target before it
 * leads. If the target has not caught up by the timeout the switchover is given up and writes resume,
 * unless it was forced; if no new leader appears soon after the handover, the same.
 *
 * <p>The states are Redis's {@code master_failover_state}: no-failover, waiting-for-sync,
 * failover-in-progress.
 */
final class Switchover {
    /** After the handover, a new leader must appear within this many election timeouts (or heartbeats). */
    static final int HANDOVER_TIMEOUTS = 2;

    private final ReplicaSetNode node;
    private NodeId target;
    private long deadlineMillis;
    private boolean force;
    /** When TimeoutNow went out (0: waiting for the target to catch up). */
    private long handedOverMillis;

    Switchover(ReplicaSetNode node) {
        this.node = node;
    }

    boolean active() {
        return target != null;
    }

    NodeId target() {
        return target;
    }

    /** Redis's master_failover_state. */
    String state() {
        return target == null ? "no-failover" : handedOverMillis == 0 ? "waiting-for-sync" : "failover-in-progress";
    }

    /**
     * Starts handing leadership to {@code to} (null: the most current follower that may lead). Returns null
     * when started, else the error for the client, worded as Redis words FAILOVER's.
     */
    String start(NodeId to, long timeoutMillis, boolean forced, long nowMillis, Map<NodeId, Progress> progress,
            Output out) {
        ReplicaSetConfig config = node.config();
        if (!node.isLeader()) {
            return "ERR FAILOVER is not valid when server is a replica.";
        }
        if (target != null) {
            return "ERR FAILOVER already in progress.";
        }
        if (timeoutMillis < 0) {
            return "ERR FAILOVER timeout must be greater than 0";
        }
        if (forced && timeoutMillis == 0) {
            return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
        }
        if (to == null) {
            long best = -1;
            for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
                Progress p = e.getValue();
                if (p.connected && mayLead(e.getKey()) && p.durableLsn > best) {
                    best = p.durableLsn;
                    to = e.getKey();
                }
            }
            if (to == null) {
                return "ERR FAILOVER requires connected replicas.";
            }
        } else {
            Progress p = progress.get(to);
            if (p == null || !p.connected) {
                return "ERR FAILOVER target HOST and PORT is not a replica.";
            }
            if (!mayLead(to)) {
                return "ERR FAILOVER target " + to + " may not lead (it does not vote, or its priority is 0)";
            }
        }
        target = to;
        force = forced;
        handedOverMillis = 0;
        deadlineMillis = timeoutMillis == 0 ? Long.MAX_VALUE : nowMillis + timeoutMillis;
        out.event(new Event.SwitchoverStarted(to, node.lastLsn(), timeoutMillis, forced));
        check(nowMillis, progress, out);
        return null;
    }

    private boolean mayLead(NodeId id) {
        MemberConfig member = node.config().member(id);
        return member != null && (!node.config().elections() || member.mayStand());
    }

    /** FAILOVER ABORT: writes resume. Returns null, or the error if none is under way. */
    String abort(Output out) {
        if (target == null) {
            return "ERR FAILOVER is not in progress.";
        }
        end(out, "aborted by the operator");
        return null;
    }

    /**
     * Has the target caught up (it holds our whole log durably)? Then hand over. Has the time run out? Then
     * give up (writes resume), or, forced, hand over anyway. Called on ticks and on the target's answers.
     */
    void check(long nowMillis, Map<NodeId, Progress> progress, Output out) {
        if (target == null) {
            return;
        }
        if (handedOverMillis != 0) {
            long patience = HANDOVER_TIMEOUTS * Math.max(node.config().electionTimeoutMillis(),
                    10 * node.config().heartbeatIntervalMillis());
            if (nowMillis - handedOverMillis >= patience) {
                end(out, "no new leader appeared within " + patience + " ms of the handover");
            }
            return;
        }
        Progress p = progress.get(target);
        boolean caughtUp = p != null && p.durableLsn >= node.lastLsn() && node.durableLsn() >= node.lastLsn();
        if (caughtUp || (force && nowMillis >= deadlineMillis)) {
            handedOverMillis = Math.max(1, nowMillis);
            out.event(new Event.SwitchoverHandedOver(target, node.lastLsn(), caughtUp));
            node.giveUpReadLease(); // voters grant the target whatever their lease
            out.sendNow(target, new Message.TimeoutNow(node.term(), node.self()));
        } else if (nowMillis >= deadlineMillis) {
            end(out, target + " did not catch up in time (it holds LSN " + (p == null ? 0 : p.durableLsn)
                    + " durably of " + node.lastLsn() + ")");
        }
    }

    /** This node stopped leading (the handover worked, or another term began): nothing more to do. */
    void stepDown() {
        target = null;
        handedOverMillis = 0;
    }

    private void end(Output out, String why) {
        out.event(new Event.SwitchoverAborted(target, why));
        target = null;
        handedOverMillis = 0;
    }
}
