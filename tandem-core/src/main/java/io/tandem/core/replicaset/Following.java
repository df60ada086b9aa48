package io.tandem.core.replicaset;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.util.Invariants;
import java.util.List;

/**
 * The follower side of a {@link ReplicaSetNode}: following its upstream's stream (the leader, or a relay when
 * cascading). Each batch is checked against this node's log at the previous entry; a divergent suffix is
 * truncated, or rewound when it was applied; entries are appended, applied once durable (late on a delayed
 * replica), and answered with received / durable / applied positions capped by what the upstream confirmed.
 * Also: snapshots installed and rewinds finished by the runtime, the resubscribing and upstream-seeking of the
 * follower's tick, and what the upstream last said (its commit point, time and read round), which a relay passes
 * on and staleness is measured against.
 *
 * <p>The node's log positions and role stay on the node, which this class moves directly (same package); the
 * state here is the follower's alone. Part of the core: no I/O, no clock.
 */
final class Following {
    private final ReplicaSetNode node;

    /** The highest read round our upstream sent, echoed in every answer. */
    private long leaderReadRound;
    /**
     * The newest send time (the leader's clock, AppendRequest.leaderTimeMillis) our upstream sent in this
     * term, echoed in every answer for the leader's lease; 0 after a change of leader or term.
     */
    private long leaderSentMillis;
    /**
     * Cascading: the member this node would rather stream from than the leader (the upstream config key, or
     * REPLICAOF host port at run time); null: the leader. After an election the new leader streams to every
     * member directly; a member with an upstream asks it now and then (askUpstream) and moves to it once it
     * relays the same term. (An upstream that leads is followed directly, as the leader.)
     */
    private NodeId upstream;
    /** When this follower last asked its upstream to stream to it (see askUpstream). */
    private long upstreamAskedMillis = Long.MIN_VALUE;
    /** Until then this node does not ask its upstream to feed it (see {@link #holdOffUpstream}). */
    private long upstreamHoldOffUntilMillis = Long.MIN_VALUE;
    // What the leader (through our upstream) last said, and when, on our clock.
    private long leaderCommitLsn;
    private long leaderTimeMillis;
    private long heardFromLeaderMillis;
    private long subscribedMillis = Long.MIN_VALUE;
    /** Since our last Subscribe, has our upstream sent us entries or a snapshot chunk? (tick) */
    private boolean fedSinceSubscribe;
    /** The leader's client address, from its last request (a follower's INFO shows it). */
    private String leaderAnnounce = "";
    /**
     * The highest LSN a request of the current leader has confirmed identical to its log. Positions
     * reported upstream are capped by it: an entry beyond it may be a stale one from an older term that
     * no request has overwritten yet, and the leader must not count it as its own.
     */
    private long confirmedLsn;
    /**
     * The arrival time (own clock) of the last leader message whose commit LSN this follower had applied:
     * its reads were current then.
     */
    private long caughtUpMillis;

    /**
     * The relays between the leader and us (cascading), as the stream we follow last listed them: empty when
     * we stream from the leader itself, [n2] from relay n2 that streams from the leader, [n3, n2] from n2 that
     * streams from n3.
     */
    private List<NodeId> upstreamRelays = List.of();
    /** What our requests list: {@link #upstreamRelays} and ourselves (kept, not built for every request). */
    private List<NodeId> shippedRelays;
    /** Did the last request of the stream we follow ask for answers at receipt (AppendRequest.ackOnReceipt)? */
    private boolean upstreamAcksOnReceipt;
    /** The relay whose looped stream we last reported (Event.RelayLoop), so that we say it once. */
    private NodeId loopReportedFrom;

    Following(ReplicaSetNode node, NodeId self) {
        this.node = node;
        this.shippedRelays = List.of(self);
    }

    /** This node leads: it streams from no one (its relays are forgotten, not the followers it feeds). */
    void leading() {
        upstreamRelays = List.of();
        shippedRelays = List.of(node.self());
    }

    /** Cascading: prefer {@code member} as upstream from now on (null: the leader); asked on the next tick. */
    void upstream(NodeId member) {
        upstream = member;
        upstreamAskedMillis = Long.MIN_VALUE;
    }

    NodeId upstream() {
        return upstream;
    }

    /** The leader's commit point, as this node's upstream last said it. */
    long leaderCommitLsn() {
        return leaderCommitLsn;
    }

    /** The highest LSN a request of the current upstream has confirmed identical to its log. */
    long confirmedLsn() {
        return confirmedLsn;
    }

    /** The newest send time the leader put in a request in this term, as our upstream passed it on. */
    long leaderSentMillis() {
        return leaderSentMillis;
    }

    long leaderTimeMillis() {
        return leaderTimeMillis;
    }

    long heardFromLeaderMillis() {
        return heardFromLeaderMillis;
    }

