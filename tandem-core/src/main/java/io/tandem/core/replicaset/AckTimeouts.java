package io.tandem.core.replicaset;

import io.tandem.core.model.Event;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.Member;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.quorum.QuorumMath;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * ack-timeout-millis and on-ack-timeout: the writes a leader waits on its acknowledgement policy for, each with
 * its deadline, and what happens once one passes. Under {@code error} its reply (and that of every read queued
 * behind it) becomes an error saying how many replicas acknowledged; the entry stays in the log, as with Redis's
 * WAIT. Under {@code degrade} the leader commits on its own durability (it is "degraded") until the replicas
 * have caught up with everything, then the policy applies again. Part of the core: no I/O, no clock.
 */
final class AckTimeouts {
    private final ReplicaSetNode node;
    /** Writes waiting for the policy, oldest first: {lsn, deadlineMillis}. */
    private final ArrayDeque<long[]> deadlines = new ArrayDeque<>();
    /** on-ack-timeout degrade fired: commits follow the leader's own durability until the policy is met again. */
    private boolean degraded;

    AckTimeouts(ReplicaSetNode node) {
        this.node = node;
    }

    /** The write at {@code lsn} waits for the policy until {@code deadlineMillis}. */
    void waitFor(long lsn, long deadlineMillis) {
        deadlines.add(new long[] {lsn, deadlineMillis});
    }

    /** Everything up to {@code commitLsn} is committed: its deadlines are met. */
    void committed(long commitLsn) {
        while (!deadlines.isEmpty() && deadlines.peekFirst()[0] <= commitLsn) {
            deadlines.pollFirst();
        }
    }

    /** The leader stops leading: what waited is answered by the step-down, not by a timeout. */
    void forget() {
        deadlines.clear();
    }

    /** A new leadership starts under its policy. */
    void leading() {
        degraded = false;
    }

    boolean degraded() {
        return degraded;
    }

    /**
     * The settings changed (CONFIG SET). Under on-ack-timeout error there is no degraded mode: one ends now. The
     * writes after {@code commitLsn} wait for the new policy, for at most its timeout from now: one deadline
     * for the last covers them all, since a timeout fails everything up to the LSN that timed out. (Appended
     * last, it keeps the queue in LSN order; its time may come before an earlier write's, which then holds it
     * until that one's, at most the old timeout.)
     */
    void settingsChanged(long nowMillis, long commitLsn, long lastLsn, ReplicaSetConfig config, Output out) {
        if (degraded && config.onAckTimeout() == OnAckTimeout.ERROR) {
            degraded = false;
            out.event(new Event.PolicyRestored(lastLsn, config.ackPolicy().toString()));
        }
        if (lastLsn > commitLsn && !(config.ackPolicy() instanceof AckPolicy.Async)) {
            deadlines.add(new long[] {lastLsn, nowMillis + config.ackTimeoutMillis()});
        }
    }

    /**
     * The commit point a degraded leader would take, or the policy's: when the policy's commit point reached the
     * end of the log (the replicas caught up with everything), the policy applies again.
     */
    long commitPoint(long policyCommit, long commitLsn, long durableLsn, long lastLsn, AckPolicy policy,
            Output out) {
        if (degraded && policyCommit >= lastLsn) {
            degraded = false;
            out.event(new Event.PolicyRestored(lastLsn, policy.toString()));
        }
        return degraded ? durableLsn : Math.max(commitLsn, policyCommit);
    }

    /**
     * Are writes waiting past the acknowledgement timeout? Under "error" their replies become an error
     * saying how many replicas acknowledged (the entries stay in the log); under "degrade" the leader
     * commits on its own durability until the replicas catch up.
     */
    void check(long nowMillis, Output out) {
        long commitLsn = node.commitLsn();
        long timedOut = -1;
        while (!deadlines.isEmpty() && deadlines.peekFirst()[1] <= nowMillis) {
            long lsn = deadlines.pollFirst()[0];
            if (lsn > commitLsn) {
                timedOut = lsn;
            }
        }
        if (timedOut < 0) {
            return;
        }
        ReplicaSetConfig config = node.config();
        Map<NodeId, Member> members = node.members(nowMillis);
        int acknowledged = QuorumMath.acknowledgers(config.ackPolicy(), node.self(), members, config.ackLevel(),
                timedOut);
        int required = QuorumMath.requiredAcknowledgers(config.ackPolicy(), node.self(), members);
        out.event(new Event.AckTimedOut(timedOut, acknowledged, required, config.ackTimeoutMillis()));
        if (config.onAckTimeout() == OnAckTimeout.DEGRADE) {
            degraded = true;
            deadlines.clear();
            out.event(new Event.Degraded(timedOut, config.ackPolicy().toString()));
            node.advanceCommit(nowMillis, out);
            return;
        }
        String why = "Timed out after " + config.ackTimeoutMillis() + " ms: " + acknowledged + " of " + required
                + " required replicas acknowledged (" + config.ackPolicy() + ", " + config.ackLevel() + ")"
                + (node.durableLsn() >= timedOut ? "" : " and this node has not made it durable yet");
        Reply writeError = Reply.error("NOREPLICAS " + why + "; the write is in the leader's log and may still"
                + " replicate");
        // A read queued behind the write may show it (or other uncommitted data): it cannot be answered with
        // what it read, so it fails too. The client may retry it.
        Reply readError = Reply.error("NOREPLICAS " + why + "; this read may show data not yet acknowledged,"
                + " retry it");
        node.failTimedOut(timedOut, writeError, readError, out);
    }
}
