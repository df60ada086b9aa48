package io.tandem.core.replicaset;

import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.QuorumMath;
import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Automatic failover for a {@link ReplicaSetNode}, as in Raft with its two guards against disruption
 * (etcd's PreVote and CheckQuorum):
 * <ul>
 *   <li>a follower that hears nothing from a leader for the election timeout plus a random part of as much
 *       again (from the seeded generator, so that two followers rarely stand at once) asks for pre-votes:
 *       a dry run at term + 1 that changes no one's term;
 *   <li>once a majority of the voters would vote, it raises its term, votes for itself (made durable first)
 *       and asks for votes; a majority makes it leader;
 *   <li>a vote goes only to a candidate whose log is at least as up to date as the voter's, at most one
 *       per term, and never while the voter still hears from a leader (a leader's lease): a node cut off
 *       and returning does not depose a healthy leader;
 *   <li>a leader that no majority heard from for an election timeout (less a margin) steps down
 *       (check-quorum, as a lease: see LeadershipLease), so that a leader cut off from the others stops
 *       acknowledging before they elect a new one.
 * </ul>
 * Part of the core: no clock but the {@code nowMillis} it is given, no randomness but the node's generator.
 */
final class Elections {
    private enum Campaign { NONE, PRE_VOTE, VOTE }

    private final ReplicaSetNode node;
    private final RandomGenerator random;
    private final Set<NodeId> votes = new HashSet<>();
    private Campaign campaign = Campaign.NONE;
    /** When this follower stands for election if it has not heard from a leader by then; MIN_VALUE: not set. */
    private long deadlineMillis = Long.MIN_VALUE;
    /**
     * When this node, a candidate, last asked for votes (not pre-votes): a voter that grants answers after
     * that, so a leader counts its lease from then on the voters that elected it (ReplicaSetNode.becomeLeader).
     */
    private long askedMillis = Long.MIN_VALUE;
    /** The candidate this node last granted a vote (null: none since it started), and when. */
    private NodeId grantedTo;
    private long grantedMillis = Long.MIN_VALUE;
    /** This node's previous tick (MIN_VALUE: none yet): a tick long after it means the node stalled. */
    private long lastTickMillis = Long.MIN_VALUE;

    Elections(ReplicaSetNode node, RandomGenerator random) {
        this.node = node;
        this.random = random;
    }

    boolean campaigning() {
        return campaign != Campaign.NONE;
    }

    /** Stops a campaign (another node leads the term, or this one does now). */
    void stop() {
        campaign = Campaign.NONE;
        votes.clear();
    }

    /** The timer starts again: heard from the leader, voted, or stood. */
    void resetTimer(long nowMillis) {
        long timeout = node.config().electionTimeoutMillis();
        deadlineMillis = nowMillis + timeout + random.nextLong(timeout);
    }

    /**
     * A leader goes on leading (and acknowledging) for a while on the strength of this node's echoes
     * (LeadershipLease; and ReadLease, for reads): so no vote for an election timeout after this node last
     * heard from a leader, whatever it believes since (a newer term seen elsewhere makes it follow no one,
     * which must not end the promise), nor after it started (it may have echoed just before it crashed, and
     * remembers nothing of it).
     *
     * <p>Nor, to any other {@code candidate}, for an election timeout after it granted a vote: the candidate,
     * once elected, counts its lease from when it asked, before it heard from this node again. Without that
     * (simulator, seed 1351372), a voter whose new leader's first heartbeat was lost granted another candidate
     * 78 ms later, and the first acknowledged a write after the second was elected. The same candidate may
     * have it again: it asks in a later term only when it did not win (or no longer leads) the earlier one.
     */
    private boolean heardFromALeaderLately(long nowMillis, NodeId candidate) {
        long timeout = node.config().electionTimeoutMillis();
        long heard = node.heardFromALeaderMillis();
        return nowMillis - startedMillis < timeout || (heard != Long.MIN_VALUE && nowMillis - heard < timeout)
                || (grantedTo != null && !grantedTo.equals(candidate) && nowMillis - grantedMillis < timeout);
    }

    /** The first time this node was stepped: its start, for the leases. */
    private long startedMillis = Long.MIN_VALUE;

    /** The node steps: the first time is its start. */
    void stepped(long nowMillis) {
        if (startedMillis == Long.MIN_VALUE) {
            startedMillis = nowMillis;
        }
    }

    /**
     * Does this node still believe in a leader? It leads itself, or heard from the one it follows within
     * an election timeout. Then it refuses to help elect another.
     */
    private boolean inLease(long nowMillis) {
        if (node.isLeader()) {
            return true;
        }
        return node.leader() != null && nowMillis - node.heardFromLeaderMillis() < node.config().electionTimeoutMillis();
    }

    // ---- timers ---------------------------------------------------------------------------------------------

    /** A tick, whatever the role: returns how long since the previous one (0 for the first). */
    long ticked(long nowMillis) {
        long since = lastTickMillis == Long.MIN_VALUE ? 0 : nowMillis - lastTickMillis;
        lastTickMillis = nowMillis;
        return since;
    }

    /**
     * A follower's tick: stand when the timer ran out (a campaign that did not win by then starts over).
     * {@code stalled}: this node itself did not run since its previous tick (ReplicaSetNode#onTick).
     */
    void followerTick(long nowMillis, boolean stalled, Output out) {
        if (deadlineMillis == Long.MIN_VALUE) {
            resetTimer(nowMillis); // the first tick after start
            if (!aloneToVote()) {
                return;
            }
            // The only voter (a replica set of one, restarted): no one else can lead, and no one needs to be
            // waited for; it stands at once instead of refusing writes for an election timeout.
        } else if (nowMillis < deadlineMillis) {
            return;
        } else if (campaign == Campaign.NONE && stalled) {
            // Did this node itself stall (a GC pause, no core for it) since its last tick? Then the silence may
            // be its own: the leader's heartbeats may be waiting unread behind this tick. Wait two heartbeats
            // more instead of standing now. When the machine starves every process at once, both followers
            // would otherwise grant each other's pre-votes and depose a healthy leader whose messages they had
            // not read yet.
            deadlineMillis = nowMillis + 2 * node.config().heartbeatIntervalMillis();
            return;
        }
        resetTimer(nowMillis);
        if (!node.config().member(node.self()).mayStand() || node.rewinding()) {
            campaign = Campaign.NONE; // never leads (priority 0, non-voting), or its keyspace is being rebuilt
            return;
        }
        long behind = node.highestCommitHeardLsn() - node.lastLsn();
        if (node.config().maxLagOnFailoverEntries() > 0 && behind > node.config().maxLagOnFailoverEntries()) {
            campaign = Campaign.NONE;
            out.event(new Event.StandingAside(node.term() + 1, behind, node.config().maxLagOnFailoverEntries()));
            return;
        }
        start(nowMillis, Campaign.PRE_VOTE, out);
    }

    /** Is this node the replica set's only voter? */
    private boolean aloneToVote() {
        return node.config().voters() == 1 && node.config().votes(node.self());
    }

    // ---- campaigns -----------------------------------------------------------------------------------------

    /**
     * The leader hands us leadership (a switchover): stand now, without a pre-vote, and ask voters to grant
     * although they still hear from that leader (they do: it asked us).
     */
    void standForTransfer(long nowMillis, Output out) {
        resetTimer(nowMillis);
        transfer = true;
        start(nowMillis, Campaign.VOTE, out);
    }

    /** The current campaign is a leadership transfer (its VoteRequests say so). */
    private boolean transfer;

    private void start(long nowMillis, Campaign kind, Output out) {
        if (kind == Campaign.PRE_VOTE) {
            transfer = false;
        }
        campaign = kind;
        votes.clear();
        votes.add(node.self());
        long term;
        if (kind == Campaign.VOTE) {
            node.standInNextTerm(out); // term + 1, a vote for ourselves, durable before the requests leave
            term = node.term();
            askedMillis = nowMillis;
            // A vote round on a live network ends within a few round trips. If it has not won by then, the votes
            // were split (two candidates stood at once, each voting for itself): try again soon, after a
            // random part of half an election timeout, not a whole one (the fault lab's slowest failovers
            // were split votes waiting out a full timeout).
            deadlineMillis = nowMillis + 2 * node.config().heartbeatIntervalMillis()
                    + random.nextLong(Math.max(1, node.config().electionTimeoutMillis() / 2));
        } else {
            term = node.term() + 1;
        }
        out.event(new Event.ElectionStarted(term, kind == Campaign.PRE_VOTE, node.lastLsn(), node.lastTerm()));
        for (NodeId member : node.config().members().keySet()) {
            if (!member.equals(node.self()) && node.config().votes(member)) {
                out.sendNow(member, new Message.VoteRequest(term, node.self(), node.lastLsn(), node.lastTerm(),
                        kind == Campaign.PRE_VOTE, transfer));
            }
        }
        counted(nowMillis, out); // a single voter elects itself
    }

    /** Did a majority grant? A pre-vote goes on to the vote; a vote makes this node the leader. */
    private void counted(long nowMillis, Output out) {
        if (votes.size() < QuorumMath.majority(node.config().voters())) {
            return;
        }
        if (campaign == Campaign.PRE_VOTE) {
            start(nowMillis, Campaign.VOTE, out);
            return;
        }
        Set<NodeId> grantedBy = Set.copyOf(votes);
        stop();
        out.event(new Event.Elected(node.term(), grantedBy.size(), node.lastLsn()));
        node.becomeLeader(node.term(), nowMillis, grantedBy, askedMillis, out);
    }

    // ---- votes ------------------------------------------------------------------------------------------------

    void onVoteRequest(long nowMillis, Message.VoteRequest request, Output out) {
        long term = node.term();
        boolean pre = request.preVote();
        // Is the candidate behind us, or does our log not name us a member, or do we still hear from a leader?
        // Then no, with our term (a candidate behind learns it from the answer).
        //
        // Not asked: whether the membership we use makes the candidate a voter, or us one. The candidate counts
        // only the voters of its own membership (onVoteResponse), which is what safety needs; ours may be a
        // change older or newer than its, and refusing by it can leave no one electable for ever (found by the
        // simulator, seeds 250 and 258: a voter one change behind refused the only candidate that could win).
        // Raft grants votes without consulting the configuration for this reason (Ongaro's thesis, 4.1).
        //
        // But a node whose log names it no member at all refuses: it joined, or was wiped, and no leader has
        // streamed to it yet (or it was removed). Its log is empty or stale, so the up-to-date check would let
        // a stale candidate that still counts it win a term another leads (found by the simulator, seeds 2765
        // and 2028097: a removed and wiped node voted for a removed node that never learned it was removed).
        // Once a leader's stream names it, its log holds every change up to its own addition, and a candidate
        // behind that is refused. Leaders see to it that a majority of the voters can always vote
        // (Reconfiguration#unawareVotersRefusal).
        String refusal = request.term() < term ? "its term " + request.term() + " is behind ours, " + term
                : !node.membership().contains(node.self()) ? "this node's log does not name it a member (it"
                        + " joined or was wiped and has not heard from a leader, or was removed)"
                : inLease(nowMillis) && !request.transfer() ? (node.isLeader() ? "this node leads" : "this node still hears from its leader "
                        + node.leader())
                : heardFromALeaderLately(nowMillis, request.from()) && !request.transfer() ? "this node heard"
                        + " from a leader, voted for another candidate, or started, less than an election timeout"
                        + " ago (that leader's lease)" : null;
        if (refusal != null) {
            out.event(new Event.VoteRefused(request.from(), request.term(), pre, refusal));
            out.sendNow(request.from(), new Message.VoteResponse(term, node.self(), false, pre));
            return;
        }
        if (!pre && request.term() > term) {
            node.stepDown(request.term(), out); // a real election in a newer term: we follow no one in it yet
            term = node.term();
        }
        // Is the candidate's log at least as up to date as ours? The later last term wins; with the same
        // last term, the longer log. Worked example: ours ends (term 3, LSN 1001), theirs (3, 998): no,
        // since a write acknowledged at 1001 under quorum could be on us and not on them.
        // (By the log this node had before a rewind, if that is more up to date: see voteLastTerm.)
        long ourLastTerm = node.voteLastTerm();
        long ourLastLsn = node.voteLastLsn();
        boolean upToDate = request.lastTerm() > ourLastTerm
                || (request.lastTerm() == ourLastTerm && request.lastLsn() >= ourLastLsn);
        boolean grant;
        NodeId votedFor = node.votedFor();
        if (pre) {
            grant = upToDate && request.term() > term;
            if (grant && campaign == Campaign.PRE_VOTE && request.from().name().compareTo(node.self().name()) < 0) {
                // Two followers stood at once, and the other is as current as we are: the lower id goes on, we
                // give way (and wait a whole timeout), so that the two do not split the vote between them.
                stop();
                resetTimer(nowMillis);
            }
        } else {
            grant = upToDate && (votedFor == null || votedFor.equals(request.from()));
            if (grant) {
                node.voteFor(request.from(), out); // durable before the answer leaves
                resetTimer(nowMillis);
                grantedTo = request.from();
                grantedMillis = nowMillis;
                out.event(new Event.VoteGranted(request.from(), term));
            }
        }
        if (!grant) {
            out.event(new Event.VoteRefused(request.from(), request.term(), pre, !upToDate
                    ? "its log ends at (term " + request.lastTerm() + ", LSN " + request.lastLsn() + "), behind ours at"
                            + " (term " + ourLastTerm + ", LSN " + ourLastLsn + ")"
                    : pre ? "its term " + request.term() + " is not ahead of ours" : "this node voted for " + votedFor
                            + " in term " + term));
        }
        out.sendNow(request.from(), new Message.VoteResponse(grant ? request.term() : term, node.self(), grant, pre));
    }

    void onVoteResponse(long nowMillis, Message.VoteResponse response, Output out) {
        // A newer term than ours (a refusal: granted pre-votes carry our term + 1): we are behind; follow it.
        if (response.term() > node.term() && !(response.preVote() && response.granted())) {
            node.stepDown(response.term(), out);
            stop();
            resetTimer(nowMillis);
            return;
        }
        boolean ours = switch (campaign) {
            case PRE_VOTE -> response.preVote() && response.term() == node.term() + 1;
            case VOTE -> !response.preVote() && response.term() == node.term();
            case NONE -> false;
        };
        // Only voters of the membership we use now count (a removed member may still answer).
        if (ours && response.granted() && node.config().votes(response.from())) {
            votes.add(response.from());
            counted(nowMillis, out);
        }
    }
}