    /** A leader was followed from now on (becomeFollower): its silence counts from here. */
    void heardFromLeader(long nowMillis) {
        heardFromLeaderMillis = nowMillis;
    }

    String leaderAnnounce() {
        return leaderAnnounce;
    }

    long caughtUpMillis() {
        return caughtUpMillis;
    }

    /** The relays our stream passes through; none on a leader. */
    List<NodeId> upstreamRelays() {
        return node.isLeader() ? List.of() : upstreamRelays;
    }

    private void upstreamRelays(List<NodeId> relays) {
        if (relays.equals(upstreamRelays)) {
            return;
        }
        upstreamRelays = List.copyOf(relays);
        // A follower we fed that is upstream of us now (the chain changed around us): feeding it would close a
        // loop. It finds the leader, or another relay.
        node.progress.keySet().removeAll(upstreamRelays);
        List<NodeId> shipped = new java.util.ArrayList<>(relays.size() + 1);
        shipped.addAll(relays);
        shipped.add(node.self());
        // Past the most a stream may list only in a loop, which the receiver refuses anyway: keep the newest.
        shippedRelays = List.copyOf(shipped.subList(Math.max(0, shipped.size() - Message.AppendRequest.MAX_RELAYS),
                shipped.size()));
    }

    /** The relays this node's requests list: none from a leader; from a relay, its upstream's and itself. */
    List<NodeId> shippedRelays() {
        return node.isLeader() ? List.of() : shippedRelays;
    }

    /**
     * Do this node's requests ask for an answer at receipt? A leader's, when it counts acknowledgements at level
     * received; a relay's, when its upstream's last request did (the leader counts its followers' positions
     * too, which the relay reports as it hears them).
     */
    boolean shippedAckOnReceipt() {
        return node.isLeader() ? node.config().ackLevel() == AckLevel.RECEIVED : upstreamAcksOnReceipt;
    }

    /**
     * We stream from someone else now ({@code next}; null: no one yet): what the previous one confirmed,
     * committed, echoed and sent says nothing of the next one's log. The commit point above all: an older
     * leader's (under async, just what it had made durable) may be beyond what survives, and would keep our
     * reads stale.
     */
    void forgetUpstream(NodeId next, Output out) {
        upstreamRelays(List.of());
        upstreamAcksOnReceipt = false;
        confirmedLsn = 0;
        leaderCommitLsn = 0;
        leaderReadRound = 0;
        leaderSentMillis = 0;
        out.event(new Event.RoleChanged("follower", node.term(), next));
    }

    /**
     * How long ago this node last subscribed; "for ever" if it never did (a node restarted with elections
     * learns its leader from a probe, without subscribing). Not {@code nowMillis - MIN_VALUE}: that overflows
     * to a negative number, and the node would never subscribe again.
     */
    private long millisSinceSubscribed(long nowMillis) {
        return subscribedMillis == Long.MIN_VALUE ? Long.MAX_VALUE : nowMillis - subscribedMillis;
    }

    /** A Subscribe: where our log ends, and our client address. */
    private Message.Subscribe subscription() {
        return new Message.Subscribe(node.term(), node.self(), node.lastLsn, node.lastTerm, node.addresses.own());
    }

    void subscribe(long nowMillis, Output out) {
        if (node.leader == null || node.leader.equals(node.self()) || node.rewinding) {
            return;
        }
        out.sendNow(node.leader, subscription());
        subscribedMillis = nowMillis;
        fedSinceSubscribe = false;
    }

    void onAppendRequest(long nowMillis, Message.AppendRequest request, Output out) {
        if (node.isLeader()) {
            conflictingLeader(request.from(), out);
            return;
        }
        if (request.relays().contains(node.self())) {
            leaveLoop(nowMillis, request, out);
            return;
        }
        if (!followsSender(nowMillis, request.from(), out)) {
            return;
        }
        loopReportedFrom = null;
        upstreamRelays(request.relays());
        heardFromLeaderMillis = nowMillis;
        node.heardFromALeaderMillis = nowMillis;
        leaderReadRound = Math.max(leaderReadRound, request.readRound());
        leaderSentMillis = Math.max(leaderSentMillis, request.leaderTimeMillis());
        if (node.config().elections()) {
            node.elections.resetTimer(nowMillis);
        }
        if (node.rewinding) {
            return; // the stream resumes once the keyspace is rebuilt (we subscribe again then)
        }
        learnFrom(nowMillis, request, out);
        // Do we hold the entry this batch follows? If not, say where our log may match the leader's.
        if (request.prevLsn() > node.lastLsn || node.log().term(request.prevLsn()) != request.prevTerm()) {
            answerNoMatch(nowMillis, request, out);
            return;
        }
        if (!appendEntries(nowMillis, request, out)) {
            return; // rewinding, or asked to be asked about our snapshot's last entry
        }
        long confirmedBefore = confirmedLsn;
        confirmedLsn = Math.max(confirmedLsn, request.lastLsn());
        if (confirmedLsn > confirmedBefore && !node.progress.isEmpty()) {
            node.streams.replicateAll(nowMillis, out); // a relay passes on what its leader confirmed (relayableLsn)
        }
        applyDurable(nowMillis);
        // Answer now when the leader needs it now: a probe or heartbeat (the match and our end), an
        // acknowledgement at level "received" (the leader's level, which the request carries: ours counts only
        // when we lead), or nothing new to wait for. Otherwise one answer goes once the entries are durable
        // (onPersisted), instead of one now and one then.
        if (request.entries().isEmpty() || request.ackOnReceipt() || node.durableLsn >= node.lastLsn) {
            respond(nowMillis, out);
        }
        node.waiters.check(nowMillis, out);
    }

