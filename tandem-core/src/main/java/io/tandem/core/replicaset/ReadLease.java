package io.tandem.core.replicaset;

/**
 * Lease reads (read-lease-millis above 0): a leader answers reads at once, without a round trip, while a
 * majority of the voters confirmed a read round it began less than read-lease-millis ago.
 *
 * <p>Why that is safe. A voter refuses every vote (but a handover's) for an election timeout after it last
 * heard from its leader, and after it starts (it may have heard from one just before a crash). A voter
 * that echoed round r heard of r after the leader began it, at Ts on the leader's clock; so no other
 * leader can be elected until an election timeout after Ts on that voter's clock, and a majority confirmed
 * r. The lease ends at Ts + read-lease-millis on the leader's clock. It holds while read-lease-millis &lt;=
 * election-timeout-millis x (1 - d) / (1 + d), where d bounds how much faster or slower than real time
 * any member's clock runs: with 400 and 500, d up to 11%, far beyond a quartz clock's drift (1e-4).
 * What it does not survive: a clock stepped backwards on the leader (an NTP step, a VM restored), or a
 * leader frozen between reading the clock and answering (a long GC pause inside one cycle); read-index
 * (the default) needs no clock at all.
 *
 * <p>A leader that hands leadership over (FAILOVER) gives its lease up when it sends TimeoutNow: voters
 * grant a handover whatever their lease.
 */
final class ReadLease {
    /** Read rounds remembered with the time they began (a ring): enough for the rounds in flight. */
    private static final int ROUNDS = 64;

    private final long[] roundIds = new long[ROUNDS];
    private final long[] roundStartedMillis = new long[ROUNDS];
    /** The leader's lease runs until then (its own clock); MIN_VALUE: none. */
    private long untilMillis = Long.MIN_VALUE;
    /** The newest round the lease was taken from. */
    private long round;
    /** A handover was started in this term: no lease until the next. */
    private boolean givenUp;
    private long lastRoundStartedMillis = Long.MIN_VALUE;

    /** A new term (as leader, or not): no lease, no rounds. */
    void reset() {
        untilMillis = Long.MIN_VALUE;
        round = 0;
        givenUp = false;
        lastRoundStartedMillis = Long.MIN_VALUE;
        java.util.Arrays.fill(roundIds, 0);
    }

    /** The leader began read round {@code id} now. */
    void roundStarted(long id, long nowMillis) {
        roundIds[(int) (id % ROUNDS)] = id;
        roundStartedMillis[(int) (id % ROUNDS)] = nowMillis;
        lastRoundStartedMillis = nowMillis;
    }

    /** Has no round begun for this long? (The leader renews its lease once a heartbeat.) */
    boolean renewalDue(long nowMillis, long intervalMillis) {
        return lastRoundStartedMillis == Long.MIN_VALUE || nowMillis - lastRoundStartedMillis >= intervalMillis;
    }

    /** A majority confirmed round {@code confirmed}: the lease runs from when it began. */
    void confirmed(long confirmed, long leaseMillis) {
        if (confirmed <= round || roundIds[(int) (confirmed % ROUNDS)] != confirmed) {
            return; // not newer, or begun so long ago that the ring forgot it (then it vouches for nothing)
        }
        round = confirmed;
        untilMillis = Math.max(untilMillis, roundStartedMillis[(int) (confirmed % ROUNDS)] + leaseMillis);
    }

    /** FAILOVER: the target may be elected at once, whatever the voters' leases. */
    void giveUp() {
        givenUp = true;
    }

    boolean holds(long nowMillis) {
        return !givenUp && nowMillis < untilMillis;
    }
}
