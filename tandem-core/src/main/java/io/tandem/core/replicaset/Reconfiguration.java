package io.tandem.core.replicaset;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.QuorumMath;
import java.util.List;

/**
 * A leader's membership changes (TANDEM.MEMBERS): one member added, removed, promoted or demoted at a
 * time, logged as the whole new membership, in force on the leader at once (and on each follower once the
 * entry is in its log), answered OK once a majority of the voters holds it durably.
 *
 * <p>Why one at a time, each only once the previous is on a majority: any majority of the old voters and
 * any majority of the new share a node when the two differ by one voter, so two leaders cannot be elected
 * in one term, one by each. Two changes that only the leader holds could differ by two voters. Why a
 * majority and not the ack policy's commit point: under {@code async} (or a degraded policy) that is the
 * leader's own disk, and a second change could start while followers hold neither. And why only once this
 * leader's opening entry is on a majority: otherwise a change a deposed leader logged, never committed, and
 * one of this leader could both be in force on different nodes (the bug Ongaro found in his single-server
 * algorithm; the fix is to commit an entry of the new term first). Both found by the simulator too
 * (seeds 172, 196: under async a second change on a first only the leader held; 164, 204: a change answered
 * OK and lost in a failover).
 *
 * <p>And why a change may be refused although nothing is in flight: a node grants votes only once its own
 * log names it a member, so a change after which most voters do not yet hold the entry that made them
 * members could leave no one electable ({@link #unawareVotersRefusal}; etcd's strict reconfiguration
 * check). Add a member non-voting, let it catch up, then promote it.
 */
final class Reconfiguration {
    private final ReplicaSetNode node;
    /** The change waiting for a majority (at most one): who asked, and until when to wait. */
    private ClientRef client;
    private long requestId;
    private long lsn;
    private long deadlineMillis;

    Reconfiguration(ReplicaSetNode node) {
        this.node = node;
    }

    void onChangeMembers(long nowMillis, Input.ChangeMembers request, Output out) {
        String refusal = refusal(request.change());
        Membership next = null;
        if (refusal == null) {
            try {
                next = node.membership().apply(request.change());
            } catch (IllegalArgumentException e) {
                refusal = "ERR " + e.getMessage();
            }
        }
        if (refusal == null) {
            refusal = namedByPolicy(next);
        }
        if (refusal == null && node.config().elections()) {
            refusal = unawareVotersRefusal(next);
        }
        if (refusal != null) {
            out.reply(request.client(), request.requestId(), Reply.error(refusal));
            return;
        }
        node.appendReconfiguration(nowMillis, new Effect.Reconfigure(next), out);
        client = request.client();
        requestId = request.requestId();
        lsn = node.lastLsn();
        deadlineMillis = nowMillis + node.config().ackTimeoutMillis();
        check(nowMillis, out); // a replica set of one: on a majority once durable here
    }

    /**
     * Would a majority of the voters after the change be members that know they are? A node grants votes
     * only once its log names it a member (Elections.onVoteRequest: an empty node, one wiped, may have
     * forgotten the log that would make it refuse a stale candidate). So if a change left most voters
     * unaware, say an empty node added as a voter while cut off and then another voter demoted, and the
     * leader then went, no one could be elected, and nothing would tell them (found by the simulator, seed
     * 113). A voter counts here if it is this leader, or a member whose log this leader has seen match its own
     * up to the change that made it one and up to this term's opening entry; the member the change adds does
     * not. The same rule as etcd's strict reconfiguration check.
     *
     * <p>Why a match in this term, and not the durable position alone: a member since the start has "the
     * change that made it one" at LSN 0, which any position reaches, even that of a voter this leader never
     * heard from. Such a voter may hold a deposed leader's uncommitted change removing it; its own log then
     * names it no member, it votes for no one, and if it is needed for a majority no one can be elected
     * (simulator, seed 25015080 with followers gathering their answers: n2, cut off, held term 2's removal of
     * itself at LSN 153; leader n5 made n2 a voter again and demoted n3, leaving voters n2 and n5, and once
     * n5 stepped down nobody could win). Once a follower has matched this term's opening entry it has
     * dropped any such suffix: its log is this leader's. A voter behind a relay counts by the durable position
     * its relay reports in this term.
     *
     * <p>Worked example: voters n1 (leading), n2, n3, and n4 added at LSN 77 but cut off (durable 0). Demoting
     * n2 leaves n1, n3, n4: n1 and n3 know, 2 of 3, allowed. Demoting n3 after that leaves n1, n4: only n1
     * knows, 1 of 2, refused until n4 catches up.
     */
    private String unawareVotersRefusal(Membership next) {
        int voters = 0;
        int aware = 0;
        List<String> unaware = new java.util.ArrayList<>();
        for (Membership.Seat seat : next.seats()) {
            if (!seat.voting()) {
                continue;
            }
            voters++;
            Progress p = node.progress.get(seat.id());
            long since = node.memberships.memberSinceLsn(seat.id());
            // Worked example: n2 a member since LSN 0, this term opened at LSN 160: n2 counts once its log is
            // seen to match ours at 160 or later, whatever it reported in earlier terms.
            long confirmed = p == null ? -1 : p.relayedBy == null ? p.matchLsn : p.durableLsn;
            if (seat.id().equals(node.self()) || (since >= 0 && confirmed >= Math.max(since, node.termStartLsn()))) {
                aware++;
            } else {
                unaware.add(seat.id().name());
            }
        }
        if (aware >= QuorumMath.majority(voters)) {
            return null;
        }
        return "TRYAGAIN after this change " + unaware + " of its " + voters + " voters would not yet hold the entry"
                + " that made them members: not enough to elect a leader without them; let them catch up (add a"
                + " member non-voting, promote it once it has)";
    }