    /**
     * The stream comes back to us through relays: the upstreams form a loop (n2 streams from n3, n3 from n4, n4
     * from n2). Each relays only what the previous relayed, no leader feeds it, and each one's heartbeats would
     * keep the next one from ever looking elsewhere or standing, and each one's reports upstream of what its
     * followers said would go round the loop for ever, multiplying. Leave it: follow no one, ignore its stream,
     * and feed no one (our followers are the loop's other members: they must not go on hearing from us either,
     * or they would refuse every candidate); then we follow whom the leader's probes offer, or vote. A relay
     * refuses a subscriber already upstream of it (Streams.onSubscribe), so the loop does not form again. (A
     * relay's stream lists the relays it passed through, each adding itself.)
     */
    private void leaveLoop(long nowMillis, Message.AppendRequest request, Output out) {
        if (!request.from().equals(loopReportedFrom)) {
            loopReportedFrom = request.from();
            out.event(new Event.RelayLoop(request.from(), request.relays()));
        }
        if (request.from().equals(node.leader)) {
            streamFrom(null, out);
            node.progress.clear();
            holdOffUpstream(nowMillis);
        }
    }

    /** What a request of the upstream we follow says besides its entries: addresses, commit point, time. */
    private void learnFrom(long nowMillis, Message.AppendRequest request, Output out) {
        leaderAnnounce = request.announce();
        node.addresses.put(request.from(), request.announce());
        node.addresses.learn(request.directory(), id -> node.config().member(id) != null);
        long silence = ReplicaSetNode.SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * node.config().heartbeatIntervalMillis();
        if (node.addresses.missingFrom(request.directory()) && millisSinceSubscribed(nowMillis) >= silence) {
            // The leader's heartbeat lists every member address it knows, and ours is missing (it found us by
            // probing, after an election, or our Subscribe was lost) or stale (we came back on another client
            // port), so it cannot show us to clients (INFO, SENTINEL REPLICAS). Subscribe: that tells it.
            subscribe(nowMillis, out);
        }
        leaderCommitLsn = Math.max(leaderCommitLsn, request.commitLsn());
        node.highestCommitHeardLsn = Math.max(node.highestCommitHeardLsn, request.commitLsn());
        leaderTimeMillis = Math.max(leaderTimeMillis, request.leaderTimeMillis());
        upstreamAcksOnReceipt = request.ackOnReceipt();
    }

    /**
     * We do not hold the entry the batch follows (or hold another there): say where our log may match the
     * upstream's, or, when our snapshot itself cannot be the upstream's, drop everything (a rewind to 0).
     */
    private void answerNoMatch(long nowMillis, Message.AppendRequest request, Output out) {
        long snapshotLsn = node.log().firstLsn() - 1;
        if (request.prevLsn() == snapshotLsn && snapshotLsn > 0) {
            // The leader's entry at the LSN our snapshot ends with is another (or, term -1, it has none:
            // its log ends before): our snapshot holds entries of a superseded term, and nothing of ours
            // can be kept. The leader asks here only after we said it is the lowest point we can check.
            startRewind(nowMillis, 0, out);
            return;
        }
        if (request.prevLsn() < snapshotLsn && snapshotDivergesAfter(request.prevLsn(), request.prevTerm())) {
            startRewind(nowMillis, 0, out);
            return;
        }
        // Worked example: our log ends at 50 and holds 41..50 (a snapshot covers 1..40). A batch after
        // 30 cannot be checked (30 is compacted): the hint is 50, our end, not 29, or the leader would
        // step back towards 0 and resend what our snapshot holds.
        long hint;
        if (request.prevLsn() < snapshotLsn) {
            hint = node.lastLsn;
        } else if (request.prevTerm() < 0) {
            // The upstream no longer holds prevLsn either (it compacted it: a heartbeat after an old match
            // point): nothing to compare terms with. Step back one; it bootstraps us if it must.
            hint = Math.max(0, Math.min(node.lastLsn, request.prevLsn() - 1));
        } else {
            hint = lastPossibleMatch(Math.min(node.lastLsn, request.prevLsn() - 1), request.prevTerm());
        }
        if (hint < 0) {
            // Even the entry our snapshot ends with is of a later term than the leader's entry at prevLsn:
            // our snapshot holds entries the leader never had. Nothing of ours can be kept.
            startRewind(nowMillis, 0, out);
            return;
        }
        answerMismatch(request.from(), hint, out);
    }

