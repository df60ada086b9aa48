package io.tandem.core.replicaset;

import io.tandem.core.model.Event;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.QuorumMath;

/**
 * Check-quorum for a leader with elections, as a lease ({@link LeadershipLease}): while no majority of the
 * voters has echoed a recent send time, the leader acknowledges nothing (it is {@link #holding}) and asks every
 * follower again; a fresh echo from a majority renews the lease, none in time and it steps down. See
 * {@link #check} for why it holds before it steps down. Part of the core: no I/O, no clock.
 */
final class CheckQuorum {
    private final ReplicaSetNode node;
    /** The lease itself, from the send times a majority echoed. */
    private final LeadershipLease leadership = new LeadershipLease();
    /**
     * When the lease ran out (the leader's clock); MIN_VALUE: it holds its lease. Meanwhile it
     * acknowledges nothing and asks every follower for a fresh echo; it steps down if none comes in time.
     */
    private long leaseLapsedMillis = Long.MIN_VALUE;
    /**
     * The leader has not held a lease yet in its term (it leads with no votes, see ReplicaSetNode#becomeLeader,
     * or its votes came so late that the lease they gave had run out already): it holds acknowledgements from
     * the start, as if its lease had lapsed, and waits several election timeouts, not two heartbeats, for a
     * majority to echo it: at a replica set's birth the followers may still be starting.
     */
    private boolean leaseAwaited;

    CheckQuorum(ReplicaSetNode node) {
        this.node = node;
    }

    /**
     * The node leads from now on. A leader that holds no lease yet (elected by votes that have run out, or
     * leading with none, see ReplicaSetNode#becomeLeader) holds acknowledgements until a majority echoes it.
     */
    void leading(long nowMillis) {
        leadership.update(nowMillis, node.config(), node.self(), node.progress);
        leaseLapsedMillis = Long.MIN_VALUE;
        leaseAwaited = node.config().elections() && leadership.expired(nowMillis);
        if (leaseAwaited) {
            leaseLapsedMillis = nowMillis; // acknowledgements wait for a majority's echo (check)
        }
    }

    /** Does the leader hold acknowledgements (its lease lapsed, or it has held none yet in its term)? */
    boolean holding() {
        return leaseLapsedMillis != Long.MIN_VALUE;
    }

    /** The voters changed: the lease counts the new majority (a new member as heard from now). */
    void membersChanged(long nowMillis) {
        leadership.update(nowMillis, node.config(), node.self(), node.progress);
    }

    /** A follower answered in our term: it echoed a send time, which may renew a lapsed lease. */
    void answered(long nowMillis, Output out) {
        leadership.update(nowMillis, node.config(), node.self(), node.progress);
        renewed(nowMillis, out);
    }

    /**
     * Check-quorum, before every step of a leader with elections: has its lease run out (LeadershipLease:
     * no majority of the voters echoed a send time within the election timeout less half a heartbeat)? Then
     * the others may be electing a new leader already: it acknowledges nothing more
     * (ReplicaSetNode#advanceCommit holds the commit point) and sends every follower a heartbeat at once.
     *
     * <p>Why not step down at once, as Raft's check-quorum does: most lapses on a busy machine are this
     * leader's own stall (a GC pause, two cores shared by three JVMs and a load generator) shorter than
     * the followers' randomized timeout. They have not stood; their answers to the heartbeat echo a send time
     * after the stall, which renews the lease ({@link #answered}), and nothing happened. Stepping down made
     * each such stall a failover. Holding acknowledgements is what safety needs: a renewing echo proves a
     * majority heard from this leader, in its term, after the lapse.
     *
     * <p>If no majority answers within {@link #LEASE_RENEWAL_HEARTBEATS} heartbeats, the leader is cut off
     * (or they elected another): it steps down, and what it held fails with -TRYAGAIN. A leader that never held
     * a lease in its term ({@link #leaseAwaited}) waits {@link #FIRST_LEASE_ELECTION_TIMEOUTS} election timeouts
     * instead, with no LeaseLapsed or LeaseRenewed event: that is a replica set being born, not a leader losing
     * touch.
     */
    void check(long nowMillis, Output out) {
        if (!node.isLeader() || !node.config().elections()) {
            return;
        }
        if (!leadership.expired(nowMillis)) {
            renewed(nowMillis, out); // if it had lapsed: renewed by whatever changed the lease (the members)
            return;
        }
        // For the count it reports (the lease is the same).
        leadership.update(nowMillis, node.config(), node.self(), node.progress);
        int needed = QuorumMath.majority(node.config().voters());
        long window = LeadershipLease.windowMillis(node.config());
        if (leaseLapsedMillis == Long.MIN_VALUE) {
            leaseLapsedMillis = nowMillis;
            out.event(new Event.LeaseLapsed(node.term(), leadership.heard(), needed, window));
            node.streams.heartbeatAll(nowMillis, out);
            return;
        }
        long waitMillis = leaseAwaited ? FIRST_LEASE_ELECTION_TIMEOUTS * node.config().electionTimeoutMillis()
                : LEASE_RENEWAL_HEARTBEATS * node.config().heartbeatIntervalMillis();
        if (nowMillis - leaseLapsedMillis < waitMillis) {
            return;
        }
        out.event(new Event.LostQuorum(node.term(), leadership.heard(), needed, leaseAwaited ? waitMillis : window,
                leaseAwaited));
        node.stepDown(node.term(), out);
        node.elections.resetTimer(nowMillis);
    }

    /**
     * How many election timeouts a leader that never held a lease waits for a majority's first echo
     * ({@link #leaseAwaited}). Long enough for the processes of a replica set started one after another to come
     * up (`tandem up`: the second answers 0.5-0.6 s after the first, past one 500 ms timeout, which made every
     * birth an election); waiting costs nothing but the held writes' time: nothing is acknowledged meanwhile,
     * and a newer term in any answer ends it at once.
     */
    static final int FIRST_LEASE_ELECTION_TIMEOUTS = 4;

    /** How long a leader whose lease ran out waits for a majority to renew it before it steps down. */
    static final int LEASE_RENEWAL_HEARTBEATS = 2;

    /** An answer renewed a lapsed lease: acknowledgements resume. */
    private void renewed(long nowMillis, Output out) {
        if (leaseLapsedMillis == Long.MIN_VALUE || leadership.expired(nowMillis)) {
            return;
        }
        if (!leaseAwaited) {
            out.event(new Event.LeaseRenewed(node.term(), nowMillis - leaseLapsedMillis));
        }
        leaseAwaited = false;
        leaseLapsedMillis = Long.MIN_VALUE;
        node.advanceCommit(nowMillis, out);
    }
}
