package io.tandem.core.model;

/**
 * Something that happened in a protocol, worth telling an operator: the single source of truth for what
 * happened (the simulator prints events as a timeline, the server logs and counts them).
 */
public sealed interface Event {
    /** The node's role or term changed. {@code leader} may be null when unknown. */
    record RoleChanged(String role, long term, NodeId leader) implements Event {}

    /**
     * The membership this node uses changed at {@code lsn} (0: the change that set it was dropped, or a
     * snapshot brought it): {@code members} in text form (Membership.encode).
     */
    record MembershipChanged(long lsn, String members) implements Event {}

    /** A follower subscribed (or resubscribed) to this node's stream, saying its log ends at fromLsn. */
    record FollowerSubscribed(NodeId follower, long fromLsn) implements Event {}

    /** The policy was not met for lsn within the acknowledgement timeout. */
    record AckTimedOut(long lsn, int acknowledged, int required, long timeoutMillis) implements Event {}

    /** on-ack-timeout degrade: the leader now acknowledges writes as soon as they are durable locally. */
    record Degraded(long lsn, String policy) implements Event {}

    /**
     * The acknowledgement settings changed (CONFIG SET) while the log ended at {@code lsn}: writes wait for
     * {@code policy} at {@code level} from now on.
     */
    record AcknowledgementChanged(long lsn, String policy, String level, long ackTimeoutMillis, String onAckTimeout)
            implements Event {}

    /** The replicas caught up with a degraded leader: its policy applies again. */
    record PolicyRestored(long lsn, String policy) implements Event {}

    /**
     * A follower needs entries the leader's log no longer holds (it was away longer than the log is kept,
     * see retention-bytes-max): the leader starts streaming it a snapshot.
     */
    record FollowerNeedsSnapshot(NodeId follower, long neededLsn, long firstLsn) implements Event {}

    /** A snapshot transfer to a follower heard nothing for too long, or the follower gave it up. */
    record SnapshotTransferFailed(NodeId follower, String reason) implements Event {}

    /** This follower replaced its log and keyspace with its upstream's snapshot at (term, lsn). */
    record SnapshotInstalled(long lsn, long term, long keys) implements Event {}

    /**
     * A replica's lag crossed lag-alert-millis or lag-alert-bytes ({@code raised}), or came back within
     * both (not raised). Logged and counted by the runtime.
     */
    record LagAlert(NodeId replica, boolean raised, long lagMillis, long lagBytes, long lagEntries) implements Event {}

    /** Another node leads this node's own term (two promotions by hand): its stream is refused. */
    record ConflictingLeader(NodeId other, long term) implements Event {}

    /**
     * A relay (cascading) streamed to this node what it relays from this node itself ({@code relays}: the
     * relays the stream passed through): the upstreams configured form a loop, which no leader feeds. This node
     * ignores that stream, and follows the leader (or another relay) instead. Said once per relay in a row.
     */
    record RelayLoop(NodeId from, java.util.List<NodeId> relays) implements Event {}

    /** A message from a lower term was refused (fencing). */
    record StaleTermRefused(NodeId from, long theirTerm, long ourTerm) implements Event {}

    /**
     * This node's election timer ran out without a word from a leader: it asks the voters (first a
     * pre-vote, which changes no term; then the vote itself, in {@code term}).
     */
    record ElectionStarted(long term, boolean preVote, long lastLsn, long lastTerm) implements Event {}

    /**
     * This node's election timer ran out, but it does not stand: it is {@code behindEntries} behind the last
     * commit point it heard of, more than max-lag-on-failover-entries allows (a lagging replica leading would
     * lose what it lacks, or keep the others waiting while it catches up).
     */
    record StandingAside(long term, long behindEntries, long maxLagEntries) implements Event {}

    /** This node voted for {@code candidate} in {@code term} (its log is at least as up to date). */
    record VoteGranted(NodeId candidate, long term) implements Event {}

    /**
     * This node refused {@code candidate} its vote (or pre-vote) for {@code term}, and why: the candidate's
     * term is behind, it still hears from a leader, the candidate's log is behind
     * this node's, or it voted for another in that term.
     */
    record VoteRefused(NodeId candidate, long term, boolean preVote, String reason) implements Event {}

    /** A majority of the voters voted for this node: it leads {@code term}. */
    record Elected(long term, int votes, long lastLsn) implements Event {}

    /**
     * Check-quorum: fewer than a majority of the voters echoed a send time of this leader's within
     * {@code windowMillis} (the election timeout less half a heartbeat: LeadershipLease), and none renewed
     * the lease since it lapsed (LeaseLapsed). It steps down. {@code neverLeased}: a leader that never held a
     * lease in its term (no votes, as a configured leader on an empty data directory, or votes that came too
     * late) and that no majority answered within {@code windowMillis} of its taking leadership.
     */
    record LostQuorum(long term, int heard, int needed, long windowMillis, boolean neverLeased) implements Event {}

    /**
     * This leader's lease ran out (as for LostQuorum): it acknowledges nothing and asks every follower for a
     * fresh echo; it steps down (LostQuorum) unless a majority renews the lease within two heartbeats.
     */
    record LeaseLapsed(long term, int heard, int needed, long windowMillis) implements Event {}

    /** A majority renewed this leader's lapsed lease {@code lapsedMillis} after it ran out: it acknowledges again. */
    record LeaseRenewed(long term, long lapsedMillis) implements Event {}

    /** FAILOVER: this leader stopped taking writes and waits for {@code target} to hold its log up to lsn. */
    record SwitchoverStarted(NodeId target, long lsn, long timeoutMillis, boolean force) implements Event {}

    /** The target holds the whole log (or, forced, the time ran out): it was told to stand now. */
    record SwitchoverHandedOver(NodeId target, long lsn, boolean caughtUp) implements Event {}

    /** The switchover was given up (not caught up in time, no new leader, or ABORT): writes resume here. */
    record SwitchoverAborted(NodeId target, String reason) implements Event {}

    /**
     * This node applied entries that the leader's log does not hold (it led a term that was superseded, or
     * applied a deposed leader's entries): it drops them and rebuilds its keyspace as of afterLsn.
     */
    record Rewinding(long afterLsn, long appliedLsn, long lastLsn) implements Event {}
}