    /**
     * Appends the batch's entries that we do not hold yet, after a divergent suffix of ours is dropped. False
     * when the batch cannot be acknowledged: a rewind began, or whether we hold its entries is unknown (then
     * we asked to be asked about our snapshot's last entry).
     */
    private boolean appendEntries(long nowMillis, Message.AppendRequest request, Output out) {
        fedSinceSubscribe |= !request.entries().isEmpty();
        boolean unchecked = false; // entries our snapshot covers, not yet shown to be the leader's
        for (Entry entry : request.entries()) {
            if (entry.lsn() < node.log().firstLsn()) {
                // Covered by our snapshot (we compacted it away): applied long ago, nothing to compare it
                // with but the snapshot's own last entry. A batch after LSN 0, which every log "holds", can
                // still carry such entries. An entry of a later term than our snapshot's last cannot come
                // before it in the leader's log: the snapshot diverges (snapshotDivergesAfter).
                long ours = node.log().term(entry.lsn());
                if ((ours >= 0 && ours != entry.term())
                        || (ours < 0 && snapshotDivergesAfter(entry.lsn(), entry.term()))) {
                    startRewind(nowMillis, 0, out); // the snapshot itself diverges (see above)
                    return false;
                }
                // Held only if our snapshot is a prefix of the leader's log, which its last entry shows: a match
                // there is a match of everything before it.
                unchecked = ours < 0;
                continue;
            }
            if (entry.lsn() <= node.lastLsn) {
                if (node.log().term(entry.lsn()) == entry.term()) {
                    continue; // already held (a duplicate or reordered batch)
                }
                // A divergent suffix: ours from entry.lsn() on was never the leader's. Drop it; if we applied
                // some of it already, the keyspace must be rebuilt without it too.
                if (entry.lsn() - 1 < node.appliedLsn) {
                    startRewind(nowMillis, entry.lsn() - 1, out);
                    return false;
                }
                truncateAfter(nowMillis, entry.lsn() - 1, out);
            }
            Invariants.check(entry.lsn() == node.lastLsn + 1, "entry %d does not follow %d", entry.lsn(),
                    node.lastLsn);
            out.persist(entry);
            node.unapplied.add(entry);
            node.lastLsn = entry.lsn();
            node.lastTerm = entry.term();
            if (node.memberships.observe(entry)) {
                node.membershipChanged(nowMillis, entry.lsn(), out);
            }
        }
        if (unchecked) {
            // The batch ended inside what our snapshot covers, before its last entry: whether we hold these
            // entries is unknown, so we must not acknowledge them. Found by the simulator (seed 1062649): a
            // deposed leader whose snapshot ended at (term 1, LSN 14) took the new leader's (term 2, LSN 1) for
            // held, and its answer counted that entry durable on it, so a membership change went ahead on a
            // base not on a majority. Ask to be asked about our snapshot's last entry (Streams.onAnswer): a
            // match goes on from there; another entry, or none, and we drop everything and are bootstrapped.
            answerMismatch(request.from(), node.lastLsn, out);
            return false;
        }
        return true;
    }

    /**
     * Our log may match the upstream's only up to {@code hint}; the answer also names the LSN our snapshot ends
     * with, the first entry below our log we can compare (Streams.onAnswer asks about it when it asked lower).
     */
    private void answerMismatch(NodeId upstream, long hint, Output out) {
        out.sendNow(upstream, new Message.AppendResponse(node.term(), node.self(), false, hint, 0, 0, 0, List.of(),
                node.log().firstLsn() - 1, leaderReadRound, leaderSentMillis));
    }

    void onSnapshotChunk(long nowMillis, Message.SnapshotChunk chunk, Output out) {
        if (node.isLeader()) {
            conflictingLeader(chunk.from(), out);
            return;
        }
        if (!followsSender(nowMillis, chunk.from(), out)) {
            return;
        }
        heardFromLeaderMillis = nowMillis;
        node.heardFromALeaderMillis = nowMillis;
        if (node.config().elections()) {
            node.elections.resetTimer(nowMillis);
        }
        if (node.rewinding) {
            return;
        }
        if (chunk.snapshotLsn() <= node.lastLsn) {
            long ours = node.log().term(chunk.snapshotLsn());
            if ((ours >= 0 && ours != chunk.snapshotTerm())
                    || (ours < 0 && snapshotDivergesAfter(chunk.snapshotLsn(), chunk.snapshotTerm()))) {
                // Our log passes the snapshot's LSN but with another entry there: we hold a deposed leader's
                // entries, and the upstream no longer has the log to show where they start. Nothing of ours
                // can be trusted past our last match, which we cannot find: drop it all; the snapshot follows.
                startRewind(nowMillis, 0, out);
                return;
            }
            // Our log already reaches the snapshot: the leader's idea of our end was stale. Say where it
            // really ends instead (the leader probes from there and stops the transfer).
            subscribe(nowMillis, out);
            return;
        }
        fedSinceSubscribe = true;
        out.receiveSnapshotChunk(chunk);
    }

