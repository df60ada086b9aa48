package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;

/**
 * The leader's view of one follower, as pg_stat_replication shows it: what was sent, what the follower
 * says it received, made durable and applied, and when each last moved.
 *
 * <p>{@code matchLsn} is the highest LSN known to be identical on both logs; until the first matched
 * response it is unknown and the leader probes (sends empty requests, stepping back on mismatch).
 */
public final class Progress {
    /** PROBE: finding the match point; REPLICATE: streaming entries; SNAPSHOT: a snapshot transfer runs. */
    enum State { PROBE, REPLICATE, SNAPSHOT }

    State state = State.PROBE;
    long sentLsn;
    long matchLsn = -1;
    long receivedLsn;
    long durableLsn;
    long appliedLsn;
    long lastSentMillis;
    /** When the last batch with entries went out (heartbeats do not count: see the resend rule). */
    long lastBatchSentMillis;
    long lastHeardMillis;
    /** The highest read round the follower echoed (read-index: it answered a request of that round). */
    long echoedReadRound;
    /**
     * The newest send time (this leader's clock) the follower echoed: it heard from this leader after then
     * (LeadershipLease). A leader starts each follower at its election time.
     */
    long echoedLeaderMillis;
    long receivedMovedMillis;
    long durableMovedMillis;
    long appliedMovedMillis;
    boolean connected;
    /** SNAPSHOT: when the transfer started or the follower last acknowledged bytes of it. */
    long snapshotMovedMillis;
    /** A lag alert is raised for this replica (cleared when it is back within the bounds). */
    boolean lagAlerted;
    /**
     * On the leader: the relay this replica streams from (cascading), whose answers, or its own relay's,
     * carry its positions (n5 via n4 in a chain n1 -> n2 -> n4 -> n5, reported in n2's answers); null when
     * it streams from the leader directly (or has not been heard of).
     */
    NodeId relayedBy;
    /**
     * A relay's follower that relays too: the positions it last reported of the replicas it feeds. The relay
     * passes them on upstream with its own followers', so that the leader hears of every replica of a chain
     * (n2 streams from n3, which streams from n4, which streams from the leader).
     */
    java.util.List<io.tandem.core.model.Message.Relayed> relayedDownstream = java.util.List.of();
    /**
     * On the leader: reports of this replica relayed by others are ignored until then, unless they echo a send
     * time after {@link #subscribedMillis}. It subscribed to the leader itself (restarted, or pointed back): a
     * relay it left may still vouch for what it said before a crash took some of it back, for as long as that
     * relay's own window of recent followers.
     */
    long ignoreRelayedUntilMillis;
    /**
     * On the leader: when this replica last subscribed to it directly (this leader's clock; 0: never). A relayed
     * report that echoes a later send time is fresh: the replica heard from us through that relay after it
     * came to us directly, so it moved to the relay since (cascading again after an election), and a relay it
     * left cannot echo such a time for it.
     */
    long subscribedMillis;
    /** The follower's client address as it announced it in its Subscribe ("" until it subscribes). */
    String announce = "";

    public long sentLsn() {
        return sentLsn;
    }

    public long receivedLsn() {
        return receivedLsn;
    }

    public long durableLsn() {
        return durableLsn;
    }

    public long appliedLsn() {
        return appliedLsn;
    }

    public long lastHeardMillis() {
        return lastHeardMillis;
    }

    public long appliedMovedMillis() {
        return appliedMovedMillis;
    }

    /**
     * How long the replica has been behind: 0 when it has applied everything up to {@code leaderLastLsn},
     * else the time since its applied position last moved (a replica that stopped applying, or that fell
     * off, grows it; one streaming steadily behind is caught by its lag in entries and bytes instead).
     */
    public long lagMillis(long leaderLastLsn, long nowMillis) {
        return appliedLsn >= leaderLastLsn ? 0 : Math.max(0, nowMillis - appliedMovedMillis);
    }

    public boolean connected() {
        return connected;
    }

    public String announce() {
        return announce;
    }

    /** The follower this replica streams from when it cascades, or null (see {@link #relayedBy}). */
    public NodeId relayedBy() {
        return relayedBy;
    }

    public boolean probing() {
        return state == State.PROBE;
    }

    /** Is the follower being bootstrapped from a snapshot? */
    public boolean receivingSnapshot() {
        return state == State.SNAPSHOT;
    }
}
