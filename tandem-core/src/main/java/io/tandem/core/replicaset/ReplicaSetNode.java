package io.tandem.core.replicaset;

import io.tandem.core.keyspace.CommandSpec;
import io.tandem.core.keyspace.CommandTable;
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
 * {@link Streams}; this class decides what answers mean (the commit point, a relay's report upstream),
 * follows its own upstream, and serves clients.
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
    private final MembershipLog memberships;
    private final LogView log;
    private final CommandRunner runner;
    private final EntryApplier applier;
    /** Statement format: the leader logs write commands to be executed again, instead of their effects. */
    private boolean statementFormat;
    private final PendingReplies pending = new PendingReplies();
    /** Writes waiting for the policy, oldest first: {lsn, deadlineMillis}. */
    private final ArrayDeque<long[]> deadlines = new ArrayDeque<>();
    /** The followers this node streams to (a leader's; a relay's when cascading), and how. */
    private final Streams streams = new Streams(this);
    private final Map<NodeId, Progress> progress = streams.progress;
    /** A leader's read rounds (read-index) and lease reads, with elections. */
    private final ReadRounds reads = new ReadRounds(this, streams);
    /** Clients blocked in WAIT or TANDEM.WAITLSN. */
    private final Waiters waiters = new Waiters(this);
    /** A follower's entries received but not applied yet, oldest first. */
    private final ArrayDeque<Entry> unapplied = new ArrayDeque<>();
    /** Automatic failover; consulted only when the config has an election timeout. */
    private final Elections elections;
    /** A planned handover of leadership (FAILOVER) this leader runs, if any. */
    private final Switchover switchover = new Switchover(this);
    /** A membership change (TANDEM.MEMBERS) this leader makes, if any. */
    private final Reconfiguration reconfiguration = new Reconfiguration(this);
    /** The members' client addresses, this node's own among them. */
    private final MemberAddresses addresses;
    /**
     * When this node last heard from a leader it followed (AppendRequest or snapshot chunk), whatever it
     * believes now: with lease reads it grants no vote for an election timeout after (see ReadLease).
     */
    private long heardFromALeaderMillis = Long.MIN_VALUE;

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
    private boolean rewinding;
    /** A follower: the highest read round its upstream sent, echoed in every answer. */
    private long leaderReadRound;
    /**
     * A follower: the newest send time (the leader's clock, AppendRequest.leaderTimeMillis) its upstream sent
     * in this term, echoed in every answer for the leader's lease; 0 after a change of leader or term.
     */
    private long leaderSentMillis;
    /** A leader: check-quorum's lease, from the send times a majority echoed. */
    private final LeadershipLease leadership = new LeadershipLease();
    /**
     * A leader whose lease ran out, since then (its clock); MIN_VALUE: it holds its lease. Meanwhile it
     * acknowledges nothing and asks every follower for a fresh echo; it steps down if none comes in time.
     */
    private long leaseLapsedMillis = Long.MIN_VALUE;
    /**
     * A leader that has not held a lease yet in its term (it leads with no votes, see becomeLeader, or its
     * votes came so late that the lease they gave had run out already): it holds
     * acknowledgements from the start, as if its lease had lapsed, and waits several election timeouts, not two
     * heartbeats, for a majority to echo it: at a replica set's birth the followers may still be starting.
     */
    private boolean leaseAwaited;
    /**
     * The highest commit point any leader told this node of (kept across terms, unlike leaderCommitLsn): how
     * far behind it is, for max-lag-on-failover-entries. Not durable: a restarted node knows it again from
     * its first heartbeat.
     */
    private long highestCommitHeardLsn;
    /**
     * Whom this node streams from when it follows: the leader, or (cascading) a relay. Its "leader" in the
     * protocol's sense: the only sender of AppendRequests it heeds in its term.
     */
    private NodeId leader;
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
    private long lastLsn;
    private long lastTerm;
    private long durableLsn;
    private long appliedLsn;
    private long commitLsn;
    private boolean degraded;
    // follower: what the leader last said, and when
    private long leaderCommitLsn;
    private long leaderTimeMillis;
    private long heardFromLeaderMillis;
    private long subscribedMillis = Long.MIN_VALUE;
    /** During a tick: how long the previous tick came after the one before it (0 until then). See onTick. */
    private long previousTickGapMillis;
    /** Since our last Subscribe, has our upstream sent us entries or a snapshot chunk? (followerTick) */
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
        this.shippedRelays = List.of(self);
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
     * (the leadership lease waits for that; see leaseAwaited). A configured leader started on an empty data
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
        // It streams from no one (not through the setter, which would also forget followers: it feeds them all).
        upstreamRelays = List.of();
        shippedRelays = List.of(self);
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
        leadership.update(nowMillis, config, self, progress);
        leaseLapsedMillis = Long.MIN_VALUE;
        leaseAwaited = config.elections() && leadership.expired(nowMillis);
        if (leaseAwaited) {
            leaseLapsedMillis = nowMillis; // acknowledgements wait for a majority's echo (checkLeadership)
        }
        degraded = false;
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
        heardFromLeaderMillis = nowMillis;
        if (changed) {
            forgetUpstream(newLeader, out);
        }
        subscribe(nowMillis, out);
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
            forgetUpstream(null, out);
        }
    }

    /**
     * We stream from someone else now ({@code next}; null: no one yet): what the previous one confirmed,
     * committed, echoed and sent says nothing of the next one's log. The commit point above all: an older
     * leader's (under async, just what it had made durable) may be beyond what survives, and would keep our
     * reads stale.
     */
    private void forgetUpstream(NodeId next, Output out) {
        upstreamRelays(List.of());
        confirmedLsn = 0;
        leaderCommitLsn = 0;
        leaderReadRound = 0;
        leaderSentMillis = 0;
        out.event(new Event.RoleChanged("follower", term, next));
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
        deadlines.clear();
        reconfiguration.stepDown(out);
    }

    // ---- step -----------------------------------------------------------------------------------------

    @Override
    public void step(long nowMillis, Input input, Output out) {
        elections.stepped(nowMillis);
        checkLeadership(nowMillis, out);
        switch (input) {
            case Input.ClientCommand command -> onCommand(nowMillis, command.client(), command.requestId(),
                    List.<byte[][]>of(command.args()), false, out);
            case Input.ClientTransaction transaction -> onCommand(nowMillis, transaction.client(),
                    transaction.requestId(), transaction.commands(), true, out);
            case Input.Persisted persisted -> onPersisted(nowMillis, persisted.durableLsn(), out);
            case Input.PeerMessage peer -> onMessage(nowMillis, peer.message(), out);
            case Input.Tick tick -> onTick(nowMillis, out);
            case Input.Wait wait -> waiters.onWait(nowMillis, wait, out);
            case Input.WaitLsn wait -> waiters.onWaitLsn(nowMillis, wait, out);
            case Input.SnapshotLoaded loaded -> onSnapshotLoaded(nowMillis, loaded, out);
            case Input.Rewound rewound -> onRewound(nowMillis, rewound, out);
            case Input.ChangeMembers change -> reconfiguration.onChangeMembers(nowMillis, change, out);
        }
    }

    // ---- clients ----------------------------------------------------------------------------------------

    private void onCommand(long nowMillis, ClientRef client, long requestId, List<byte[][]> commands,
            boolean transaction, Output out) {
        if (role != Role.LEADER) {
            // Is this a write? A follower serves reads only, with Redis's replica error for writes.
            if (isWrite(commands)) {
                out.reply(client, requestId, READ_ONLY);
                return;
            }
            if (rewinding) {
                out.reply(client, requestId, REWINDING);
                return;
            }
            runner.begin(nowMillis);
            Reply reply = transaction ? runner.executeAll(commands) : runner.execute(commands.get(0));
            List<Effect> effects = runner.takeEffects();
            Invariants.check(effects.isEmpty(), "a read on a follower produced effects %s", effects);
            out.reply(client, requestId, reply);
            return;
        }
        if (switchover.active() && isWrite(commands)) {
            // FAILOVER: no new writes while the target catches up, so that it holds everything acknowledged.
            out.reply(client, requestId, Reply.error("TRYAGAIN FAILOVER in progress: leadership is moving to "
                    + switchover.target() + "; retry the write on the new leader"));
            return;
        }
        if (config.minReplicasToWrite() > 0 && isWrite(commands) && goodReplicas(nowMillis) < config.minReplicasToWrite()) {
            // Redis's min-replicas-to-write: refuse before executing, so nothing is written.
            out.reply(client, requestId, NOT_ENOUGH_REPLICAS);
            return;
        }
        runner.begin(nowMillis);
        Reply reply = transaction ? runner.executeAll(commands) : runner.execute(commands.get(0));
        List<Effect> effects = runner.takeEffects();
        boolean write = !effects.isEmpty();
        if (write && statementFormat) {
            effects = statements(commands);
        }
        if (write) {
            append(nowMillis, effects, out);
            if (!(config.ackPolicy() instanceof AckPolicy.Async)) {
                deadlines.add(new long[] {lastLsn, nowMillis + config.ackTimeoutMillis()});
            }
        }
        // A read (anything that wrote nothing) must also know this node still led when it arrived: with
        // elections another may have been elected meanwhile and acknowledged writes this one never saw.
        long round = config.elections() && !write && !reads.leaseHolds(nowMillis) ? reads.roundFor(nowMillis, out) : 0;
        // Is everything this reply may show committed (and confirmed)? Then it goes at once; else it waits, in
        // order.
        if (pending.isEmpty() && commitLsn >= lastLsn && (round == 0 || round <= reads.confirmed())) {
            if (write) {
                out.acknowledged(client, term, lastLsn);
            }
            out.reply(client, requestId, reply);
        } else {
            pending.add(lastLsn, client, requestId, reply, write, term, round);
        }
        // Nothing is shipped here: entries go to followers once durable on this node (onPersisted), in one
        // batch per follower for everything a flush made durable, not one request per command.
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
    String unawareVotersRefusal(Membership next) {
        int voters = 0;
        int aware = 0;
        List<String> unaware = new java.util.ArrayList<>();
        for (Membership.Seat seat : next.seats()) {
            if (!seat.voting()) {
                continue;
            }
            voters++;
            Progress p = progress.get(seat.id());
            long since = memberships.memberSinceLsn(seat.id());
            // Worked example: n2 a member since LSN 0, this term opened at LSN 160: n2 counts once its log is
            // seen to match ours at 160 or later, whatever it reported in earlier terms.
            long confirmed = p == null ? -1 : p.relayedBy == null ? p.matchLsn : p.durableLsn;
            if (seat.id().equals(self) || (since >= 0 && confirmed >= Math.max(since, termStartLsn))) {
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

    /**
     * The membership in force changed ({@code lsn}: the entry that changed it; 0 when a dropped suffix or an
     * installed snapshot did). A leader streams to new members at once (probing where their log ends, which
     * bootstraps an empty one from a snapshot), counts them from now on, and stops counting removed ones; it
     * streams to a removed member until its removal commits, so that it learns it was removed and stops
     * standing for election.
     */
    private void membershipChanged(long nowMillis, long lsn, Output out) {
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
        leadership.update(nowMillis, config, self, progress);
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
        if (leaseLapsedMillis == Long.MIN_VALUE) {
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

    static final Reply READ_ONLY = Reply.error("READONLY You can't write against a read only replica.");
    static final Reply REWINDING = Reply.error("LOADING this replica is rebuilding its dataset after it diverged from"
            + " the leader (a failover); retry shortly");
    static final Reply NOT_ENOUGH_REPLICAS = Reply.error("NOREPLICAS Not enough good replicas to write.");

    /**
     * Statement format: the write commands themselves (a lazy expiry a read caused is not logged: each node
     * derives it again, one of the ways statement replication is looser than rows).
     */
    private static List<Effect> statements(List<byte[][]> commands) {
        List<Effect> statements = new java.util.ArrayList<>();
        for (byte[][] args : commands) {
            CommandSpec spec = CommandTable.lookup(args[0]);
            if (spec != null && spec.has(CommandSpec.WRITE)) {
                statements.add(new Effect.Statement(args));
            }
        }
        return statements;
    }

    private static boolean isWrite(List<byte[][]> commands) {
        for (byte[][] args : commands) {
            CommandSpec spec = CommandTable.lookup(args[0]);
            if (spec != null && spec.has(CommandSpec.WRITE)) {
                return true;
            }
        }
        return false;
    }

    /** Replicas heard from within min-replicas-max-lag: Redis's "good" replicas. */
    private int goodReplicas(long nowMillis) {
        int good = 0;
        for (Progress p : progress.values()) {
            if (p.connected && nowMillis - p.lastHeardMillis <= config.minReplicasMaxLagMillis()) {
                good++;
            }
        }
        return good;
    }

    private void append(long nowMillis, List<Effect> effects, Output out) {
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
            applyDurable(nowMillis);
            respond(nowMillis, out);
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
            case Message.AppendRequest request -> onAppendRequest(nowMillis, request, out);
            case Message.AppendResponse response -> onAppendResponse(nowMillis, response, out);
            case Message.SnapshotChunk chunk -> onSnapshotChunk(nowMillis, chunk, out);
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
            leadership.update(nowMillis, config, self, progress); // any answer of our term echoes a send time
            leaseRenewed(nowMillis, out);
            readRoundAnswered(nowMillis, out); // any answer of our term may confirm a read round, even a mismatch
        }
        if (p == null) {
            return;
        }
        if (role == Role.LEADER) {
            advanceCommit(nowMillis, out);
            switchover.check(nowMillis, progress, out);
        } else {
            respond(nowMillis, out); // a relay passes its follower's new positions on to the leader
        }
        streams.replicate(nowMillis, response.from(), p, out);
        waiters.check(nowMillis, out);
    }

    /**
     * The commit point and time a stream carries: a leader's own; a relay (cascading) passes on its
     * leader's, so that the followers it feeds know their staleness with respect to the leader.
     */
    long shippedCommitLsn() {
        return role == Role.LEADER ? commitLsn : leaderCommitLsn;
    }

    /**
     * The last LSN this node may pass on or vouch for (a probe's or heartbeat's previous entry): a leader its
     * whole log; a relay (cascading) only what its leader's requests confirmed identical to the leader's log
     * (confirmedLsn). Beyond that a relay may still hold entries of a superseded term that no request has
     * overwritten yet (it follows a new leader, or moved to another relay): relayed, they would reach its
     * followers as the leader's, and their positions the leader, which would count them as holding its own.
     */
    long relayableLsn() {
        return role == Role.LEADER ? lastLsn : Math.min(lastLsn, confirmedLsn);
    }

    long shippedTimeMillis(long nowMillis) {
        // A relay passes on the newest send time it heard from the leader in this term (not leaderTimeMillis,
        // which outlives the term): the followers it feeds echo it, and the leader's lease counts on it.
        if (role == Role.LEADER) {
            reads.shipped(nowMillis);
            return nowMillis;
        }
        return leaderSentMillis;
    }

    /**
     * The relays between the leader and us (cascading), as the stream we follow last listed them: empty when
     * we stream from the leader itself, [n2] from relay n2 that streams from the leader, [n3, n2] from n2 that
     * streams from n3.
     */
    private List<NodeId> upstreamRelays = List.of();
    /** What our requests list: {@link #upstreamRelays} and ourselves (kept, not built for every request). */
    private List<NodeId> shippedRelays;
    /** The relay whose looped stream we last reported (Event.RelayLoop), so that we say it once. */
    private NodeId loopReportedFrom;

    /** The relays our stream passes through; none on a leader. */
    List<NodeId> upstreamRelays() {
        return role == Role.LEADER ? List.of() : upstreamRelays;
    }

    private void upstreamRelays(List<NodeId> relays) {
        if (relays.equals(upstreamRelays)) {
            return;
        }
        upstreamRelays = List.copyOf(relays);
        // A follower we fed that is upstream of us now (the chain changed around us): feeding it would close a
        // loop. It finds the leader, or another relay.
        progress.keySet().removeAll(upstreamRelays);
        List<NodeId> shipped = new java.util.ArrayList<>(relays.size() + 1);
        shipped.addAll(relays);
        shipped.add(self);
        // Past the most a stream may list only in a loop, which the receiver refuses anyway: keep the newest.
        shippedRelays = List.copyOf(shipped.subList(Math.max(0, shipped.size() - Message.AppendRequest.MAX_RELAYS),
                shipped.size()));
    }

    /** The relays this node's requests list: none from a leader; from a relay, its upstream's and itself. */
    List<NodeId> shippedRelays() {
        return role == Role.LEADER ? List.of() : shippedRelays;
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

    private Map<NodeId, Member> members(long nowMillis) {
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

    private void advanceCommit(long nowMillis, Output out) {
        if (leaseLapsedMillis != Long.MIN_VALUE) {
            return; // no acknowledgement while the lease has lapsed (checkLeadership); renewing it comes back here
        }
        Map<NodeId, Member> members = members(nowMillis);
        long policyCommit = QuorumMath.committedLsn(config.ackPolicy(), self, durableLsn, members,
                config.ackLevel()).orElse(-1);
        if (degraded && policyCommit >= lastLsn) {
            // The replicas caught up with everything: the policy applies again.
            degraded = false;
            out.event(new Event.PolicyRestored(lastLsn, config.ackPolicy().toString()));
        }
        long next = degraded ? durableLsn : Math.max(commitLsn, policyCommit);
        if (next > commitLsn && next >= termStartLsn) {
            commitLsn = Math.min(next, durableLsn);
            while (!deadlines.isEmpty() && deadlines.peekFirst()[0] <= commitLsn) {
                deadlines.pollFirst();
            }
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


    // ---- follower side ------------------------------------------------------------------------------------

    /**
     * How long ago this node last subscribed; "for ever" if it never did (a node restarted with elections
     * learns its leader from a probe, without subscribing). Not {@code nowMillis - MIN_VALUE}: that overflows
     * to a negative number, and the node would never subscribe again.
     */
    private long millisSinceSubscribed(long nowMillis) {
        return subscribedMillis == Long.MIN_VALUE ? Long.MAX_VALUE : nowMillis - subscribedMillis;
    }

    private void subscribe(long nowMillis, Output out) {
        if (leader == null || leader.equals(self) || rewinding) {
            return;
        }
        out.sendNow(leader, new Message.Subscribe(term, self, lastLsn, lastTerm, addresses.own()));
        subscribedMillis = nowMillis;
        fedSinceSubscribe = false;
    }

    private void onAppendRequest(long nowMillis, Message.AppendRequest request, Output out) {
        if (role == Role.LEADER) {
            conflictingLeader(request.from(), out);
            return;
        }
        if (request.relays().contains(self)) {
            // Does the stream come back to us through relays? Then the upstreams form a loop (n2 streams from n3,
            // n3 from n4, n4 from n2): each relays only what the previous relayed, no leader feeds it, and each
            // one's heartbeats would keep the next one from ever looking elsewhere or standing, and each one's
            // reports upstream of what its followers said would go round the loop for ever, multiplying. Leave it:
            // follow no one, ignore its stream, and feed no one (our followers are the loop's other members: they
            // must not go on hearing from us either, or they would refuse every candidate); then we follow whom
            // the leader's probes offer, or vote. A relay refuses a subscriber already upstream of it
            // (Streams.onSubscribe), so the loop does not form again. (A relay's stream lists the relays it
            // passed through, each adding itself.)
            if (!request.from().equals(loopReportedFrom)) {
                loopReportedFrom = request.from();
                out.event(new Event.RelayLoop(request.from(), request.relays()));
            }
            if (request.from().equals(leader)) {
                streamFrom(null, out);
                progress.clear();
                holdOffUpstream(nowMillis);
            }
            return;
        }
        if (!followsSender(nowMillis, request.from(), out)) {
            return;
        }
        loopReportedFrom = null;
        upstreamRelays(request.relays());
        heardFromLeaderMillis = nowMillis;
        heardFromALeaderMillis = nowMillis;
        leaderReadRound = Math.max(leaderReadRound, request.readRound());
        leaderSentMillis = Math.max(leaderSentMillis, request.leaderTimeMillis());
        if (config.elections()) {
            elections.resetTimer(nowMillis);
        }
        if (rewinding) {
            return; // the stream resumes once the keyspace is rebuilt (we subscribe again then)
        }
        leaderAnnounce = request.announce();
        addresses.put(request.from(), request.announce());
        addresses.learn(request.directory(), id -> config.member(id) != null);
        if (addresses.missingFrom(request.directory())
                && millisSinceSubscribed(nowMillis) >= SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * config.heartbeatIntervalMillis()) {
            // The leader's heartbeat lists every member address it knows, and ours is missing (it found us by
            // probing, after an election, or our Subscribe was lost) or stale (we came back on another client
            // port), so it cannot show us to clients (INFO, SENTINEL REPLICAS). Subscribe: that tells it.
            subscribe(nowMillis, out);
        }
        leaderCommitLsn = Math.max(leaderCommitLsn, request.commitLsn());
        highestCommitHeardLsn = Math.max(highestCommitHeardLsn, request.commitLsn());
        leaderTimeMillis = Math.max(leaderTimeMillis, request.leaderTimeMillis());
        // Do we hold the entry this batch follows? If not, say where our log may match the leader's.
        if (request.prevLsn() > lastLsn || log.term(request.prevLsn()) != request.prevTerm()) {
            long snapshotLsn = log.firstLsn() - 1;
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
            if (request.prevLsn() < log.firstLsn() - 1) {
                hint = lastLsn;
            } else if (request.prevTerm() < 0) {
                // The upstream no longer holds prevLsn either (it compacted it: a heartbeat after an old match
                // point): nothing to compare terms with. Step back one; it bootstraps us if it must.
                hint = Math.max(0, Math.min(lastLsn, request.prevLsn() - 1));
            } else {
                hint = lastPossibleMatch(Math.min(lastLsn, request.prevLsn() - 1), request.prevTerm());
            }
            if (hint < 0) {
                // Even the entry our snapshot ends with is of a later term than the leader's entry at prevLsn:
                // our snapshot holds entries the leader never had. Nothing of ours can be kept.
                startRewind(nowMillis, 0, out);
                return;
            }
            answerMismatch(request.from(), hint, out);
            return;
        }
        fedSinceSubscribe |= !request.entries().isEmpty();
        boolean unchecked = false; // entries our snapshot covers, not yet shown to be the leader's
        for (Entry entry : request.entries()) {
            if (entry.lsn() < log.firstLsn()) {
                // Covered by our snapshot (we compacted it away): applied long ago, nothing to compare it
                // with but the snapshot's own last entry. A batch after LSN 0, which every log "holds", can
                // still carry such entries. An entry of a later term than our snapshot's last cannot come
                // before it in the leader's log: the snapshot diverges (snapshotDivergesAfter).
                long ours = log.term(entry.lsn());
                if ((ours >= 0 && ours != entry.term())
                        || (ours < 0 && snapshotDivergesAfter(entry.lsn(), entry.term()))) {
                    startRewind(nowMillis, 0, out); // the snapshot itself diverges (see above)
                    return;
                }
                // Held only if our snapshot is a prefix of the leader's log, which its last entry shows: a match
                // there is a match of everything before it.
                unchecked = ours < 0;
                continue;
            }
            if (entry.lsn() <= lastLsn) {
                if (log.term(entry.lsn()) == entry.term()) {
                    continue; // already held (a duplicate or reordered batch)
                }
                // A divergent suffix: ours from entry.lsn() on was never the leader's. Drop it; if we applied
                // some of it already, the keyspace must be rebuilt without it too.
                if (entry.lsn() - 1 < appliedLsn) {
                    startRewind(nowMillis, entry.lsn() - 1, out);
                    return;
                }
                truncateAfter(nowMillis, entry.lsn() - 1, out);
            }
            Invariants.check(entry.lsn() == lastLsn + 1, "entry %d does not follow %d", entry.lsn(), lastLsn);
            out.persist(entry);
            unapplied.add(entry);
            lastLsn = entry.lsn();
            lastTerm = entry.term();
            if (memberships.observe(entry)) {
                membershipChanged(nowMillis, entry.lsn(), out);
            }
        }
        if (unchecked) {
            // The batch ended inside what our snapshot covers, before its last entry: whether we hold these
            // entries is unknown, so we must not acknowledge them. Found by the simulator (seed 1062649): a
            // deposed leader whose snapshot ended at (term 1, LSN 14) took the new leader's (term 2, LSN 1) for
            // held, and its answer counted that entry durable on it, so a membership change went ahead on a
            // base not on a majority. Ask to be asked about our snapshot's last entry (Streams.onAnswer): a
            // match goes on from there; another entry, or none, and we drop everything and are bootstrapped.
            answerMismatch(request.from(), lastLsn, out);
            return;
        }
        long confirmedBefore = confirmedLsn;
        confirmedLsn = Math.max(confirmedLsn, request.lastLsn());
        if (confirmedLsn > confirmedBefore && !progress.isEmpty()) {
            streams.replicateAll(nowMillis, out); // a relay passes on what its leader confirmed (relayableLsn)
        }
        applyDurable(nowMillis);
        // Answer now when the leader needs it now: a probe or heartbeat (the match and our end), an
        // acknowledgement at level "received", or nothing new to wait for. Otherwise one answer goes once
        // the entries are durable (onPersisted), instead of one now and one then.
        if (request.entries().isEmpty() || config.ackLevel() == AckLevel.RECEIVED || durableLsn >= lastLsn) {
            respond(nowMillis, out);
        }
        waiters.check(nowMillis, out);
    }

    /**
     * Our log may match the upstream's only up to {@code hint}; the answer also names the LSN our snapshot ends
     * with, the first entry below our log we can compare (Streams.onAnswer asks about it when it asked lower).
     */
    private void answerMismatch(NodeId upstream, long hint, Output out) {
        out.sendNow(upstream, new Message.AppendResponse(term, self, false, hint, 0, 0, 0, List.of(),
                log.firstLsn() - 1, leaderReadRound, leaderSentMillis));
    }

    private void onSnapshotChunk(long nowMillis, Message.SnapshotChunk chunk, Output out) {
        if (role == Role.LEADER) {
            conflictingLeader(chunk.from(), out);
            return;
        }
        if (!followsSender(nowMillis, chunk.from(), out)) {
            return;
        }
        heardFromLeaderMillis = nowMillis;
        heardFromALeaderMillis = nowMillis;
        if (config.elections()) {
            elections.resetTimer(nowMillis);
        }
        if (rewinding) {
            return;
        }
        if (chunk.snapshotLsn() <= lastLsn) {
            long ours = log.term(chunk.snapshotLsn());
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
    private void onSnapshotLoaded(long nowMillis, Input.SnapshotLoaded loaded, Output out) {
        Invariants.check(role == Role.FOLLOWER, "a snapshot was installed on a leader");
        Invariants.check(!rewinding, "a snapshot was installed during a rewind");
        Invariants.check(loaded.snapshotLsn() > lastLsn, "snapshot at %d installed over a log ending at %d",
                loaded.snapshotLsn(), lastLsn);
        runner.keyspace().adopt(loaded.keyspace());
        unapplied.clear();
        lastLsn = loaded.snapshotLsn();
        lastTerm = loaded.snapshotTerm();
        durableLsn = lastLsn;
        appliedLsn = lastLsn;
        confirmedLsn = lastLsn; // the leader's own state: identical to its log up to here
        boolean changed = loaded.membership() != null
                ? memberships.reset(lastLsn, loaded.membership()) : memberships.truncateAfter(lastLsn);
        if (changed) {
            membershipChanged(nowMillis, 0, out);
        }
        out.event(new Event.SnapshotInstalled(lastLsn, lastTerm, runner.keyspace().size()));
        applyDurable(nowMillis);
        subscribe(nowMillis, out);
        waiters.check(nowMillis, out);
    }

    /**
     * Our snapshot ends after {@code lsn}, where the upstream's log holds an entry of {@code term}: can our
     * snapshot's last entry follow that one in the upstream's log? Not if its term is lower: terms only grow
     * along a log. Then our snapshot holds a deposed leader's entries, though we cannot compare at
     * {@code lsn} (compacted).
     *
     * <p>Worked example: the upstream asks about (term 5, LSN 123); our snapshot ends at (term 4, LSN 124).
     * An entry of term 4 cannot come after one of term 5: nothing of ours can be kept. A leader finds this
     * out by asking about our snapshot's LSN (above); a relay (cascading) may be behind us and does not,
     * found by the simulator (seed 9607211: the relay sent its snapshot at 123, we could not compare it
     * and subscribed again, for ever).
     */
    private boolean snapshotDivergesAfter(long lsn, long term) {
        long snapshotTerm = log.term(log.firstLsn() - 1);
        return lsn < log.firstLsn() - 1 && snapshotTerm >= 0 && term > snapshotTerm;
    }

    /**
     * Another node streams to us in our own term while we lead: two nodes were promoted by hand from the
     * same term (REPLICAOF NO ONE on both). Neither may give way on the other's say-so: the request is
     * refused and the operator told (an event, logged), who points one of them at the other. Elections
     * (the failover issue) make this impossible.
     */
    private void conflictingLeader(NodeId other, Output out) {
        out.event(new Event.ConflictingLeader(other, term));
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
        if (leader == null) {
            // What an earlier leader confirmed or committed says nothing about this one's log, as in
            // becomeFollower. Found by the simulator (seeds 2019971, 2035882, 2049976): a follower of n1 in
            // term 1 stood in term 2 (FAILOVER), lost, and then followed n4, the winner, here: it kept
            // n1's confirmation of its entries 8..10, which n4's log replaced, so it reported them as n4's
            // own, and n4's probes and its batches after 10 went round for ever, never converging.
            streamFrom(sender, out);
            return true;
        }
        if (leader.equals(sender)) {
            return true;
        }
        if (progress.containsKey(sender) || config.member(sender) == null) {
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
        long silence = SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * config.heartbeatIntervalMillis();
        if (config.elections() && nowMillis - heardFromLeaderMillis >= silence) {
            if (leader.equals(upstream)) {
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
        int spread = Math.floorMod(java.util.Objects.hash(self.name(), nowMillis), 21);
        upstreamHoldOffUntilMillis = nowMillis + (10L + spread) * config.heartbeatIntervalMillis();
    }

    /**
     * Streams from {@code sender} from now on, in this term. What the previous upstream confirmed, committed,
     * and the rounds and send times it passed on belong to that stream, as in becomeFollower: this one says its
     * own (its log may be behind).
     */
    private void streamFrom(NodeId sender, Output out) {
        leader = sender;
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
        if (upstream == null || leader == null || leader.equals(upstream) || upstream.equals(self) || rewinding
                || config.member(upstream) == null || progress.containsKey(upstream)) {
            return; // no upstream, streaming from it (or no one), or it streams from us
        }
        long every = UPSTREAM_ASK_HEARTBEATS * config.heartbeatIntervalMillis();
        if (upstreamAskedMillis != Long.MIN_VALUE && nowMillis - upstreamAskedMillis < every) {
            return;
        }
        upstreamAskedMillis = nowMillis;
        out.sendNow(upstream, new Message.Subscribe(term, self, lastLsn, lastTerm, addresses.own()));
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
        long low = log.firstLsn() - 1; // held, or our snapshot's last entry (0 for an uncompacted log)
        if (upTo < low) {
            return low > 0 && log.term(low) > leaderTerm ? -1 : Math.max(0, upTo);
        }
        if (log.term(low) > leaderTerm) {
            return -1;
        }
        long high = upTo;
        while (low < high) { // invariant: term(low) <= leaderTerm
            long mid = low + (high - low + 1) / 2;
            if (log.term(mid) <= leaderTerm) {
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
        out.event(new Event.Rewinding(afterLsn, appliedLsn, lastLsn));
        if (lastTerm > voteFloorTerm || (lastTerm == voteFloorTerm && lastLsn > voteFloorLsn)) {
            voteFloorTerm = lastTerm;
            voteFloorLsn = lastLsn;
            out.persistVoteFloor(voteFloorTerm, voteFloorLsn); // durable before the rewind drops anything
        }
        rewinding = true;
        unapplied.clear();
        // A relay (cascading) feeds no one while it rewinds: its log is being cut, maybe wiped, under the
        // streams it ran (simulator, seed 9802921: a relay's follower answered about an entry the rewind had
        // dropped). They find the leader, or come back once it follows again.
        progress.clear();
        out.rewind(afterLsn);
        lastLsn = Math.min(lastLsn, afterLsn);
        lastTerm = Math.max(0, log.term(lastLsn));
        durableLsn = Math.min(durableLsn, lastLsn);
        confirmedLsn = Math.min(confirmedLsn, lastLsn);
        if (memberships.truncateAfter(lastLsn)) {
            membershipChanged(nowMillis, 0, out);
        }
    }

    /** The runtime rebuilt the keyspace as of (term, lsn): carry on from there. */
    private void onRewound(long nowMillis, Input.Rewound rewound, Output out) {
        Invariants.check(rewinding, "a rewind nobody asked for (to %d)", rewound.lsn());
        runner.keyspace().adopt(rewound.keyspace());
        unapplied.clear();
        rewinding = false;
        lastLsn = rewound.lsn();
        lastTerm = rewound.term();
        durableLsn = lastLsn;
        appliedLsn = lastLsn;
        confirmedLsn = Math.min(confirmedLsn, lastLsn);
        // The runtime may have gone back further than asked, even past the snapshot our memberships start
        // from (its snapshot held the divergent entries): then it says where its rebuild started, and the
        // memberships are read again from there (found by the simulator, seeds 2004103 and 2040747: a node
        // rewound to 0 kept its dropped snapshot's membership, ignoring every change the leader sent again).
        boolean changed = rewound.baseMembership() != null
                ? memberships.rebuild(rewound.baseMembership(), rewound.baseLsn(), log, lastLsn)
                : memberships.truncateAfter(lastLsn);
        if (changed) {
            membershipChanged(nowMillis, 0, out);
        }
        if (role == Role.FOLLOWER) {
            subscribe(nowMillis, out);
        }
        waiters.check(nowMillis, out);
    }

    private void truncateAfter(long nowMillis, long lsn, Output out) {
        // Applied entries cannot be taken back here: a divergent suffix we applied needs a rewind (above).
        Invariants.check(lsn >= appliedLsn, "divergent suffix after %d below applied %d needs a rewind", lsn,
                appliedLsn);
        out.truncateLog(lsn);
        while (!unapplied.isEmpty() && unapplied.peekLast().lsn() > lsn) {
            unapplied.pollLast();
        }
        lastLsn = lsn;
        lastTerm = log.term(lsn);
        durableLsn = Math.min(durableLsn, lsn);
        confirmedLsn = Math.min(confirmedLsn, lsn);
        if (memberships.truncateAfter(lsn)) {
            membershipChanged(nowMillis, 0, out);
        }
    }

    /**
     * Applies durable entries in order; a delayed replica only those at least apply-delay old. The age
     * compares the leader's clock (the entry's time) with ours, so it is only consulted when a delay is
     * configured: without one, a follower whose clock runs behind must not wait for it.
     */
    private void applyDurable(long nowMillis) {
        long delay = config.member(self).applyDelayMillis();
        // Through the applier's batches, their keys fetched into the cache together before they are applied
        // (EntryApplier#replay): a follower catching up applies thousands of new keys per step, each a chain
        // of cache misses when taken alone. All of them are applied when this returns.
        while (!unapplied.isEmpty()) {
            Entry next = unapplied.peekFirst();
            if (next.lsn() > durableLsn || (delay > 0 && next.timeMillis() + delay > nowMillis)) {
                break;
            }
            applier.replay(unapplied.pollFirst());
            appliedLsn = next.lsn();
        }
        applier.finishReplay();
        // Caught up as of the last message from the leader: its time of arrival, not now (a follower that
        // hears nothing cannot know it is still current).
        if (appliedLsn >= leaderCommitLsn) {
            caughtUpMillis = Math.max(caughtUpMillis, heardFromLeaderMillis);
        }
    }

    /**
     * Tells our upstream our positions, each capped by what its requests confirmed (see confirmedLsn),
     * and those of the followers we relay to, if any (cascading).
     */
    private void respond(long nowMillis, Output out) {
        if (leader != null && !leader.equals(self)) {
            long confirmed = Math.min(confirmedLsn, lastLsn);
            // Only followers heard from lately: one that went elsewhere (REPLICAOF, a restart towards its
            // configured upstream) must not be vouched for with what it said before.
            long window = CONNECTED_HEARTBEATS * config.heartbeatIntervalMillis();
            List<Message.Relayed> downstream = new java.util.ArrayList<>(progress.size());
            progress.forEach((id, p) -> {
                if (nowMillis - p.lastHeardMillis <= window) {
                    downstream.add(new Message.Relayed(id, p.receivedLsn, p.durableLsn, p.appliedLsn, p.announce,
                            p.echoedLeaderMillis, self));
                }
            });
            // And what our followers that relay said of theirs, so that the leader hears of a whole chain. (No
            // loop can make it grow: a relay feeds no one upstream of it, and leaves a loop it finds itself in.)
            progress.forEach((id, p) -> {
                if (nowMillis - p.lastHeardMillis <= window) {
                    for (Message.Relayed further : p.relayedDownstream) {
                        if (!further.replica().equals(self) && !progress.containsKey(further.replica())
                                && downstream.size() < Message.AppendRequest.MAX_RELAYS
                                && downstream.stream().noneMatch(d -> d.replica().equals(further.replica()))) {
                            downstream.add(further.via(id)); // n4 reported its n5: n5 streams via n4
                        }
                    }
                }
            });
            out.sendNow(leader, new Message.AppendResponse(term, self, true, confirmed, confirmed,
                    Math.min(durableLsn, confirmed), Math.min(appliedLsn, confirmed), downstream, 0, leaderReadRound,
                    leaderSentMillis));
        }
    }

    // ---- timers -------------------------------------------------------------------------------------------

    /**
     * Check-quorum, before every step of a leader with elections: has its lease run out (LeadershipLease:
     * no majority of the voters echoed a send time within the election timeout less half a heartbeat)? Then
     * the others may be electing a new leader already: it acknowledges nothing more (advanceCommit holds
     * the commit point) and sends every follower a heartbeat at once.
     *
     * <p>Why not step down at once, as Raft's check-quorum does: most lapses on a busy machine are this
     * leader's own stall (a GC pause, two cores shared by three JVMs and a load generator) shorter than
     * the followers' randomized timeout. They have not stood; their answers to the heartbeat echo a send time
     * after the stall, which renews the lease (onAppendResponse), and nothing happened. Stepping down made
     * each such stall a failover. Holding acknowledgements is what safety needs: a renewing echo proves a
     * majority heard from this leader, in its term, after the lapse.
     *
     * <p>If no majority answers within {@link #LEASE_RENEWAL_HEARTBEATS} heartbeats, the leader is cut off
     * (or they elected another): it steps down, and what it held fails with -TRYAGAIN. A leader that never held
     * a lease in its term (leaseAwaited) waits {@link #FIRST_LEASE_ELECTION_TIMEOUTS} election timeouts instead,
     * with no LeaseLapsed or LeaseRenewed event: that is a replica set being born, not a leader losing touch.
     */
    private void checkLeadership(long nowMillis, Output out) {
        if (role != Role.LEADER || !config.elections()) {
            return;
        }
        if (!leadership.expired(nowMillis)) {
            leaseRenewed(nowMillis, out); // if it had lapsed: renewed by whatever changed the lease (the members)
            return;
        }
        leadership.update(nowMillis, config, self, progress); // for the count it reports (the lease is the same)
        int needed = QuorumMath.majority(config.voters());
        long window = LeadershipLease.windowMillis(config);
        if (leaseLapsedMillis == Long.MIN_VALUE) {
            leaseLapsedMillis = nowMillis;
            out.event(new Event.LeaseLapsed(term, leadership.heard(), needed, window));
            streams.heartbeatAll(nowMillis, out);
            return;
        }
        long waitMillis = leaseAwaited ? FIRST_LEASE_ELECTION_TIMEOUTS * config.electionTimeoutMillis()
                : LEASE_RENEWAL_HEARTBEATS * config.heartbeatIntervalMillis();
        if (nowMillis - leaseLapsedMillis < waitMillis) {
            return;
        }
        out.event(new Event.LostQuorum(term, leadership.heard(), needed, leaseAwaited ? waitMillis : window,
                leaseAwaited));
        stepDown(term, out);
        elections.resetTimer(nowMillis);
    }

    /**
     * How many election timeouts a leader that never held a lease waits for a majority's first echo (leaseAwaited).
     * Long enough for the processes of a replica set started one after another to come up (`tandem up`: the
     * second answers 0.5-0.6 s after the first, past one 500 ms timeout, which made every birth an election);
     * waiting costs nothing but the held writes' time: nothing is acknowledged meanwhile, and a newer term in
     * any answer ends it at once.
     */
    static final int FIRST_LEASE_ELECTION_TIMEOUTS = 4;

    /** How long a leader whose lease ran out waits for a majority to renew it before it steps down. */
    static final int LEASE_RENEWAL_HEARTBEATS = 2;

    /** An answer renewed a lapsed lease: acknowledgements resume. */
    private void leaseRenewed(long nowMillis, Output out) {
        if (leaseLapsedMillis == Long.MIN_VALUE || leadership.expired(nowMillis)) {
            return;
        }
        if (!leaseAwaited) {
            out.event(new Event.LeaseRenewed(term, nowMillis - leaseLapsedMillis));
        }
        leaseAwaited = false;
        leaseLapsedMillis = Long.MIN_VALUE;
        advanceCommit(nowMillis, out);
    }

    private void onTick(long nowMillis, Output out) {
        long sinceLastTickMillis = elections.ticked(nowMillis);
        // Did this node itself stall since its previous tick (SIGSTOP, a long GC pause, no core for it)? Ticks
        // come at a steady 1000/hz ms, so one more than twice as late as the tick before it (and more than two
        // heartbeat intervals after it) is such a stall. Then a leader's silence is likely our own: its messages
        // wait unread behind this tick, so neither a Subscribe (followerTick) nor a campaign (Elections) is
        // decided on it. Relative to the previous gap, not a fixed bound: with hz 1 every tick is a second after
        // the last, and a fixed half election timeout (the rule before) took each for a stall, so a follower
        // of a silent leader never stood (ElectionTest). Worked example, hz 10: ticks at 100, 200, then SIGSTOP
        // until 5,300: gap 5,100 > 2 x 100, stalled; the tick at 5,400 (gap 100) is not.
        boolean stalled = sinceLastTickMillis > 2 * Math.max(previousTickGapMillis, config.heartbeatIntervalMillis());
        if (role == Role.LEADER) {
            leaderTick(nowMillis, out);
        } else {
            followerTick(nowMillis, stalled, out);
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
     * effect on the follower's next ticks (see askUpstream), or when it follows someone next.
     */
    public void upstream(NodeId member) {
        this.upstream = member;
        this.upstreamAskedMillis = Long.MIN_VALUE;
    }

    /** The member this node prefers to stream from (null: the leader). */
    public NodeId upstream() {
        return upstream;
    }

    /** Payload bytes of the leader's log that the replica has not applied yet (see LogView#bytesAfter). */
    public long lagBytes(NodeId replica) {
        Progress p = progress.get(replica);
        return p == null ? 0 : log.bytesAfter(Math.min(p.appliedLsn, lastLsn));
    }

    /**
     * Are writes waiting past the acknowledgement timeout? Under "error" their replies become an error
     * saying how many replicas acknowledged (the entries stay in the log); under "degrade" the leader
     * commits on its own durability until the replicas catch up.
     */
    private void checkAckTimeouts(long nowMillis, Output out) {
        if (leaseLapsedMillis != Long.MIN_VALUE) {
            // Not while the lease has lapsed: the errors would release what waits behind them, a write that
            // changed nothing (SREM of a missing member) answered from what may be stale by now (simulator,
            // seed 9208778). They come once it is renewed, or as -TRYAGAIN when it steps down.
            return;
        }
        long timedOut = -1;
        while (!deadlines.isEmpty() && deadlines.peekFirst()[1] <= nowMillis) {
            long lsn = deadlines.pollFirst()[0];
            if (lsn > commitLsn) {
                timedOut = lsn;
            }
        }
        if (timedOut < 0) {
            return;
        }
        var members = members(nowMillis);
        int acknowledged = QuorumMath.acknowledgers(config.ackPolicy(), self, members, config.ackLevel(), timedOut);
        int required = QuorumMath.requiredAcknowledgers(config.ackPolicy(), self, members);
        out.event(new Event.AckTimedOut(timedOut, acknowledged, required, config.ackTimeoutMillis()));
        if (config.onAckTimeout() == OnAckTimeout.DEGRADE) {
            degraded = true;
            deadlines.clear();
            out.event(new Event.Degraded(timedOut, config.ackPolicy().toString()));
            advanceCommit(nowMillis, out);
            return;
        }
        String why = "Timed out after " + config.ackTimeoutMillis() + " ms: " + acknowledged + " of " + required
                + " required replicas acknowledged (" + config.ackPolicy() + ", " + config.ackLevel() + ")"
                + (durableLsn >= timedOut ? "" : " and this node has not made it durable yet");
        Reply writeError = Reply.error("NOREPLICAS " + why + "; the write is in the leader's log and may still"
                + " replicate");
        // A read queued behind the write may show it (or other uncommitted data): it cannot be answered with
        // what it read, so it fails too. The client may retry it.
        Reply readError = Reply.error("NOREPLICAS " + why + "; this read may show data not yet acknowledged,"
                + " retry it");
        pending.releaseTimedOut(timedOut, commitLsn, reads.confirmed(), writeError, readError, out);
    }

    private void followerTick(long nowMillis, boolean stalled, Output out) {
        if (rewinding) {
            return;
        }
        if (!progress.isEmpty()) {
            streams.tick(nowMillis, out); // a relay keeps its own followers fed
        }
        long appliedBefore = appliedLsn;
        applyDurable(nowMillis);
        if (appliedLsn > appliedBefore) {
            respond(nowMillis, out); // a delayed replica's applied position moved: the leader waits for it under "applied"
        }
        long silence = SILENT_HEARTBEATS_BEFORE_RESUBSCRIBE * config.heartbeatIntervalMillis();
        // Subscribe again when the leader went silent, or when it has not yet confirmed where our log ends:
        // our Subscribe (or its answer) may have been lost, and heartbeats, which do not answer it, would
        // otherwise keep us waiting for ever (found by the simulator: a follower that installed a snapshot,
        // crashed and came back behind a partition never caught up). Also when we never subscribed since we
        // started: a leader that was bootstrapping us when we crashed may still wait for the snapshot it sent
        // to be installed, answering our heartbeats' "my log ends at 0" with nothing, for as long as it gives
        // a transfer (found by the simulator, seed 10018831: a node crashed after the last chunk was
        // acknowledged and before it installed it, and a write under "all" waited behind it).
        boolean unconfirmed = confirmedLsn < lastLsn || subscribedMillis == Long.MIN_VALUE;
        // And when our Subscribe seems lost: the leader's commit point is past our log, yet since we subscribed
        // it sent us neither entries nor a snapshot chunk, only heartbeats (found by the simulator, seed
        // 24001686: a node crashed after acknowledging the last chunk of a snapshot and before installing it,
        // came back with an empty log behind a partition that dropped its Subscribe, and the leader, still
        // waiting for the install, sent heartbeats at LSN 0 that its empty log matched, for as long as it
        // gives a transfer).
        boolean unanswered = !fedSinceSubscribe && leaderCommitLsn > lastLsn
                && millisSinceSubscribed(nowMillis) >= 2 * silence;
        // Not on the tick after a stall of our own (see onTick): a Subscribe now would make the leader go back to
        // our last LSN and send the whole in-flight window again behind what waits unread in our socket, for us
        // to read twice (measured: a follower resumed after 5 s subscribed again 4 ms after SIGCONT). The next
        // tick, at the usual gap, subscribes only if nothing came from the leader in between.
        if (leader != null && !stalled && millisSinceSubscribed(nowMillis) >= silence
                && (nowMillis - heardFromLeaderMillis >= silence || unconfirmed || unanswered)) {
            subscribe(nowMillis, out);
        }
        askUpstream(nowMillis, out);
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
        return leaderAnnounce;
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
        return role == Role.LEADER ? commitLsn : leaderCommitLsn;
    }

    public boolean degraded() {
        return degraded;
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
        return role == Role.LEADER ? 0 : Math.max(0, nowMillis - caughtUpMillis);
    }

    /** A follower's staleness: the leader's time in its last message, and when that arrived here. */
    public long leaderTimeMillis() {
        return leaderTimeMillis;
    }

    public long heardFromLeaderMillis() {
        return heardFromLeaderMillis;
    }

    /** The leader's view of its followers (empty on a follower). */
    public Map<NodeId, Progress> progress() {
        return java.util.Collections.unmodifiableMap(progress);
    }

    public int pendingReplies() {
        return pending.size();
    }
}