    /**
     * The runtime installed the leader's snapshot: log and keyspace now start at its LSN. Whatever this
     * node held is superseded (it was a prefix of the leader's log, older than the snapshot). Subscribe
     * again from the snapshot's end; the leader streams the log from there.
     */
    void onSnapshotLoaded(long nowMillis, Input.SnapshotLoaded loaded, Output out) {
        Invariants.check(!node.isLeader(), "a snapshot was installed on a leader");
        Invariants.check(!node.rewinding, "a snapshot was installed during a rewind");
        Invariants.check(loaded.snapshotLsn() > node.lastLsn, "snapshot at %d installed over a log ending at %d",
                loaded.snapshotLsn(), node.lastLsn);
        node.runner.keyspace().adopt(loaded.keyspace());
        node.unapplied.clear();
        node.lastLsn = loaded.snapshotLsn();
        node.lastTerm = loaded.snapshotTerm();
        node.durableLsn = node.lastLsn;
        node.appliedLsn = node.lastLsn;
        confirmedLsn = node.lastLsn; // the leader's own state: identical to its log up to here
        boolean changed = loaded.membership() != null
                ? node.memberships.reset(node.lastLsn, loaded.membership())
                : node.memberships.truncateAfter(node.lastLsn);
        if (changed) {
            node.membershipChanged(nowMillis, 0, out);
        }
        out.event(new Event.SnapshotInstalled(node.lastLsn, node.lastTerm, node.runner.keyspace().size()));
        applyDurable(nowMillis);
        subscribe(nowMillis, out);
        node.waiters.check(nowMillis, out);
    }

    /**
     * Our snapshot ends after {@code lsn}, where the upstream's log holds an entry of {@code upstreamTerm}: can
     * our snapshot's last entry follow that one in the upstream's log? Not if its term is lower: terms only grow
     * along a log. Then our snapshot holds a deposed leader's entries, though we cannot compare at
     * {@code lsn} (compacted).
     *
     * <p>Worked example: the upstream asks about (term 5, LSN 123); our snapshot ends at (term 4, LSN 124).
     * An entry of term 4 cannot come after one of term 5: nothing of ours can be kept. A leader finds this
     * out by asking about our snapshot's LSN (above); a relay (cascading) may be behind us and does not,
     * found by the simulator (seed 9607211: the relay sent its snapshot at 123, we could not compare it
     * and subscribed again, for ever).
     */
    private boolean snapshotDivergesAfter(long lsn, long upstreamTerm) {
        long snapshotTerm = node.log().term(node.log().firstLsn() - 1);
        return lsn < node.log().firstLsn() - 1 && snapshotTerm >= 0 && upstreamTerm > snapshotTerm;
    }

    /**
     * Another node streams to us in our own term while we lead: two nodes were promoted by hand from the
     * same term (REPLICAOF NO ONE on both). Neither may give way on the other's say-so: the request is
     * refused and the operator told (an event, logged), who points one of them at the other. Elections
     * (the failover issue) make this impossible.
     */
    private void conflictingLeader(NodeId other, Output out) {
        out.event(new Event.ConflictingLeader(other, node.term()));
    }

    /**
     * Is the sender of a leader's message (of our term) the leader we follow? Within one term a follower
     * follows one leader. A node of the same term that we do not follow is one we were pointed away from
     * (REPLICAOF host port keeps the term; the new leader's messages carry a higher one once it was
     * promoted) and still believes it leads: its messages are ignored, or it would pull us back. With no
     * leader known yet (a deposed leader learning the new one), the sender is adopted. Cascading adds two
     * moves within a term: to our upstream once it streams to us, and, with elections, away from a relay
     * that went silent.
     */
    private boolean followsSender(long nowMillis, NodeId sender, Output out) {
        if (node.leader == null) {
            // What an earlier leader confirmed or committed says nothing about this one's log, as in
            // becomeFollower. Found by the simulator (seeds 2019971, 2035882, 2049976): a follower of n1 in
            // term 1 stood in term 2 (FAILOVER), lost, and then followed n4, the winner, here: it kept
            // n1's confirmation of its entries 8..10, which n4's log replaced, so it reported them as n4's
            // own, and n4's probes and its batches after 10 went round for ever, never converging.
            streamFrom(sender, out);
            return true;
        }
        if (node.leader.equals(sender)) {
            return true;
        }
        if (node.progress.containsKey(sender) || node.config().member(sender) == null) {
            return false; // it streams from us (a chain must not close into a loop), or is no member
        }
        // Is the sender our upstream (cascading), streaming to us in our term while we follow someone else (the
        // leader, which probed every member after its election)? It streams to us only because we asked it
        // (askUpstream), and it accepted only while following someone in this term itself, which relays this
        // term's leader: move to it.
        if (sender.equals(upstream)) {
            streamFrom(sender, out);
            return true;
        }
        // Has whom we stream from (a relay) gone silent, while another member of our term streams to us? With
        // elections that is this term's leader (it probes a member its relay stopped reporting: Streams.tick),
        // or a relay of it: move to it rather than hear from no one until we stand for election, which the
        // others, hearing from their leader, refuse (found by the simulator, seed 9300666: n4's relay n2 was
        // removed from the members, and n4 waited for it for ever). Not without elections: there a node of our
        // term we do not follow is one an operator pointed us away from (REPLICAOF), maybe a deposed leader
        // that does not know it yet. We go back to our upstream once it streams again (askUpstream).
        long silence = ReplicaSetNode.SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * node.config().heartbeatIntervalMillis();
        if (node.config().elections() && nowMillis - heardFromLeaderMillis >= silence) {
            if (node.leader.equals(upstream)) {
                holdOffUpstream(nowMillis);
            }
            streamFrom(sender, out);
            return true;
        }
        return false;
    }

