package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.QuorumMath;
import java.util.Arrays;
import java.util.Map;

/**
 * Check-quorum as a lease: how long a leader may go on leading (and acknowledging) on the strength of what a
 * majority of the voters last heard from it.
 *
 * <p>Every AppendRequest carries the leader's clock when it was sent ({@code leaderTimeMillis}); a follower
 * echoes the newest it heard in the term ({@code AppendResponse.leaderMillis}). A voter refuses every vote
 * (but a handover's) for an election timeout after it last heard from a leader, and after it starts
 * (Elections.heardFromALeaderLately). So if a majority echoed send times of at least T, each of them heard
 * from this leader after T, and any majority that could elect another leader holds one of them: no other
 * leader is elected before T + election-timeout-millis. This leader leads until T + {@link #windowMillis},
 * and checks it before every step, so that nothing it does in a step (an acknowledgement above all) comes
 * after its lease ran out.
 *
 * <p>The margin, half a heartbeat (50 ms at the defaults), covers what the argument leaves out: the clocks'
 * rates (a voter's election timeout measured on a clock d slower: 2d x 500 ms, 1 ms for d = 10^-3, well
 * beyond a quartz clock's drift), a cycle of the voter's agent whose clock was read before the request came
 * in, and one of this leader's cycles between reading the clock and its replies leaving. Counting from send
 * times (not from when answers came back, as check-quorum did first) is what lets the margin be that small:
 * the round trip and a slow follower's queue no longer eat into it.
 *
 * <p>Clock steps do not reach it: the runtime's clock advances with the monotonic clock (NodeClock). What it does
 * not survive: a leader frozen for longer than the margin after it checked its lease and before its replies
 * left, or a monotonic clock that stopped while the leader's VM was suspended.
 *
 * <p>A new leader has a lease before any follower answered its first heartbeat: each voter that granted it
 * counts as having echoed the time the vote requests went out, since it answered after that and grants no
 * other candidate for an election timeout after (Elections.heardFromALeaderLately), as if it had heard from a
 * leader. The members that did not grant count for nothing until they echo: one may have refused, and stand
 * itself (simulator, seed 1351372: counting a campaigning follower as heard from at the election gave the new
 * leader a lease the voters had not promised, and it acknowledged a write after another was elected).
 */
final class LeadershipLease {
    private long[] echoes = new long[0];
    /** The leader's lease runs until then (its own clock); MIN_VALUE: not leading. */
    private long untilMillis = Long.MIN_VALUE;
    /** Voters (this leader one of them) whose echo is within the window, as of the last {@link #update}. */
    private int heard;

    /**
     * The election timeout less half a heartbeat (at least a heartbeat): how long after a send time that a
     * majority echoed the leader may still lead.
     */
    static long windowMillis(ReplicaSetConfig config) {
        return Math.max(config.heartbeatIntervalMillis(),
                config.electionTimeoutMillis() - config.heartbeatIntervalMillis() / 2);
    }

    /**
     * Recomputes the lease from the voters' echoes (this leader's own counts as now). Called as a leader
     * starts, on every answer, on every tick and when the members change.
     *
     * <p>Worked example, five voters, window 450: the leader, and followers that echoed 1000, 990, 700, 0
     * (never answered). Sorted newest first: now, 1000, 990, 700, 0; a majority is 3, the third is 990, so the
     * leader leads until 1440: by then two followers and itself have not heard from it for long enough.
     */
    void update(long nowMillis, ReplicaSetConfig config, NodeId self, Map<NodeId, Progress> progress) {
        if (echoes.length < progress.size() + 1) {
            echoes = new long[progress.size() + 1];
        }
        long window = windowMillis(config);
        int n = 0;
        heard = 0;
        if (config.member(self).voting()) {
            echoes[n++] = Long.MAX_VALUE;
            heard++;
        }
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            if (config.votes(e.getKey())) {
                long echo = e.getValue().echoedLeaderMillis;
                echoes[n++] = echo;
                if (echo > nowMillis - window) {
                    heard++;
                }
            }
        }
        int majority = QuorumMath.majority(config.voters());
        if (n < majority) {
            untilMillis = Long.MIN_VALUE;
            return;
        }
        Arrays.sort(echoes, 0, n);
        long newest = echoes[n - majority];
        untilMillis = newest == Long.MAX_VALUE ? Long.MAX_VALUE : newest + window;
    }

    /** Has the lease run out (or was there none)? Then the leader steps down before it does anything else. */
    boolean expired(long nowMillis) {
        return nowMillis >= untilMillis;
    }

    /** How many voters (the leader one of them) have echoed a send time within the window. */
    int heard() {
        return heard;
    }

    void reset() {
        untilMillis = Long.MIN_VALUE;
        heard = 0;
    }
}
