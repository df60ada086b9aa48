package io.tandem.core.replicaset;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Membership;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.protocol.PendingReplies;
import io.tandem.core.protocol.Protocol;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.Member;
import io.tandem.core.quorum.QuorumMath;
import io.tandem.core.util.Invariants;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One member of a leader-follower replica set (see docs/replication.md). The leader executes commands,
 * logs their effects and streams its log to followers; followers check each batch against their log,
 * append it, apply it once durable and report received / durable / applied positions. Replies on the
 * leader wait until the acknowledgement policy commits what they show.
 *
 * <p>The streams to followers (probing, batches, heartbeats, resends, snapshot transfers) live in
 * {@link Streams}; following an upstream's stream (the consistency check, truncation and rewinds, applying,
 * answering) in {@link Following}; a leader's read rounds in {@link ReadRounds}; clients' commands in
 * {@link ClientCommands}. This class holds the role, the term and the log positions, the acknowledgement
 * settings in force, and decides what answers mean (the commit point, when a reply may go, a relay's report
 * upstream).
 *
 * <p>Roles are explicit, with one method per transition ({@link #becomeLeader}, {@link #becomeFollower})
 * in the style of etcd raft. Terms exist from the start: every message carries one, a lower term is
 * refused (fencing), a higher one adopted. With an election timeout configured, members elect their
 * leader ({@link Elections}); without, roles change by operator action (REPLICAOF).
 */
public final class ReplicaSetNode implements Protocol {
    enum Role { LEADER, FOLLOWER }

    /** A follower resubscribes when it has heard nothing from its leader for this many heartbeats. */
    static final int SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE = 5;
    /** A follower counts as connected (for first K) while heard from within this many heartbeats. */
    static final int CONNECTED_HEARTBEATS = 5;
    /** A cascading follower streaming from someone else asks its upstream again after this many heartbeats. */
    static final int UPSTREAM_ASK_HEARTBEATS = 3;

    private final NodeId self;
    /** Members change at run time (TANDEM.MEMBERS): rebuilt from {@link #memberships} whenever the latest changes. */
    private ReplicaSetConfig config;
    /** This node's own settings, kept across membership changes: its priority and apply delay. */
    private final MemberConfig selfSettings;
    /** The memberships in this node's log; the latest is in force (see MembershipLog). */
    final MembershipLog memberships;
    private final LogView log;
    final CommandRunner runner;
    final EntryApplier applier;
    /** Statement format: the leader logs write commands to be executed again, instead of their effects. */
    private boolean statementFormat;
    private final PendingReplies pending = new PendingReplies();
    /** Writes waiting for the policy, with their deadlines, and on-ack-timeout's degraded mode. */
    private final AckTimeouts ackTimeouts = new AckTimeouts(this);
    /** The followers this node streams to (a leader's; a relay's when cascading), and how. */
    final Streams streams = new Streams(this);
    final Map<NodeId, Progress> progress = streams.progress;
    /** A leader's read rounds (read-index) and lease reads, with elections. */
    private final ReadRounds reads = new ReadRounds(this, streams);
    /** Clients blocked in WAIT or TANDEM.WAITLSN. */
    final Waiters waiters = new Waiters(this);
    /** A follower's entries received but not applied yet, oldest first. */
    final ArrayDeque<Entry> unapplied = new ArrayDeque<>();
    /** Automatic failover; consulted only when the config has an election timeout. */
    final Elections elections;
    /** Clients' commands: a follower's reads, a leader's writes and reads. */
    private final ClientCommands clients = new ClientCommands(this);
    /** A planned handover of leadership (FAILOVER) this leader runs, if any. */
    private final Switchover switchover = new Switchover(this);
    /** Check-quorum: a leader holds acknowledgements, then steps down, when no majority echoes it. */
    private final CheckQuorum checkQuorum = new CheckQuorum(this);
    /** A membership change (TANDEM.MEMBERS) this leader makes, if any. */
    private final Reconfiguration reconfiguration = new Reconfiguration(this);
    /** The follower side: following an upstream's stream (see Following). */
    private final Following following;
    /** The members' client addresses, this node's own among them. */
    final MemberAddresses addresses;
    /**
     * When this node last heard from a leader it followed (AppendRequest or snapshot chunk), whatever it
     * believes now: with lease reads it grants no vote for an election timeout after (see ReadLease).
     */
    long heardFromALeaderMillis = Long.MIN_VALUE;

    private Role role;
    private long term;
    /** Whom this node voted for in {@code term} (null: no one); durable with the term (Output.persistVote). */
    private NodeId votedFor;
    /**
     * The first LSN of this leader's own term (its opening entry, with elections): the commit point moves
     * only to it or beyond, since entries of older terms on a majority may still be replaced by a leader
     * that never had them (Raft's rule, its Figure 8). 0 without elections.
     */
    private long termStartLsn;
    /**
     * The highest LSN of this leader's log durable on a majority of the voters in force (this leader counted),
     * once that reaches termStartLsn: where a membership change counts as committed, whatever the ack policy
     * says (see Reconfiguration).
     */
    private long membershipCommitLsn;
    /** The runtime rebuilds the keyspace after a divergent applied suffix (Output.rewind): no reads, no entries. */
    boolean rewinding;
    /**
     * The highest commit point any leader told this node of (kept across terms, unlike Following#leaderCommitLsn): how
     * far behind it is, for max-lag-on-failover-entries. Not durable: a restarted node knows it again from
     * its first heartbeat.
     */
    long highestCommitHeardLsn;
    /**
     * Whom this node streams from when it follows: the leader, or (cascading) a relay. Its "leader" in the
     * protocol's sense: the only sender of AppendRequests it heeds in its term.
     */
    NodeId leader;
    // Where this node's log ends, what of it is durable and what applied. Package-private, like the leader and
    // the rewinding flag above, for the follower side (Following), which moves them as it takes a stream.
    long lastLsn;
    long lastTerm;
    long durableLsn;
    long appliedLsn;
    private long commitLsn;
    /** During a tick: how long the previous tick came after the one before it (0 until then). See onTick. */
    private long previousTickGapMillis;
    /**
     * @param log      this node's log; everything in it is durable and applied to {@code keyspace}
     *                 (recovery replayed it)
     * @param term     the current term (at least the last entry's)
     */
    public ReplicaSetNode(NodeId self, ReplicaSetConfig config, Keyspace keyspace, LogView log, long term,
            RandomGenerator random) {
        this(self, config, keyspace, log, term, null, random);
    }

    /** @param votedFor the vote this node cast in {@code term}, as persisted (null: none) */
    public ReplicaSetNode(NodeId self, ReplicaSetConfig config, Keyspace keyspace, LogView log, long term,
            NodeId votedFor, RandomGenerator random) {
        this(self, config, keyspace, log, term, votedFor, new MembershipLog(membershipOf(config), 0), random);
    }

    /**
     * @param memberships the memberships the log holds (recovery observed every entry it replayed); the
     *                    latest is in force, whatever {@code config}'s members say (they only provide this
     *                    node's own priority and apply delay). A node whose latest membership does not name
     *                    it (a node joining, or removed) neither votes nor stands: it follows whoever
     *                    streams to it.
     */
    public ReplicaSetNode(NodeId self, ReplicaSetConfig config, Keyspace keyspace, LogView log, long term,
            NodeId votedFor, MembershipLog memberships, RandomGenerator random) {
        MemberConfig own = config.member(self);
        this.selfSettings = own != null ? own : new MemberConfig(self, true, 0);
        this.memberships = memberships;
        this.votedFor = votedFor;
        this.self = self;
        this.addresses = new MemberAddresses(self);
        this.following = new Following(this, self);
        this.config = config.withMembers(membersOf(memberships.latest()));
        this.elections = new Elections(this, random);
        this.log = log;
        this.runner = new CommandRunner(keyspace, random);
        this.applier = new EntryApplier(keyspace, random);
        this.lastLsn = log.lastLsn();
        this.lastTerm = log.term(lastLsn);
        Invariants.check(term >= lastTerm && term >= 1, "term %d below the log's last term %d", term, lastTerm);
        this.term = term;
        this.durableLsn = lastLsn;
        this.appliedLsn = lastLsn;
        // Not lastLsn: a recovered log may end with entries no replica ever acknowledged (the leader crashed
        // while they waited). The commit point comes from acknowledgements again once this node leads.
        this.commitLsn = 0;
        this.role = Role.FOLLOWER;
    }

    /** The membership a configuration's members make, with no addresses known (the runtime adds its own). */
    static Membership membershipOf(ReplicaSetConfig config) {
        List<Membership.Seat> seats = new java.util.ArrayList<>();
        for (MemberConfig member : config.members().values()) {
            seats.add(new Membership.Seat(member.id(), member.voting(), ""));
        }
        return new Membership(seats);
    }

    /**
     * The members the protocol counts, for a membership: this node keeps its own priority and apply delay;
     * the others stand if they vote (each decides for itself whether it does, by its own priority). A node
     * the membership does not name is there as a guest that neither votes nor stands.
     */
    private Map<NodeId, MemberConfig> membersOf(Membership membership) {
        Map<NodeId, MemberConfig> members = new TreeMap<>();
        for (Membership.Seat seat : membership.seats()) {
            members.put(seat.id(), new MemberConfig(seat.id(), seat.voting(), 0));
        }
        Membership.Seat own = membership.seat(self);
        members.put(self, new MemberConfig(self, own != null && own.voting(), selfSettings.applyDelayMillis(),
                own != null ? selfSettings.priority() : 0));
        return members;
    }

    // ---- role transitions ---------------------------------------------------------------------------

    /**
     * Leads in {@code newTerm} (at least the current term) with no election held: a fresh replica set's
     * configured leader, or a promotion by hand (REPLICAOF NO ONE, without elections).
     *
     * <p>With elections, no voter promised this node anything, so it has no lease until a majority echoes it
     * (the leadership lease waits for that; see CheckQuorum#leading). A configured leader started on an empty data
     * directory may be joining a replica set that elected others since: one wiped and restarted, or started
     * long after the rest. Counted as heard from by every follower at once, as it was until 2026-11-24, it
     * would acknowledge async writes in its first round trip, before the followers' answers told it of the
     * newer term, and those writes would be lost.
     */
    public void becomeLeader(long newTerm, long nowMillis, Output out) {
        becomeLeader(newTerm, nowMillis, config.elections() ? Set.of() : null, nowMillis, out);
    }

    /**
     * Leads in {@code newTerm} (at least the current term). Followers are found as they subscribe.
     *
     * <p>Elected: the voters in {@code grantedBy} answered after {@code askedMillis} (when the vote requests
     * went out) and grant no other candidate for an election timeout after (Elections), so the lease counts
     * from then on them, and on no one else until they echo a heartbeat. The others may have refused us, or
     * may be candidates themselves (simulator, seed 1351372: a new leader counted a campaigning follower as
     * heard from at its election). {@code grantedBy} null: a replica set without elections, which checks no
     * lease (every follower counts from now).
     */
    void becomeLeader(long newTerm, long nowMillis, Set<NodeId> grantedBy, long askedMillis, Output out) {
        Invariants.check(newTerm >= term, "leader term %d below current %d", newTerm, term);
        Invariants.check(!rewinding, "a node rebuilding its keyspace cannot lead");
        setTerm(newTerm, out);
        elections.stop();
        // A leader's keyspace reflects its whole log (it executes commands on top of it): a promoted follower
        // applies what it had received but not applied yet, delayed or not.
        while (!unapplied.isEmpty()) {
            applier.apply(unapplied.pollFirst());
        }
        appliedLsn = lastLsn;
        term = newTerm;
        role = Role.LEADER;
        // It streams from no one (Following#leading, not forgetUpstream, whose relays' setter would also drop
        // followers: it feeds them all).
        following.leading();
        leader = self;
        runner.ownsExpiry(true);
        progress.clear();
        for (NodeId member : config.members().keySet()) {
            if (!member.equals(self)) {
                long echoMillis = grantedBy == null ? nowMillis
                        : grantedBy.contains(member) ? askedMillis : Long.MIN_VALUE;
                progress.put(member, newProgress(nowMillis, echoMillis));
            }
        }
        checkQuorum.leading(nowMillis);
        ackTimeouts.leading();
        // The commit point starts again from nothing (advanceCommit below and the answers move it). One kept
        // from an earlier leadership of ours can lie past entries a rewind has dropped since: under async a
        // leader's own fsync commits, and the next leader may never have had them. Kept, it answered the next
        // writes at once, before they were durable anywhere and whatever the lease (simulator, seed 25004284
        // on a build whose timing differed: n1 led term 1 to commit 94, was rewound to 91, led term 3 and
        // acknowledged LSN 93 at once, after its lease had lapsed and term 4 was elected; ElectionTest keeps it).
        commitLsn = 0;
        termStartLsn = 0;
        membershipCommitLsn = 0;
        reads.reset();
        if (config.elections()) {
            streams.probeAll(nowMillis, out);
            // An entry of our own term opens it: nothing of an older term counts as committed before it does
            // (see termStartLsn), and reads wait for it, so that they never show what a deposed leader wrote
            // and this one is about to replace.
            append(nowMillis, List.of(), out);
            termStartLsn = lastLsn;
        }
        advanceCommit(nowMillis, out); // async commits what is durable here at once; others wait for acks
        out.event(new Event.RoleChanged("leader", term, self));
    }

    /**
     * A follower's progress as a leader starts streaming to it, counted in the leader's lease as if it had
     * echoed a send time of {@code echoMillis} (MIN_VALUE: not until it does).
     */
    private static Progress newProgress(long nowMillis, long echoMillis) {
        Progress p = new Progress();
        // Followers are behind from now on, not since the epoch (lag alerts, lag_ms).
        p.receivedMovedMillis = nowMillis;
        p.durableMovedMillis = nowMillis;
        p.appliedMovedMillis = nowMillis;
        // Check-quorum counts from now: a new leader has an election timeout to hear from a majority.
        p.lastHeardMillis = nowMillis;
        p.echoedLeaderMillis = echoMillis;
        return p;
    }

    /**
     * Follows {@code newLeader} in {@code newTerm}: subscribes to its stream at once. With a null leader
     * (unknown yet: after a restart with elections, or a deposed leader), it waits to hear from one.
     */
    public void becomeFollower(long newTerm, NodeId newLeader, long nowMillis, Output out) {
        Invariants.check(newTerm >= term, "follower term %d below current %d", newTerm, term);
        if (role == Role.LEADER) {
            stepDownReplies(newLeader, out);
        }
        switchover.stepDown();
        boolean changed = role != Role.FOLLOWER || newTerm != term || !java.util.Objects.equals(newLeader, leader);
        setTerm(newTerm, out);
        elections.stop();
        role = Role.FOLLOWER;
        leader = newLeader;
        runner.ownsExpiry(false);
        progress.clear();
        following.heardFromLeader(nowMillis);
        if (changed) {
            following.forgetUpstream(newLeader, out);
        }
        following.subscribe(nowMillis, out);
    }

    /**
     * Stops leading or following in the current term and follows no one yet in {@code newTerm} (a newer
     * term appeared, or check-quorum failed): a leader answers what it held (see stepDownReplies).
     */
    void stepDown(long newTerm, Output out) {
        boolean wasLeader = role == Role.LEADER;
        if (wasLeader) {
            stepDownReplies(null, out);
        }
        switchover.stepDown();
        boolean changed = wasLeader || newTerm != term || leader != null;
        setTerm(newTerm, out);
        elections.stop();
        role = Role.FOLLOWER;
        leader = null;
        runner.ownsExpiry(false);
        // A leader's followers, or a relay's: a node that follows no one feeds no one (its heartbeats would
        // keep them believing in a leader that is gone).
        progress.clear();
        if (changed) {
            following.forgetUpstream(null, out);
        }
    }

    /** A newer term forgets the vote of the older one; both are made durable before anything else. */
    private void setTerm(long newTerm, Output out) {
        if (newTerm != term) {
            term = newTerm;
            votedFor = null;
            out.persistVote(term, null);
        }
    }

    /** A candidate's own vote in the next term, durable before it asks anyone else. */
    void standInNextTerm(Output out) {
        term++;
        votedFor = self;
        role = Role.FOLLOWER;
        leader = null;
        out.persistVote(term, self);
    }

    void voteFor(NodeId candidate, Output out) {
        votedFor = candidate;
        out.persistVote(term, candidate);
    }

    NodeId votedFor() {
        return votedFor;
    }

    long highestCommitHeardLsn() {
        return highestCommitHeardLsn;
    }

    /**
     * The log position this node votes by: its log's last entry, or where its log ended before a rewind,
     * whichever is more up to date, until its log passes that again.
     *
     * <p>Why: a rewind can drop more than a divergent suffix. When this node's own snapshot holds a deposed
     * leader's entries it drops everything, committed entries included, and waits for the leader's snapshot;
     * voting by its empty log then, it would help elect a candidate that lacks an acknowledged write
     * (found by the simulator, seed 9215190: n1 rewound to LSN 0 voted for n2, whose log ended at 62, and
     * the write acknowledged at 63 under quorum, held by n1 and n3, was lost). Voting by the log it had is
     * what Raft would do had it kept it: any candidate of the newer leader's term is ahead of it anyway.
     * Durable (Output.persistVoteFloor, {@link #restoreVoteFloor}): a node that crashed in that window would
     * otherwise come back voting by the empty log.
     */
    public long voteLastTerm() {
        return floorAhead() ? voteFloorTerm : lastTerm;
    }

    public long voteLastLsn() {
        return floorAhead() ? voteFloorLsn : lastLsn;
    }

    private boolean floorAhead() {
        return voteFloorTerm > lastTerm || (voteFloorTerm == lastTerm && voteFloorLsn > lastLsn);
    }

    /** See {@link #voteLastTerm}: where this node's log ended before its last rewind. */
    private long voteFloorTerm;
    private long voteFloorLsn;

    /** A rewind is about to drop entries: the vote floor rises to where our log ends now, if that is ahead. */
    void raiseVoteFloor(Output out) {
        if (lastTerm > voteFloorTerm || (lastTerm == voteFloorTerm && lastLsn > voteFloorLsn)) {
            voteFloorTerm = lastTerm;
            voteFloorLsn = lastLsn;
            out.persistVoteFloor(voteFloorTerm, voteFloorLsn);
        }
    }

    /**
     * At start, before the first step: the vote floor the runtime made durable (Output.persistVoteFloor). A
     * floor the log has passed since is harmless: the node votes by whichever is more up to date.
     */
    public void restoreVoteFloor(long floorTerm, long floorLsn) {
        Invariants.check(floorTerm >= 0 && floorLsn >= 0, "vote floor %d/%d", floorTerm, floorLsn);
        voteFloorTerm = floorTerm;
        voteFloorLsn = floorLsn;
    }

    /** Is the runtime rebuilding this node's keyspace (Output.rewind)? It serves no reads meanwhile. */
    public boolean rewinding() {
        return rewinding;
    }

    /**
     * A leader that stops leading answers what it still held: committed replies as they are, the others
     * with an error (a deposed leader never acknowledges anything; whether such a write survives depends
     * on the new leader's log), which names the new leader's address when this node knows it. Blocked WAITs
     * are answered with what they have.
     */
    private void stepDownReplies(NodeId newLeader, Output out) {
        // The new leader's client address, when this node knows who it is (a deposed leader that hears from it).
        String address = newLeader == null ? "" : addresses.of(newLeader);
        String where = address.isEmpty() ? "the new leader" : "the new leader, " + newLeader + " at " + address;
        Reply writeError = Reply.error("TRYAGAIN this node stopped leading before the write was acknowledged; it"
                + " may or may not survive: check, then retry on " + where);
        Reply readError = Reply.error("TRYAGAIN this node stopped leading; retry the read on " + where);
        // A read whose round no majority confirmed fails too: this node may have been deposed before it arrived.
        pending.releaseTimedOut(Long.MAX_VALUE, commitLsn, reads.confirmed(), writeError, readError, out);
        ackTimeouts.forget();
        reconfiguration.stepDown(out);
    }

    // ---- step -----------------------------------------------------------------------------------------

    @Override
    public void step(long nowMillis, Input input, Output out) {
        elections.stepped(nowMillis);
        checkQuorum.check(nowMillis, out);
        switch (input) {
            case Input.ClientCommand command -> clients.onCommand(nowMillis, command.client(), command.requestId(),
                    List.<byte[][]>of(command.args()), false, out);
            case Input.ClientTransaction transaction -> clients.onCommand(nowMillis, transaction.client(),
                    transaction.requestId(), transaction.commands(), true, out);
            case Input.Persisted persisted -> onPersisted(nowMillis, persisted.durableLsn(), out);
            case Input.PeerMessage peer -> onMessage(nowMillis, peer.message(), out);
            case Input.Tick tick -> onTick(nowMillis, out);
            case Input.Wait wait -> waiters.onWait(nowMillis, wait, out);
            case Input.WaitLsn wait -> waiters.onWaitLsn(nowMillis, wait, out);
            case Input.SnapshotLoaded loaded -> following.onSnapshotLoaded(nowMillis, loaded, out);
            case Input.Rewound rewound -> following.onRewound(nowMillis, rewound, out);
            case Input.ChangeMembers change -> reconfiguration.onChangeMembers(nowMillis, change, out);
            case Input.ChangeAcknowledgement change -> onChangeAcknowledgement(nowMillis, change, out);
        }
    }

    // ---- clients (see ClientCommands) ------------------------------------------------------------------------

    /** With elections, a read on a leader waits for a read round unless its lease holds: the round (0: none). */
    long readRound(long nowMillis, Output out) {
        return config.elections() && !reads.leaseHolds(nowMillis) ? reads.roundFor(nowMillis, out) : 0;
    }

    /** A write waits for the acknowledgement policy (not async) until ack-timeout-millis from now. */
    void awaitAcknowledgement(long lsn, long nowMillis) {
        if (!(config.ackPolicy() instanceof AckPolicy.Async)) {
            ackTimeouts.waitFor(lsn, nowMillis + config.ackTimeoutMillis());
        }
    }

    /**
     * A leader's reply to a client, showing the log up to its end: goes at once when everything it may show is
     * committed (and, with a read round, confirmed) and nothing is queued before it; else it waits, in order.
     */
    void answer(ClientRef client, long requestId, Reply reply, boolean write, long round, Output out) {
        if (pending.isEmpty() && commitLsn >= lastLsn && (round == 0 || round <= reads.confirmed())) {
            if (write) {
                out.acknowledged(client, term, lastLsn);
            }
            out.reply(client, requestId, reply);
        } else {
            pending.add(lastLsn, client, requestId, reply, write, term, round);
        }
    }

    /** The member a switchover (FAILOVER) under way hands leadership to, or null. */
    NodeId switchoverTarget() {
        return switchover.active() ? switchover.target() : null;
    }

    /** Statement format: the leader logs write commands to be executed again, instead of their effects. */
    boolean logsStatements() {
        return statementFormat;
    }

    // ---- acknowledgement settings (CONFIG SET) ---------------------------------------------------------------

    /**
     * CONFIG SET ack-policy and its companions. Writes wait for the new settings from now on, and so do those
     * waiting now: a looser policy releases at once what it covers (advanceCommit), a stricter one holds what it
     * does not, for at most the new ack-timeout-millis from now (a write made under async had no deadline).
     * What was acknowledged stays acknowledged: the commit point never moves back. A follower keeps the settings
     * for when it leads.
     */
    private void onChangeAcknowledgement(long nowMillis, Input.ChangeAcknowledgement change, Output out) {
        config = config.withAcknowledgement(change.policy(), change.level(), change.ackTimeoutMillis(),
                change.onAckTimeout(), change.minReplicasToWrite(), change.minReplicasMaxLagMillis());
        out.event(new Event.AcknowledgementChanged(lastLsn, change.policy().toString(), change.level().toString(),
                change.ackTimeoutMillis(), change.onAckTimeout().configName()));
        if (role != Role.LEADER) {
            return;
        }
        ackTimeouts.settingsChanged(nowMillis, commitLsn, lastLsn, config, out);
        advanceCommit(nowMillis, out);
    }

    // ---- membership (TANDEM.MEMBERS) -------------------------------------------------------------------------

    /** A membership change (Reconfiguration): appended like a write, in force here at once. */
    void appendReconfiguration(long nowMillis, Effect.Reconfigure change, Output out) {
        append(nowMillis, List.of(change), out);
    }

    private static final AckPolicy MAJORITY = new AckPolicy.Quorum();

    long termStartLsn() {
        return termStartLsn;
    }

    boolean switchingOver() {
        return switchover.active();
    }

    /**
     * The membership in force changed ({@code lsn}: the entry that changed it; 0 when a dropped suffix or an
     * installed snapshot did). A leader streams to new members at once (probing where their log ends, which
     * bootstraps an empty one from a snapshot), counts them from now on, and stops counting removed ones; it
     * streams to a removed member until its removal commits, so that it learns it was removed and stops
     * standing for election.
     */
    void membershipChanged(long nowMillis, long lsn, Output out) {
        Membership membership = memberships.latest();
        config = config.withMembers(membersOf(membership));
        // A member that left is no one's replica any more: clients must not be sent to it (SENTINEL REPLICAS,
        // the directory the leader's heartbeats spread).
        addresses.keepOnly(id -> config.member(id) != null);
        out.event(new Event.MembershipChanged(lsn, membership.encode()));
        out.membersChanged(membership);
        if (role != Role.LEADER) {
            return;
        }
        for (NodeId member : config.members().keySet()) {
            if (!member.equals(self) && !progress.containsKey(member)) {
                Progress p = newProgress(nowMillis, nowMillis);
                progress.put(member, p);
                streams.probe(nowMillis, member, p, out);
            }
        }
        // The voters, hence the majority, changed. A new member counts as heard from now: it gets a window to
        // answer (a leader alone adding a second voter would otherwise step down at once, and no one could
        // lead: the new member grants no vote before it hears from a leader).
        checkQuorum.membersChanged(nowMillis);
        advanceCommit(nowMillis, out); // removing a voter that lagged may commit what waited for it
    }

    /** Once a removal is on a majority (see Reconfiguration), the removed member is not streamed to any more. */
    private void forgetRemovedMembers() {
        if (progress.size() >= config.members().size() && membershipCommitLsn >= memberships.latestLsn()) {
            progress.keySet().removeIf(id -> config.member(id) == null);
        }
    }

    /** The membership in force on this node (the latest in its log, committed or not). */
    public Membership membership() {
        return memberships.latest();
    }

    /** The membership in force once the entry at {@code lsn} was applied (what a snapshot there records). */
    public Membership membershipAt(long lsn) {
        return memberships.at(lsn);
    }

    /**
     * On a leader, how far its log counts as committed for membership changes: the highest LSN a majority of
     * the voters holds durably, once that reaches this leader's opening entry (see Reconfiguration). A change
     * at or below it is in every future leader's log. 0 on a follower.
     */
    public long membershipCommitLsn() {
        return role == Role.LEADER ? membershipCommitLsn : 0;
    }

    /** The LSN of the entry (or snapshot) that set the membership in force; 0: the configuration did. */
    public long membershipLsn() {
        return memberships.latestLsn();
    }

    /**
     * The runtime learned this node's own peer address once it bound its port: the membership it started
     * from (its configuration's, which could not know it) gets it, so that snapshots carry it to new members.
     */
    public void peerAddress(String address) {
        memberships.baseAddressIfUnknown(self, address);
    }

    // ---- switchover (FAILOVER) -------------------------------------------------------------------------------

    /**
     * FAILOVER [TO target] [TIMEOUT ms] [FORCE]: hands leadership to {@code target} (null: the most current
     * follower that may lead) once it holds the whole log; writes are refused meanwhile. Returns null when
     * started, else the error for the client.
     */
    public String failover(NodeId target, long timeoutMillis, boolean force, long nowMillis, Output out) {
        return switchover.start(target, timeoutMillis, force, nowMillis, progress, out);
    }

    /** FAILOVER ABORT. Returns null, or the error if no switchover is under way. */
    public String abortFailover(Output out) {
        return switchover.abort(out);
    }

    /** Redis's master_failover_state: no-failover, waiting-for-sync or failover-in-progress. */
    public String failoverState() {
        return switchover.state();
    }

    /**
     * Our leader hands us leadership: it stopped taking writes and we hold its log. With elections we stand
     * at once (voters grant a transfer although they hear from that leader); without, we lead the next term.
     */
    private void onTimeoutNow(long nowMillis, Message.TimeoutNow handover, Output out) {
        if (role != Role.FOLLOWER || !handover.from().equals(leader) || handover.term() != term || rewinding) {
            return;
        }
        if (config.elections()) {
            if (config.member(self).mayStand()) {
                elections.standForTransfer(nowMillis, out);
            }
        } else {
            becomeLeader(term + 1, nowMillis, out);
        }
    }

    // ---- read-index (see ReadRounds) ----------------------------------------------------------------------------

    /** FAILOVER sends TimeoutNow: voters grant the target whatever their lease, so ours ends now. */
    void giveUpReadLease() {
        reads.giveUpLease();
    }

    long heardFromALeaderMillis() {
        return heardFromALeaderMillis;
    }

    /** A round may have been confirmed: begin the one reads are waiting for, if any, and hand out what it released. */
    private void readRoundAnswered(long nowMillis, Output out) {
        reads.answered(nowMillis, out);
        if (!checkQuorum.holding()) {
            // Replies leave in order: a write committed before the lease lapsed may wait behind a read. While it
            // has lapsed, nothing leaves (found by the simulator, seed 9200060: a leader paused past its lease
            // released such a write on resuming, 512 ms after a newer leader was elected).
            pending.release(commitLsn, reads.confirmed(), out);
        }
    }

    /** The read round the requests this node sends carry: a leader's own; 0 from a relay. */
    long shippedReadRound() {
        return role == Role.LEADER ? reads.current() : 0;
    }

    /** Appends an entry of this leader's term with these effects (a client's write, a membership change). */
    void append(long nowMillis, List<Effect> effects, Output out) {
        lastLsn++;
        lastTerm = term;
        Entry entry = new Entry(term, lastLsn, nowMillis, effects);
        out.persist(entry);
        appliedLsn = lastLsn; // the leader's keyspace already holds what its commands did
        if (memberships.observe(entry)) {
            membershipChanged(nowMillis, entry.lsn(), out);
        }
    }

    // ---- local durability -------------------------------------------------------------------------------

    private void onPersisted(long nowMillis, long lsn, Output out) {
        if (rewinding) {
            return; // an fsync of entries the rewind drops; Rewound says what is durable
        }
        Invariants.check(lsn <= lastLsn, "durable LSN %d beyond the last appended %d", lsn, lastLsn);
        if (lsn <= durableLsn) {
            return;
        }
        durableLsn = lsn;
        if (role == Role.LEADER) {
            advanceCommit(nowMillis, out);
            streams.replicateAll(nowMillis, out);
            switchover.check(nowMillis, progress, out);
        } else {
            streams.replicateAll(nowMillis, out); // a relay (cascading) passes on what is durable here
            following.applyDurable(nowMillis);
            following.respond(nowMillis, out);
            waiters.check(nowMillis, out);
        }
    }

    // ---- messages -----------------------------------------------------------------------------------------

    private void onMessage(long nowMillis, Message message, Output out) {
        // Votes have their own rules for terms (a pre-vote is at a term no one holds yet).
        if (message instanceof Message.VoteRequest request) {
            if (config.elections()) {
                elections.onVoteRequest(nowMillis, request, out);
            }
            return;
        }
        if (message instanceof Message.VoteResponse response) {
            if (config.elections()) {
                elections.onVoteResponse(nowMillis, response, out);
            }
            return;
        }
        // Is the sender behind us? Then it is fenced: refuse, and tell it our term.
        if (message.term() < term) {
            out.event(new Event.StaleTermRefused(message.from(), message.term(), term));
            out.sendNow(message.from(), new Message.AppendResponse(term, self, false, lastLsn, lastLsn,
                    durableLsn, appliedLsn));
            return;
        }
        // Is the sender ahead of us? Then a newer leader exists: follow it (an AppendRequest names it).
        if (message.term() > term) {
            NodeId newLeader = message instanceof Message.AppendRequest ? message.from() : null;
            if (newLeader != null) {
                becomeFollower(message.term(), newLeader, nowMillis, out);
            } else if (!config.elections() && role == Role.FOLLOWER && message.from().equals(leader)) {
                // Failover by hand: the node we were pointed at was promoted (REPLICAOF NO ONE) and refuses our
                // old-term Subscribe with its new term. Follow it there, starting over: nobody else would
                // stream to us (a leader without elections streams only to followers that subscribed).
                becomeFollower(message.term(), leader, nowMillis, out);
            } else {
                // A newer term than ours from a node that does not lead it: we are a deposed leader, lost our
                // campaign, or follow a leader of an older term. Follow no one until this term's leader (or a
                // relay of it) streams to us: keeping the old one would let it vouch, in the new term, for
                // entries it sent in the old (found by the simulator: a follower kept a deposed leader's entries
                // for ever, through that leader relaying to it once it had followed the new one). With
                // elections, the new leader's probes find us.
                stepDown(message.term(), out);
            }
        }
        // A candidate hears from the leader of its own term: another node won. Follow it.
        if (elections.campaigning() && (message instanceof Message.AppendRequest
                || message instanceof Message.SnapshotChunk)) {
            elections.stop();
            becomeFollower(term, message.from(), nowMillis, out);
        }
        switch (message) {
            case Message.VoteRequest request -> throw new AssertionError("handled above");
            case Message.VoteResponse response -> throw new AssertionError("handled above");
            case Message.Subscribe subscribe -> streams.onSubscribe(nowMillis, subscribe, out);
            case Message.AppendRequest request -> following.onAppendRequest(nowMillis, request, out);
            case Message.AppendResponse response -> onAppendResponse(nowMillis, response, out);
            case Message.SnapshotChunk chunk -> following.onSnapshotChunk(nowMillis, chunk, out);
            case Message.SnapshotAck ack -> streams.onSnapshotAck(nowMillis, ack, out);
            case Message.TimeoutNow handover -> onTimeoutNow(nowMillis, handover, out);
        }
    }

    // ---- leader side (the streams themselves: see Streams) -------------------------------------------------

    /**
     * A follower answered: a leader looks at its commit point, a relay (cascading) passes the positions on
     * to its own upstream; then the stream goes on.
     */
    private void onAppendResponse(long nowMillis, Message.AppendResponse response, Output out) {
        Progress p = streams.onAnswer(nowMillis, response, out);
        if (role == Role.LEADER && config.elections()) {
            checkQuorum.answered(nowMillis, out); // any answer of our term echoes a send time
            readRoundAnswered(nowMillis, out); // any answer of our term may confirm a read round, even a mismatch
        }
        if (p == null) {
            return;
        }
        if (role == Role.LEADER) {
            advanceCommit(nowMillis, out);
            switchover.check(nowMillis, progress, out);
        } else {
            following.respond(nowMillis, out); // a relay passes its follower's new positions on to the leader
        }
        streams.replicate(nowMillis, response.from(), p, out);
        waiters.check(nowMillis, out);
    }

    /**
     * The commit point and time a stream carries: a leader's own; a relay (cascading) passes on its
     * leader's, so that the followers it feeds know their staleness with respect to the leader.
     */
    long shippedCommitLsn() {
        return role == Role.LEADER ? commitLsn : following.leaderCommitLsn();
    }

    /**
     * The last LSN this node may pass on or vouch for (a probe's or heartbeat's previous entry): a leader its
     * whole log; a relay (cascading) only what its leader's requests confirmed identical to the leader's log
     * (Following#confirmedLsn). Beyond that a relay may still hold entries of a superseded term that no request has
     * overwritten yet (it follows a new leader, or moved to another relay): relayed, they would reach its
     * followers as the leader's, and their positions the leader, which would count them as holding its own.
     */
    long relayableLsn() {
        return role == Role.LEADER ? lastLsn : Math.min(lastLsn, following.confirmedLsn());
    }

    long shippedTimeMillis(long nowMillis) {
        // A relay passes on the newest send time it heard from the leader in this term (not leaderTimeMillis,
        // which outlives the term): the followers it feeds echo it, and the leader's lease counts on it.
        if (role == Role.LEADER) {
            reads.shipped(nowMillis);
            return nowMillis;
        }
        return following.leaderSentMillis();
    }

    /** The relays our stream passes through; none on a leader. */
    List<NodeId> upstreamRelays() {
        return following.upstreamRelays();
    }

    /** The relays this node's requests list: none from a leader; from a relay, its upstream's and itself. */
    List<NodeId> shippedRelays() {
        return following.shippedRelays();
    }

    /** Do our requests ask followers to answer at receipt (the leader's ack-level is received)? */
    boolean shippedAckOnReceipt() {
        return following.shippedAckOnReceipt();
    }

    public ReplicaSetConfig config() {
        return config;
    }

    LogView log() {
        return log;
    }

    MemberAddresses addresses() {
        return addresses;
    }

    Map<NodeId, Member> members(long nowMillis) {
        Map<NodeId, Member> members = new TreeMap<>();
        long connectedWindow = CONNECTED_HEARTBEATS * config.heartbeatIntervalMillis();
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            if (config.member(e.getKey()) == null) {
                continue; // removed: streamed to until its removal commits (so that it learns it), never counted
            }
            Progress p = e.getValue();
            boolean connected = p.connected && nowMillis - p.lastHeardMillis <= connectedWindow;
            members.put(e.getKey(), new Member(config.votes(e.getKey()), connected,
                    p.receivedLsn, p.durableLsn, p.appliedLsn));
        }
        return members;
    }

    void advanceCommit(long nowMillis, Output out) {
        if (checkQuorum.holding()) {
            return; // no acknowledgement while the lease has lapsed (CheckQuorum); renewing it comes back here
        }
        Map<NodeId, Member> members = members(nowMillis);
        long policyCommit = QuorumMath.committedLsn(config.ackPolicy(), self, durableLsn, members,
                config.ackLevel()).orElse(-1);
        // Degraded (on-ack-timeout degrade): its own durability, until the replicas caught up with everything.
        long next = ackTimeouts.commitPoint(policyCommit, commitLsn, durableLsn, lastLsn, config.ackPolicy(), out);
        if (next > commitLsn && next >= termStartLsn) {
            commitLsn = Math.min(next, durableLsn);
            ackTimeouts.committed(commitLsn);
            pending.release(commitLsn, reads.confirmed(), out);
        }
        // Membership changes commit on a majority of the voters, durably, whatever the policy (Reconfiguration).
        long majority = QuorumMath.committedLsn(MAJORITY, self, durableLsn, members, AckLevel.DURABLE).orElse(0);
        if (majority > membershipCommitLsn && majority >= termStartLsn) {
            membershipCommitLsn = majority;
        }
        forgetRemovedMembers();
        reconfiguration.check(nowMillis, out);
    }


    // ---- timers -------------------------------------------------------------------------------------------

    private void onTick(long nowMillis, Output out) {
        long sinceLastTickMillis = elections.ticked(nowMillis);
        // Did this node itself stall since its previous tick (SIGSTOP, a long GC pause, no core for it)? Ticks
        // come at a steady 1000/hz ms, so one more than twice as late as the tick before it (and more than two
        // heartbeat intervals after it) is such a stall. Then a leader's silence is likely our own: its messages
        // wait unread behind this tick, so neither a Subscribe (Following#tick) nor a campaign (Elections) is
        // decided on it. Relative to the previous gap, not a fixed bound: with hz 1 every tick is a second after
        // the last, and a fixed half election timeout (the rule before) took each for a stall, so a follower
        // of a silent leader never stood (ElectionTest). Worked example, hz 10: ticks at 100, 200, then SIGSTOP
        // until 5,300: gap 5,100 > 2 x 100, stalled; the tick at 5,400 (gap 100) is not.
        boolean stalled = sinceLastTickMillis > 2 * Math.max(previousTickGapMillis, config.heartbeatIntervalMillis());
        if (role == Role.LEADER) {
            leaderTick(nowMillis, out);
        } else {
            following.tick(nowMillis, stalled, out);
            if (config.elections() && role != Role.LEADER) {
                elections.followerTick(nowMillis, stalled, out);
            }
        }
        waiters.check(nowMillis, out);
        previousTickGapMillis = sinceLastTickMillis;
    }

    private void leaderTick(long nowMillis, Output out) {
        runner.begin(nowMillis);
        runner.expireSome(nowMillis);
        List<Effect> expired = runner.takeEffects();
        if (!expired.isEmpty()) {
            append(nowMillis, expired, out);
        }
        streams.tick(nowMillis, out);
        if (config.elections()) {
            reads.renewLease(nowMillis, out);
        }
        checkAckTimeouts(nowMillis, out);
        reconfiguration.check(nowMillis, out);
        lagAlerts.check(nowMillis, progress, lastLsn, this::lagBytes, out);
        switchover.check(nowMillis, progress, out);
    }

    private final LagAlerts lagAlerts = new LagAlerts();

    /** Lag alert bounds (0: off), set by the runtime from lag-alert-millis and lag-alert-bytes. */
    public void lagAlerts(long millis, long bytes) {
        lagAlerts.bounds(millis, bytes);
    }

    /**
     * Cascading: the member this node streams from when that member follows the leader of its term (the
     * upstream config key; REPLICAOF host port at run time); null: the leader itself. Set by the runtime; takes
     * effect on the follower's next ticks (see Following#askUpstream), or when it follows someone next.
     */
    public void upstream(NodeId member) {
        following.upstream(member);
    }

    /** The member this node prefers to stream from (null: the leader). */
    public NodeId upstream() {
        return following.upstream();
    }

    /** Payload bytes of the leader's log that the replica has not applied yet (see LogView#bytesAfter). */
    public long lagBytes(NodeId replica) {
        Progress p = progress.get(replica);
        return p == null ? 0 : log.bytesAfter(Math.min(p.appliedLsn, lastLsn));
    }

    /** Writes waiting past ack-timeout-millis fail or degrade the policy (AckTimeouts). */
    private void checkAckTimeouts(long nowMillis, Output out) {
        if (checkQuorum.holding()) {
            // Not while the lease has lapsed: the errors would release what waits behind them, a write that
            // changed nothing (SREM of a missing member) answered from what may be stale by now (simulator,
            // seed 9208778). They come once it is renewed, or as -TRYAGAIN when it steps down.
            return;
        }
        ackTimeouts.check(nowMillis, out);
    }

    /** A write timed out under on-ack-timeout error: its reply, and those queued behind it, become errors. */
    void failTimedOut(long timedOut, Reply writeError, Reply readError, Output out) {
        pending.releaseTimedOut(timedOut, commitLsn, reads.confirmed(), writeError, readError, out);
    }

    // ---- what the node shows -----------------------------------------------------------------------------

    /**
     * Row (the default: effects, the resulting values) or statement format (the commands, executed again by
     * every replica) for the entries this node writes as leader.
     */
    public void statementFormat(boolean statements) {
        this.statementFormat = statements;
    }

    /** Sets the client address this node announces to its peers ("ip:port"). */
    public void announce(String address) {
        addresses.announce(address);
    }

    /** Client addresses of members, as announced to this node or relayed by its leader. */
    public Map<NodeId, String> memberAddresses() {
        return addresses.all();
    }

    /** The leader's announced client address, as a follower last heard it ("" if unknown). */
    public String leaderAnnounce() {
        return following.leaderAnnounce();
    }

    public NodeId self() {
        return self;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    public NodeId leader() {
        return leader;
    }

    public long term() {
        return term;
    }

    public long lastLsn() {
        return lastLsn;
    }

    /** The term of the entry at {@link #lastLsn()} (what a snapshot taken now records). */
    public long lastTerm() {
        return lastTerm;
    }

    public long durableLsn() {
        return durableLsn;
    }

    public long appliedLsn() {
        return appliedLsn;
    }

    public long commitLsn() {
        return role == Role.LEADER ? commitLsn : following.leaderCommitLsn();
    }

    public boolean degraded() {
        return ackTimeouts.degraded();
    }

    public Keyspace keyspace() {
        return runner.keyspace();
    }

    public long expiredKeys() {
        return runner.expiredKeys();
    }

    /**
     * How far behind its leader this node's reads may be, in milliseconds of its own clock: 0 on a leader;
     * on a follower, the time since it last had applied everything the leader said was committed (the
     * leader's heartbeats, every heartbeat-interval-millis, carry that commit LSN). A follower cut off from
     * its leader grows stale even if nothing is written, since it cannot know.
     */
    public long stalenessMillis(long nowMillis) {
        return role == Role.LEADER ? 0 : Math.max(0, nowMillis - following.caughtUpMillis());
    }

    /** A follower's staleness: the leader's time in its last message, and when that arrived here. */
    public long leaderTimeMillis() {
        return following.leaderTimeMillis();
    }

    public long heardFromLeaderMillis() {
        return following.heardFromLeaderMillis();
    }

    /** The leader's view of its followers (empty on a follower). */
    public Map<NodeId, Progress> progress() {
        return java.util.Collections.unmodifiableMap(progress);
    }

    public int pendingReplies() {
        return pending.size();
    }
}