    /**
     * We left our upstream: it went silent, or its stream came back to us (a loop). Do not ask it again for 10 to
     * 30 heartbeats, a different while on each node. Why: when the upstreams configured form a loop, its members
     * all follow the leader after an election and ask their upstreams at about the same time, each of which
     * accepts, seeing no loop yet; they form it again, find it, leave it, and so on for ever (simulator, seed
     * 12008340). Holding off for different whiles, one of them is still with the leader when the others have
     * formed their chain, which then lists it, and it is refused. A relay that died and came back is taken back
     * a few heartbeats later than before.
     */
    private void holdOffUpstream(long nowMillis) {
        int spread = Math.floorMod(java.util.Objects.hash(node.self().name(), nowMillis), 21);
        upstreamHoldOffUntilMillis = nowMillis + (10L + spread) * node.config().heartbeatIntervalMillis();
    }

    /**
     * Streams from {@code sender} from now on, in this term. What the previous upstream confirmed, committed,
     * and the rounds and send times it passed on belong to that stream, as in becomeFollower: this one says its
     * own (its log may be behind).
     */
    private void streamFrom(NodeId sender, Output out) {
        node.leader = sender;
        forgetUpstream(sender, out);
    }

    /**
     * Cascading: does this follower stream from someone other than its upstream (after an election the new
     * leader streamed to it directly)? Then it asks its upstream to stream to it, every few heartbeats, and
     * moves to it once it does (followsSender). The upstream accepts only while it follows someone in this
     * term; it ignores us while it follows no one, refuses us from an older term (we then learn the newer
     * term and follow no one until its leader finds us), and steps into ours from an older one. Meanwhile this
     * node goes on following whom it follows: never no one.
     */
    private void askUpstream(long nowMillis, Output out) {
        if (nowMillis < upstreamHoldOffUntilMillis) {
            return;
        }
        if (upstream == null || node.leader == null || node.leader.equals(upstream) || upstream.equals(node.self())
                || node.rewinding || node.config().member(upstream) == null || node.progress.containsKey(upstream)) {
            return; // no upstream, streaming from it (or no one), or it streams from us
        }
        long every = ReplicaSetNode.UPSTREAM_ASK_HEARTBEATS * node.config().heartbeatIntervalMillis();
        if (upstreamAskedMillis != Long.MIN_VALUE && nowMillis - upstreamAskedMillis < every) {
            return;
        }
        upstreamAskedMillis = nowMillis;
        out.sendNow(upstream, subscription());
    }

