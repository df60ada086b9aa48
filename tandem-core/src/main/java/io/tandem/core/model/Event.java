package io.tandem.core.model;

/**
 * Something that happened in a protocol, worth telling an operator: the single source of truth for what
 * happened (the simulator prints events as a timeline, the server logs and counts them).
 */
public sealed interface Event {
    /** The node's role or term changed. {@code leader} may be null when unknown. */
    record RoleChanged(String role, long term, NodeId leader) implements Event {}

    /** A follower subscribed (or resubscribed) to this node's stream, saying its log ends at fromLsn. */
    record FollowerSubscribed(NodeId follower, long fromLsn) implements Event {}

    /** The policy was not met for lsn within the acknowledgement timeout. */
    record AckTimedOut(long lsn, int acknowledged, int required, long timeoutMillis) implements Event {}

    /** on-ack-timeout degrade: the leader now acknowledges writes as soon as they are durable locally. */
    record Degraded(long lsn, String policy) implements Event {}

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

    /** A message from a lower term was refused (fencing). */
    record StaleTermRefused(NodeId from, long theirTerm, long ourTerm) implements Event {}
}
