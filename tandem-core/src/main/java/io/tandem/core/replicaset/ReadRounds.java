package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.QuorumMath;
import java.util.Map;

/**
 * A leader's reads with elections: read-index rounds, and lease reads when read-lease-millis is set. A read must
 * know this node still led when it arrived, or another may have been elected meanwhile and acknowledged writes
 * this one never saw. So it waits for a round of confirming leadership, begun after it arrived, to be echoed by
 * a majority of the voters (or is answered at once while a lease holds, see {@link ReadLease}).
 *
 * <p>Rounds ride on every request to the followers; one begins at once when a read needs it and none is in
 * flight, otherwise when the one in flight is confirmed ({@link #wanted}), so that reads arriving together share
 * one. The node decides which replies a confirmed round releases. Part of the core: no I/O, no clock.
 */
final class ReadRounds {
    private final ReplicaSetNode node;
    private final Streams streams;
    private final Map<NodeId, Progress> progress;
    /** Lease reads (read-lease-millis), when configured. */
    private final ReadLease lease = new ReadLease();
    /** The latest round this leader began; 0 before the first of its term. */
    private long round;
    /** The round reads are waiting for: one past {@link #round} while a read waits for the round in flight. */
    private long wanted;
    /**
     * No request sent before the current round began carries a send time above this. A voter that echoes a later
     * send time heard from this leader after the round began, as if it had echoed the round: what a voter behind
     * a relay (cascading) can say, since relays pass on send times, not rounds.
     */
    private long startedMillis = Long.MAX_VALUE;
    /** The highest send time this leader has put in a request (see {@link #startedMillis}). */
    private long highestShippedMillis;
    /** Scratch for {@link #confirmed}, which runs on every answer and read: no allocation each time. */
    private long[] echoes = new long[0];

    ReadRounds(ReplicaSetNode node, Streams streams) {
        this.node = node;
        this.streams = streams;
        this.progress = streams.progress;
    }

    /** A new leadership: no rounds, no lease. */
    void reset() {
        round = 0;
        wanted = 0;
        startedMillis = Long.MAX_VALUE;
        lease.reset();
    }

    /** The round this leader's requests carry. */
    long current() {
        return round;
    }

    /**
     * The round a read arriving now waits for: the next one. It begins at once if none is in flight, else as
     * soon as the one in flight is confirmed (it was sent before this read arrived, so it cannot vouch for it).
     */
    long roundFor(long nowMillis, Output out) {
        long needed = round + 1;
        wanted = Math.max(wanted, needed);
        if (confirmed() >= round) {
            start(nowMillis, out);
        }
        return needed;
    }

    private void start(long nowMillis, Output out) {
        round++;
        // Every request sent before now carries a send time at most this (the clock may have been stepped back):
        // a later send time echoed can only come from a request sent after the round began.
        startedMillis = Math.max(nowMillis, highestShippedMillis);
        lease.roundStarted(round, nowMillis);
        streams.heartbeatAll(nowMillis, out);
    }

    /** A request leaves with this send time. */
    void shipped(long sendMillis) {
        highestShippedMillis = Math.max(highestShippedMillis, sendMillis);
    }

    /** May a read be answered now, without a round (a lease read)? Never during a handover. */
    boolean leaseHolds(long nowMillis) {
        return node.config().readLeaseMillis() > 0 && lease.holds(nowMillis) && !node.switchingOver();
    }

    /** With lease reads a round begins every heartbeat, so that the lease is renewed before it ends. */
    void renewLease(long nowMillis, Output out) {
        ReplicaSetConfig config = node.config();
        if (config.readLeaseMillis() > 0 && lease.renewalDue(nowMillis, config.heartbeatIntervalMillis())
                && confirmed() >= round) {
            start(nowMillis, out);
        }
    }

    /** FAILOVER sends TimeoutNow: voters grant the target whatever their lease, so ours ends now. */
    void giveUpLease() {
        lease.giveUp();
    }

    /** An answer came: a round it confirmed extends the lease, and begins the one reads are waiting for, if any. */
    void answered(long nowMillis, Output out) {
        ReplicaSetConfig config = node.config();
        if (config.readLeaseMillis() > 0) {
            lease.confirmed(confirmed(), config.readLeaseMillis());
        }
        if (wanted > round && confirmed() >= round) {
            start(nowMillis, out);
        }
    }

    /**
     * The highest round a majority of the voters (this leader one of them, at its own round) has echoed: every
     * read waiting for it or an earlier one may go. Without elections, no read waits.
     *
     * <p>Worked example, five voters: this leader at round 9, followers echoed 9, 8, 7, 3: sorted 9, 9, 8, 7, 3,
     * the third (a majority is 3) is 8.
     */
    long confirmed() {
        ReplicaSetConfig config = node.config();
        if (!config.elections()) {
            return Long.MAX_VALUE;
        }
        if (echoes.length < progress.size() + 1) {
            echoes = new long[progress.size() + 1];
        }
        int n = 0;
        if (config.member(node.self()).voting()) {
            echoes[n++] = round;
        }
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            if (config.votes(e.getKey())) {
                Progress p = e.getValue();
                // Did it hear from us after the current round began? Then it vouches for that round, even if the
                // round itself never reached it (it streams from a relay).
                echoes[n++] = p.echoedLeaderMillis > startedMillis ? round : p.echoedReadRound;
            }
        }
        int majority = QuorumMath.majority(config.voters());
        if (n < majority) {
            return 0;
        }
        java.util.Arrays.sort(echoes, 0, n);
        return echoes[n - majority];
    }
}