    /**
     * The last LSN at or below {@code upTo} whose entry may match the leader's entry there, given that the
     * leader's entry at the LSN it asked about has {@code leaderTerm}: terms only grow along a log, so
     * every entry of ours with a later term diverges, and the leader can skip them all at once instead
     * of stepping back one per round trip. -1 when even the first entry we can compare (our snapshot's
     * last, at firstLsn - 1) has a later term.
     *
     * <p>Worked example: we hold terms [1,1,2,2,4,4] at LSNs 1..6, the leader asks about LSN 6 with term 3.
     * Binary search over 0..5 for the last term &lt;= 3 gives LSN 4 (term 2): the next probe is about 4.
     */
    private long lastPossibleMatch(long upTo, long leaderTerm) {
        long low = node.log().firstLsn() - 1; // held, or our snapshot's last entry (0 for an uncompacted log)
        if (upTo < low) {
            return low > 0 && node.log().term(low) > leaderTerm ? -1 : Math.max(0, upTo);
        }
        if (node.log().term(low) > leaderTerm) {
            return -1;
        }
        long high = upTo;
        while (low < high) { // invariant: term(low) <= leaderTerm
            long mid = low + (high - low + 1) / 2;
            if (node.log().term(mid) <= leaderTerm) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Our log diverges from the leader's after {@code afterLsn}, and we applied some of what follows (we
     * led a superseded term, or applied a deposed leader's entries). The runtime drops the suffix and
     * rebuilds the keyspace (Output.rewind); until it answers (Rewound) we serve no reads and take no
     * entries.
     */
    private void startRewind(long nowMillis, long afterLsn, Output out) {
        out.event(new Event.Rewinding(afterLsn, node.appliedLsn, node.lastLsn));
        node.raiseVoteFloor(out); // durable before the rewind drops anything
        node.rewinding = true;
        node.unapplied.clear();
        // A relay (cascading) feeds no one while it rewinds: its log is being cut, maybe wiped, under the
        // streams it ran (simulator, seed 9802921: a relay's follower answered about an entry the rewind had
        // dropped). They find the leader, or come back once it follows again.
        node.progress.clear();
        out.rewind(afterLsn);
        node.lastLsn = Math.min(node.lastLsn, afterLsn);
        node.lastTerm = Math.max(0, node.log().term(node.lastLsn));
        node.durableLsn = Math.min(node.durableLsn, node.lastLsn);
        confirmedLsn = Math.min(confirmedLsn, node.lastLsn);
        if (node.memberships.truncateAfter(node.lastLsn)) {
            node.membershipChanged(nowMillis, 0, out);
        }
    }

    /** The runtime rebuilt the keyspace as of (term, lsn): carry on from there. */
    void onRewound(long nowMillis, Input.Rewound rewound, Output out) {
        Invariants.check(node.rewinding, "a rewind nobody asked for (to %d)", rewound.lsn());
        node.runner.keyspace().adopt(rewound.keyspace());
        node.unapplied.clear();
        node.rewinding = false;
        node.lastLsn = rewound.lsn();
        node.lastTerm = rewound.term();
        node.durableLsn = node.lastLsn;
        node.appliedLsn = node.lastLsn;
        confirmedLsn = Math.min(confirmedLsn, node.lastLsn);
        // The runtime may have gone back further than asked, even past the snapshot our memberships start
        // from (its snapshot held the divergent entries): then it says where its rebuild started, and the
        // memberships are read again from there (found by the simulator, seeds 2004103 and 2040747: a node
        // rewound to 0 kept its dropped snapshot's membership, ignoring every change the leader sent again).
        boolean changed = rewound.baseMembership() != null
                ? node.memberships.rebuild(rewound.baseMembership(), rewound.baseLsn(), node.log(), node.lastLsn)
                : node.memberships.truncateAfter(node.lastLsn);
        if (changed) {
            node.membershipChanged(nowMillis, 0, out);
        }
        if (!node.isLeader()) {
            subscribe(nowMillis, out);
        }
        node.waiters.check(nowMillis, out);
    }

    private void truncateAfter(long nowMillis, long lsn, Output out) {
        // Applied entries cannot be taken back here: a divergent suffix we applied needs a rewind (above).
        Invariants.check(lsn >= node.appliedLsn, "divergent suffix after %d below applied %d needs a rewind", lsn,
                node.appliedLsn);
        out.truncateLog(lsn);
        while (!node.unapplied.isEmpty() && node.unapplied.peekLast().lsn() > lsn) {
            node.unapplied.pollLast();
        }
        node.lastLsn = lsn;
        node.lastTerm = node.log().term(lsn);
        node.durableLsn = Math.min(node.durableLsn, lsn);
        confirmedLsn = Math.min(confirmedLsn, lsn);
        if (node.memberships.truncateAfter(lsn)) {
            node.membershipChanged(nowMillis, 0, out);
        }
    }

    /**
     * Applies durable entries in order; a delayed replica only those at least apply-delay old. The age
     * compares the leader's clock (the entry's time) with ours, so it is only consulted when a delay is
     * configured: without one, a follower whose clock runs behind must not wait for it.
     */
    void applyDurable(long nowMillis) {
        long delay = node.config().member(node.self()).applyDelayMillis();
        // Through the applier's batches, their keys fetched into the cache together before they are applied
        // (EntryApplier#replay): a follower catching up applies thousands of new keys per step, each a chain
        // of cache misses when taken alone. All of them are applied when this returns.
        while (!node.unapplied.isEmpty()) {
            Entry next = node.unapplied.peekFirst();
            if (next.lsn() > node.durableLsn || (delay > 0 && next.timeMillis() + delay > nowMillis)) {
                break;
            }
            node.applier.replay(node.unapplied.pollFirst());
            node.appliedLsn = next.lsn();
        }
        node.applier.finishReplay();
        // Caught up as of the last message from the leader: its time of arrival, not now (a follower that
        // hears nothing cannot know it is still current).
        if (node.appliedLsn >= leaderCommitLsn) {
            caughtUpMillis = Math.max(caughtUpMillis, heardFromLeaderMillis);
        }
    }

    /**
     * Tells our upstream our positions, each capped by what its requests confirmed (see confirmedLsn),
     * and those of the followers we relay to, if any (cascading).
     */
    void respond(long nowMillis, Output out) {
        if (node.leader != null && !node.leader.equals(node.self())) {
            long confirmed = Math.min(confirmedLsn, node.lastLsn);
            // Only followers heard from lately: one that went elsewhere (REPLICAOF, a restart towards its
            // configured upstream) must not be vouched for with what it said before.
            long window = ReplicaSetNode.CONNECTED_HEARTBEATS * node.config().heartbeatIntervalMillis();
            List<Message.Relayed> downstream = new java.util.ArrayList<>(node.progress.size());
            node.progress.forEach((id, p) -> {
                if (nowMillis - p.lastHeardMillis <= window) {
                    downstream.add(new Message.Relayed(id, p.receivedLsn, p.durableLsn, p.appliedLsn, p.announce,
                            p.echoedLeaderMillis, node.self()));
                }
            });
            // And what our followers that relay said of theirs, so that the leader hears of a whole chain. (No
            // loop can make it grow: a relay feeds no one upstream of it, and leaves a loop it finds itself in.)
            node.progress.forEach((id, p) -> {
                if (nowMillis - p.lastHeardMillis <= window) {
                    for (Message.Relayed further : p.relayedDownstream) {
                        if (!further.replica().equals(node.self()) && !node.progress.containsKey(further.replica())
                                && downstream.size() < Message.AppendRequest.MAX_RELAYS
                                && downstream.stream().noneMatch(d -> d.replica().equals(further.replica()))) {
                            downstream.add(further.via(id)); // n4 reported its n5: n5 streams via n4
                        }
                    }
                }
            });
            out.sendNow(node.leader, new Message.AppendResponse(node.term(), node.self(), true, confirmed, confirmed,
                    Math.min(node.durableLsn, confirmed), Math.min(node.appliedLsn, confirmed), downstream, 0,
                    leaderReadRound, leaderSentMillis));
        }
    }

    void tick(long nowMillis, boolean stalled, Output out) {
        if (node.rewinding) {
            return;
        }
        if (!node.progress.isEmpty()) {
            node.streams.tick(nowMillis, out); // a relay keeps its own followers fed
        }
        long appliedBefore = node.appliedLsn;
        applyDurable(nowMillis);
        if (node.appliedLsn > appliedBefore) {
            // A delayed replica's applied position moved: the leader waits for it under "applied".
            respond(nowMillis, out);
        }
        long silence = ReplicaSetNode.SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * node.config().heartbeatIntervalMillis();
        // Subscribe again when the leader went silent, or when it has not yet confirmed where our log ends:
        // our Subscribe (or its answer) may have been lost, and heartbeats, which do not answer it, would
        // otherwise keep us waiting for ever (found by the simulator: a follower that installed a snapshot,
        // crashed and came back behind a partition never caught up). Also when we never subscribed since we
        // started: a leader that was bootstrapping us when we crashed may still wait for the snapshot it sent
        // to be installed, answering our heartbeats' "my log ends at 0" with nothing, for as long as it gives
        // a transfer (found by the simulator, seed 10018831: a node crashed after the last chunk was
        // acknowledged and before it installed it, and a write under "all" waited behind it).
        boolean unconfirmed = confirmedLsn < node.lastLsn || subscribedMillis == Long.MIN_VALUE;
        // And when our Subscribe seems lost: the leader's commit point is past our log, yet since we subscribed
        // it sent us neither entries nor a snapshot chunk, only heartbeats (found by the simulator, seed
        // 24001686: a node crashed after acknowledging the last chunk of a snapshot and before installing it,
        // came back with an empty log behind a partition that dropped its Subscribe, and the leader, still
        // waiting for the install, sent heartbeats at LSN 0 that its empty log matched, for as long as it
        // gives a transfer).
        boolean unanswered = !fedSinceSubscribe && leaderCommitLsn > node.lastLsn
                && millisSinceSubscribed(nowMillis) >= 2 * silence;
        // Not on the tick after a stall of our own (see onTick): a Subscribe now would make the leader go back to
        // our last LSN and send the whole in-flight window again behind what waits unread in our socket, for us
        // to read twice (measured: a follower resumed after 5 s subscribed again 4 ms after SIGCONT). The next
        // tick, at the usual gap, subscribes only if nothing came from the leader in between.
        if (node.leader != null && !stalled && millisSinceSubscribed(nowMillis) >= silence
                && (nowMillis - heardFromLeaderMillis >= silence || unconfirmed || unanswered)) {
            subscribe(nowMillis, out);
        }
        askUpstream(nowMillis, out);
    }
}