    /** Why this leader cannot make a membership change now (the error for the client), or null. */
    private String refusal(Membership.Change change) {
        if (!node.isLeader()) {
            NodeId leader = node.leader();
            String address = leader == null ? "" : node.memberAddresses().getOrDefault(leader, "");
            return "READONLY membership changes are made on the leader; " + (leader == null ? "no leader is known"
                    : "the leader is " + leader + (address.isEmpty() ? "" : " at " + address));
        }
        if (node.rewinding() || node.switchingOver()) {
            return "TRYAGAIN the leader is " + (node.rewinding() ? "rebuilding its keyspace" : "handing leadership over");
        }
        long onMajority = node.membershipCommitLsn(); // only once this leader's opening entry is on a majority
        if (onMajority < node.termStartLsn()) {
            return "TRYAGAIN this leader's first entry is not on a majority of the voters yet; retry in a moment";
        }
        if (client != null || node.membershipLsn() > onMajority) {
            return "TRYAGAIN a membership change (LSN " + node.membershipLsn() + ") is not on a majority of the"
                    + " voters yet; one change at a time";
        }
        NodeId leaving = change instanceof Membership.Change.Remove remove ? remove.id()
                : change instanceof Membership.Change.SetVoting voting && !voting.voting() ? voting.id() : null;
        if (node.self().equals(leaving)) {
            return "ERR " + node.self() + " leads: hand leadership to another member first (FAILOVER TO host port),"
                    + " then remove or demote it there";
        }
        return null;
    }

    /** A policy that names standbys (first K, any K) cannot lose one: it could never be met again. */
    private String namedByPolicy(Membership next) {
        List<NodeId> named = switch (node.config().ackPolicy()) {
            case AckPolicy.First first -> first.standbys();
            case AckPolicy.Any any -> any.standbys();
            default -> List.of();
        };
        for (NodeId id : named) {
            if (!next.contains(id)) {
                return "ERR ack-policy " + node.config().ackPolicy() + " names " + id
                        + ", which the change removes; change the policy first (CONFIG SET ack-policy)";
            }
        }
        return null;
    }

    /** Answers the change waiting, once a majority holds it, or at its deadline. */
    void check(long nowMillis, Output out) {
        if (client == null) {
            return;
        }
        if (node.membershipCommitLsn() >= lsn) {
            answer(Reply.OK, out);
        } else if (nowMillis >= deadlineMillis) {
            answer(Reply.error("TRYAGAIN the change (LSN " + lsn + ") is logged but not on a majority of the voters"
                    + " after " + node.config().ackTimeoutMillis() + " ms; it stays in the log and takes effect if"
                    + " they receive it: check TANDEM.MEMBERS"), out);
        }
    }

    /** This node stops leading: the change waiting may or may not survive. */
    void stepDown(Output out) {
        if (client != null) {
            answer(Reply.error("TRYAGAIN this node stopped leading before the membership change was on a majority;"
                    + " it may or may not survive: check TANDEM.MEMBERS on the new leader"), out);
        }
    }

    private void answer(Reply reply, Output out) {
        ClientRef waiting = client;
        client = null;
        out.reply(waiting, requestId, reply);
    }
}
