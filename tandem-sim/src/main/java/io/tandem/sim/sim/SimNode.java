package io.tandem.sim.sim;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.MembershipLog;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.core.replicaset.ReplicaSetNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated node: a {@link ReplicaSetNode} driven in invoker mode, its disk, its clock (the simulated
 * time plus a fixed skew) and its ticks. It plays the agent of the real runtime: steps the core, carries
 * out the output ({@link NodeOutput}), tells the core what became durable and sends what waited for it.
 *
 * <p>A crash throws the core away with everything in memory (held messages, pending replies, ticks). A
 * restart rebuilds it from the disk as a real node would: a new keyspace with every recovered entry's
 * effects applied, a new core over the recovered log in the persisted term, and the same role as before.
 * Its membership is rebuilt as a real node's recovery does: the one its snapshot records (else the one it
 * was started with: the static configuration's, or none for a node that joins), then every change in the
 * recovered log after it.
 */
public final class SimNode {
    /** Nodes' clocks start here (a plausible epoch), so that a negative skew never gives negative times. */
    public static final long EPOCH_MILLIS = 1_000_000;

    private final NodeId id;
    private final int index;
    private final ReplicaSetConfig config;
    private final NodeId leaderId;
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final SimDisk disk;
    /** This node's clock minus the simulated time: a fixed skew, moved by clock jumps (a fault). */
    private long clockSkewMillis;
    private final long tickMicros;
    private final History history;
    private final List<SimObserver> observers;
    private final NodeOutput out = new NodeOutput(this);
    private final Map<Long, AcceptedRequest> accepted = new HashMap<>();
    private SimNetwork network;
    private ReplicaSetNode core;
    private boolean up;
    private int incarnation;
    private int restarts;
    /** The highest LSN this node's log ever reached, in any incarnation (what it has ever received). */
    private long everLoggedLsn;
    /** Where the log ended when this incarnation started (what recovery found). */
    private long recoveredLsn;
    /**
     * The membership this node starts from when its disk holds no snapshot: the static configuration's for
     * a member of it, none for a node that joins (a spare, or a member whose data directory was wiped).
     */
    private Membership bootstrapMembership;

    public SimNode(NodeId id, int index, ReplicaSetConfig config, NodeId leaderId, Scheduler scheduler,
            SplittableRandom random, DiskProfile diskProfile, long clockSkewMillis, long tickMicros, History history,
            List<SimObserver> observers) {
        this.id = id;
        this.index = index;
        this.config = config;
        this.leaderId = leaderId;
        this.scheduler = scheduler;
        this.random = random;
        this.disk = new SimDisk(id.name(), scheduler, random.split(), diskProfile, 1);
        this.clockSkewMillis = clockSkewMillis;
        this.tickMicros = tickMicros;
        this.history = history;
        this.observers = observers;
        this.bootstrapMembership = config.member(id) != null ? membershipOf(config) : new Membership(List.of());
        disk.onDurable(this::onDurable);
    }

    /** The membership the static configuration's members make (no addresses: the simulator needs none). */
    public static Membership membershipOf(ReplicaSetConfig config) {
        List<Membership.Seat> seats = new ArrayList<>();
        for (MemberConfig member : config.members().values()) {
            seats.add(new Membership.Seat(member.id(), member.voting(), ""));
        }
        return new Membership(seats);
    }

    void connect(SimNetwork network) {
        this.network = network;
    }

    // ---- what the checkers read ---------------------------------------------------------------------------

    public NodeId id() {
        return id;
    }

    public String name() {
        return id.name();
    }

    public int index() {
        return index;
    }

    public boolean isUp() {
        return up;
    }

    public int incarnation() {
        return incarnation;
    }

    public int restarts() {
        return restarts;
    }

    /** The configured leader (roles are fixed by the operator in this issue). */
    public boolean isConfiguredLeader() {
        return id.equals(leaderId);
    }

    /** The core, or null while the node is down. */
    public ReplicaSetNode core() {
        return core;
    }

    public SimDisk disk() {
        return disk;
    }

    public long everLoggedLsn() {
        return everLoggedLsn;
    }

    /** Where the log ended when the current incarnation started (0 for the first boot on an empty disk). */
    public long recoveredLsn() {
        return recoveredLsn;
    }

    public long clockSkewMillis() {
        return clockSkewMillis;
    }

    /** The node's clock jumps by {@code millis} (forward, or back if negative), as NTP stepping a clock does. */
    public void jumpClock(long millis) {
        clockSkewMillis += millis;
        note("CLOCK", "jumps " + (millis >= 0 ? "+" : "") + millis + " ms");
    }

    /** This node's clock: the simulated time seen through its skew. */
    public long nowMillis() {
        return EPOCH_MILLIS + scheduler.nowMicros() / 1000 + clockSkewMillis;
    }

    SimNetwork network() {
        return network;
    }

    void note(String what, Object detail) {
        scheduler.note(id.name(), what, detail);
    }

    void logged(long lsn) {
        everLoggedLsn = Math.max(everLoggedLsn, lsn);
    }

    // ---- life cycle ---------------------------------------------------------------------------------------

    /** Boots (or reboots) the node from its disk, in its configured role and its persisted term. */
    public void start() {
        Keyspace keyspace = new Keyspace(random.nextInt());
        // The newest snapshot, then the durable entries after it, as the real recovery does.
        SimDisk.Snapshot snapshot = disk.snapshot();
        long after = 0;
        if (snapshot != null) {
            SnapshotBytes.decodeInto(keyspace, snapshot.keys());
            after = snapshot.lsn();
        }
        List<Entry> durable = disk.durableEntries();
        for (int i = (int) after; i < durable.size(); i++) {
            for (Effect effect : durable.get(i).effects()) {
                keyspace.apply(effect);
            }
        }
        long term = Math.max(disk.persistedTerm(), Math.max(disk.log().term(disk.log().lastLsn()), 1));
        NodeId votedFor = term == disk.persistedTerm() ? disk.persistedVote() : null;
        recoveredLsn = disk.log().lastLsn();
        // The membership in force: the snapshot's (or the one this node started from), then the log's changes.
        Membership base = snapshot != null ? snapshot.membership() : bootstrapMembership;
        MembershipLog memberships = MembershipLog.scan(base, after, disk.log());
        core = new ReplicaSetNode(id, config, keyspace, disk.log(), term, votedFor, memberships, random.split());
        long[] floor = disk.persistedVoteFloor();
        core.restoreVoteFloor(floor[0], floor[1]);
        core.upstream(cascadeFrom); // what its configuration says, as the runtime sets it (REPLICAOF is forgotten)
        up = true;
        incarnation++;
        note(restarts == 0 ? "start" : "restart", "log " + disk.log().lastLsn() + " term " + term);
        out.begin();
        if (config.elections() && restarts > 0) {
            // With elections, a restarted node follows no one until it hears from a leader or elects one:
            // whoever led before may have been replaced meanwhile.
            core.becomeFollower(term, null, nowMillis(), out);
        } else if (isConfiguredLeader()) {
            core.becomeLeader(term, nowMillis(), out); // a fresh cluster: the configured leader has term 1
        } else {
            core.becomeFollower(term, upstream, nowMillis(), out);
        }
        finishStep(null);
        int tickIncarnation = incarnation;
        scheduler.after(random.nextLong(tickMicros) + 1, id.name(), null, null, () -> tick(tickIncarnation));
        for (SimObserver observer : observers) {
            observer.onRestart(this);
        }
    }

    /**
     * An operator empties this node's data (stopping the process first if it runs; its term and vote stay,
     * see SimDisk#wipe) and, if it ran, starts it again as a node that joins: no log, no snapshot, no
     * membership. It follows
     * whoever streams to it, once a leader adds it back. A node that was down stays down (whatever brings
     * it back starts it as a joiner).
     */
    public void wipe() {
        boolean wasUp = up;
        if (up) {
            crash(false);
        }
        disk.wipe();
        everLoggedLsn = 0;
        bootstrapMembership = new Membership(List.of());
        note("WIPE", "data directory emptied: the node joins as a new one");
        if (wasUp) {
            start();
        }
    }

    private boolean paused;
    private final List<Input> heldWhilePaused = new ArrayList<>();

    /**
     * SIGSTOP: the process stops stepping (no ticks, no messages handled, no replies) but keeps its memory;
     * what reaches it meanwhile waits. The disk goes on: fsyncs under way complete.
     */
    public void pause() {
        if (up && !paused) {
            paused = true;
            note("PAUSE", "stops stepping");
        }
    }

    /**
     * SIGCONT: it runs again with the beliefs it had (a leader that was replaced meanwhile still thinks it
     * leads) and handles what waited, in order, at the time it resumes.
     */
    public void resume() {
        if (!up || !paused) {
            return;
        }
        paused = false;
        note("RESUME", heldWhilePaused.size() + " inputs waited");
        List<Input> held = new ArrayList<>(heldWhilePaused);
        heldWhilePaused.clear();
        for (Input input : held) {
            step(input);
        }
    }

    /** The process dies: memory, held messages, timers and unsynced writes are gone. */
    public void crash(boolean tornTail) {
        if (!up) {
            return;
        }
        paused = false;
        heldWhilePaused.clear();
        up = false;
        core = null;
        incarnation++;
        restarts++;
        accepted.clear();
        long lost = disk.crash(tornTail);
        note("CRASH", "recovered log ends at " + disk.log().lastLsn() + ", " + lost + " undurable entries lost");
        for (SimObserver observer : observers) {
            observer.onCrash(this, lost);
        }
    }

    private void tick(int tickIncarnation) {
        if (tickIncarnation != incarnation || !up) {
            return; // the ticks of a crashed process stop with it
        }
        step(Input.TICK);
        resendSnapshots();
        scheduler.after(tickMicros, id.name(), null, null, () -> tick(tickIncarnation));
    }

    // ---- steps --------------------------------------------------------------------------------------------

    /** A client's request reaches the node (dropped by the caller if the node is down). */
    void clientRequest(Input request) {
        step(request);
    }

    /** Steps the core with one input and carries out what it asked for. */
    public void step(Input input) {
        if (!up) {
            return;
        }
        if (paused) {
            if (!(input instanceof Input.Tick)) {
                heldWhilePaused.add(input); // the kernel buffers them; the process sees them when it runs again
            }
            return;
        }
        out.begin();
        core.step(nowMillis(), input, out);
        finishStep(input);
    }

    private void finishStep(Input input) {
        long requestId = switch (input) {
            case Input.ClientCommand c -> c.requestId();
            case Input.ClientTransaction t -> t.requestId();
            case null, default -> -1;
        };
        if (requestId >= 0) {
            // A step runs one request: the entry it persisted, if any, is that request's write.
            List<Entry> persisted = out.persisted();
            Entry entry = core.isLeader() && !persisted.isEmpty() ? persisted.get(persisted.size() - 1) : null;
            accepted.put(requestId, new AcceptedRequest(requestId, core.lastLsn(), entry));
            if (entry != null) {
                history.logged(requestId, entry);
            }
        }
        List<StepRecord.ReleasedReply> replies = new ArrayList<>(out.replies().size());
        for (StepRecord.ReleasedReply r : out.replies()) {
            history.served(r.requestId(), core.isLeader());
            replies.add(new StepRecord.ReleasedReply(r.client(), r.requestId(), r.reply(),
                    accepted.remove(r.requestId())));
        }
        StepRecord record = new StepRecord(input, List.copyOf(out.persisted()), replies, List.copyOf(out.events()));
        for (SimObserver observer : observers) {
            observer.afterStep(this, record);
        }
        for (StepRecord.ReleasedReply r : replies) {
            r.client().replyFrom(this, r.requestId(), r.reply());
        }
        maybeSnapshot();
    }

    // ---- snapshots: taking them, compacting, and the transfer to a follower behind the log --------------

    private long compactEveryEntries;
    private long retainEntries;
    /** Transfers under way (a leader's, or a relay's), by follower: {snapshot LSN, when last sent (simulated µs)}. */
    private final Map<NodeId, long[]> snapshotSends = new java.util.TreeMap<>();
    /** A chunk unacknowledged this long is sent again, as the runtime's SnapshotSender does. */
    static final long SNAPSHOT_RESEND_MICROS = 1_000_000;

    private long snapshotsInstalled;

    /** Snapshots this node installed from its leader (every incarnation). */
    public long snapshotsInstalled() {
        return snapshotsInstalled;
    }

    /** Whom a follower streams from: the leader, or another follower when it cascades. */
    private NodeId upstream;

    /**
     * REPLICAOF host port on this follower (a fault): follow {@code target} in the current term, or, with
     * null, the upstream it was configured with. Nothing happens while the node is down (it restarts with
     * its configured upstream).
     */
    void repoint(NodeId target) {
        if (!up || core.isLeader()) {
            return;
        }
        NodeId to = target != null ? target : upstream;
        note("REPLICAOF", "now follows " + to);
        out.begin();
        // As the runtime's REPLICAOF does, the target becomes its upstream (it stays one through elections); back
        // to the configured one at the end.
        core.upstream(target != null ? target : cascadeFrom);
        core.becomeFollower(core.term(), to, nowMillis(), out);
        finishStep(null);
    }

    /** FAILOVER on this node (if it leads): hand leadership to its most current follower. */
    void failover(long timeoutMillis) {
        if (!up || paused || !core.isLeader()) {
            return;
        }
        out.begin();
        String refused = core.failover(null, timeoutMillis, false, nowMillis(), out);
        note("FAILOVER", refused == null ? "started" : refused);
        finishStep(null);
    }

    void upstream(NodeId streamsFrom) {
        this.upstream = streamsFrom;
    }

    /** Cascading: the follower this node's configuration names as its upstream (null: none). */
    private NodeId cascadeFrom;

    void cascadeFrom(NodeId relay) {
        this.cascadeFrom = relay;
    }

    /** The upstream this node's configuration names (cascading), or null. */
    public NodeId cascadeFrom() {
        return cascadeFrom;
    }

    void snapshots(long compactEvery, long retain) {
        this.compactEveryEntries = compactEvery;
        this.retainEntries = retain;
    }

    /**
     * Takes a snapshot once the log grew by compactEveryEntries since the last, at a moment the keys are
     * exactly the durable log (applied = durable: on a leader that means nothing is waiting for the
     * disk), then compacts: a leader (or a relay) keeps what its slowest follower needs, up to retainEntries.
     */
    private void maybeSnapshot() {
        if (compactEveryEntries <= 0 || !up || core.rewinding()) {
            return;
        }
        long applied = core.appliedLsn();
        long last = disk.snapshot() == null ? 0 : disk.snapshot().lsn();
        if (applied != core.durableLsn() || applied - last < compactEveryEntries) {
            return;
        }
        long compactTo = applied;
        if (!core.progress().isEmpty()) { // a leader, or a relay (cascading): keep what its followers need
            long needed = applied;
            for (io.tandem.core.replicaset.Progress p : core.progress().values()) {
                needed = Math.min(needed, p.durableLsn());
            }
            compactTo = Math.max(needed, applied - retainEntries);
        }
        compactTo = Math.max(compactTo, disk.log().base());
        disk.takeSnapshot(new SimDisk.Snapshot(applied, disk.log().term(applied), SnapshotBytes.encode(core.membershipAt(applied), core.keyspace())),
                compactTo);
        note("snapshot", "keys at LSN " + applied + ", log compacted up to " + compactTo);
    }

    /** The core asks to bootstrap a follower: the whole snapshot goes as one chunk (CRC32C as on the wire). */
    void sendSnapshot(NodeId to) {
        SimDisk.Snapshot snapshot = disk.snapshot();
        if (snapshot == null) {
            throw new IllegalStateException(id + " must bootstrap " + to + " but has no snapshot (its log starts at "
                    + disk.log().firstLsn() + ")");
        }
        snapshotSends.put(to, new long[] {snapshot.lsn(), scheduler.nowMicros()});
        rememberTruth(snapshot);
        network.send(this, to, SnapshotBytes.chunk(core.term(), id, snapshot));
    }

    /** What each snapshot this node sent stands for (its entries up to its LSN), by "lsn/term". */
    private final Map<String, List<Entry>> sentSnapshotTruth = new HashMap<>();

    /**
     * Kept when sent: by the time the receiver installs it, this node's log may have been rewound or wiped
     * (found by seed 2049841, which read the sender's log at install time).
     */
    private void rememberTruth(SimDisk.Snapshot snapshot) {
        sentSnapshotTruth.computeIfAbsent(snapshot.lsn() + "/" + snapshot.term(),
                key -> disk.log().range(1, snapshot.lsn()));
    }

    /** The entries a snapshot this node sent stands for. */
    List<Entry> sentSnapshotTruth(long lsn, long term) {
        List<Entry> truth = sentSnapshotTruth.get(lsn + "/" + term);
        if (truth == null) {
            throw new IllegalStateException(id + " never sent a snapshot at " + lsn + " in term " + term);
        }
        return truth;
    }

    void snapshotAcked(io.tandem.core.model.Message.SnapshotAck ack) {
        long[] send = snapshotSends.get(ack.from());
        if (send != null && send[0] == ack.snapshotLsn()) {
            snapshotSends.remove(ack.from()); // one chunk: it arrived (or failed, and the core starts over)
        }
    }

    private void resendSnapshots() {
        if (paused) {
            return;
        }
        if (!up) {
            snapshotSends.clear();
            return;
        }
        // Transfers the core gave up (the follower said where its log ends) stop, as in the runtime.
        snapshotSends.keySet().removeIf(to -> core.progress().get(to) == null
                || !core.progress().get(to).receivingSnapshot());
        for (Map.Entry<NodeId, long[]> e : snapshotSends.entrySet()) {
            SimDisk.Snapshot snapshot = disk.snapshot();
            if (scheduler.nowMicros() - e.getValue()[1] >= SNAPSHOT_RESEND_MICROS && snapshot != null) {
                e.getValue()[0] = snapshot.lsn();
                e.getValue()[1] = scheduler.nowMicros();
                rememberTruth(snapshot);
                network.send(this, e.getKey(), SnapshotBytes.chunk(core.term(), id, snapshot));
            }
        }
    }

    /**
     * A chunk the core accepted. It is acknowledged at once; after a disk's worth of time (the real
     * follower syncs and verifies the file) the snapshot replaces the log, if it still applies: this node
     * follows and its log ends before the snapshot. A chunk whose CRC32C does not match is asked for again.
     */
    void receiveSnapshotChunk(io.tandem.core.model.Message.SnapshotChunk chunk) {
        boolean intact = SnapshotBytes.intact(chunk);
        network.send(this, chunk.from(), new io.tandem.core.model.Message.SnapshotAck(core.term(), id,
                chunk.snapshotLsn(), intact ? chunk.totalBytes() : 0, !intact));
        if (!intact) {
            return;
        }
        int installIncarnation = incarnation;
        scheduler.after(1_000, id.name(), null, null, () -> installSnapshot(chunk, installIncarnation));
    }

    private void installSnapshot(io.tandem.core.model.Message.SnapshotChunk chunk, int installIncarnation) {
        if (installIncarnation != incarnation || !up || core.isLeader() || core.rewinding()
                || core.lastLsn() >= chunk.snapshotLsn()) {
            return;
        }
        Keyspace keys = new Keyspace(core.keyspace().hashSeed());
        SnapshotBytes.decodeInto(keys, chunk.data());
        // What the snapshot stands for, for the checkers: the sender's entries up to its LSN.
        List<Entry> truth = network.node(chunk.from()).sentSnapshotTruth(chunk.snapshotLsn(), chunk.snapshotTerm());
        disk.installSnapshot(new SimDisk.Snapshot(chunk.snapshotLsn(), chunk.snapshotTerm(), chunk.data()), truth);
        logged(chunk.snapshotLsn());
        snapshotsInstalled++;
        note("snapshot installed", "from " + chunk.from() + " at LSN " + chunk.snapshotLsn());
        step(new Input.SnapshotLoaded(chunk.snapshotLsn(), chunk.snapshotTerm(), keys,
                SnapshotBytes.membership(chunk.data())));
    }

    // ---- rewinds: a divergent suffix this node had applied ------------------------------------------------

    private long rolledBackEntries;

    /** Entries this node dropped in rewinds (every incarnation): what a rollback file would list. */
    public long rolledBackEntries() {
        return rolledBackEntries;
    }

    /**
     * The core found entries it applied that the leader's log does not hold: cut the log (or, when the
     * snapshot and log do not reach back, wipe the disk), then after a disk's worth of time hand the core
     * the keys rebuilt from what is left, as the runtime does off its thread.
     */
    void rewind(long afterLsn) {
        long before = disk.log().lastLsn();
        boolean kept = disk.rewind(afterLsn);
        rolledBackEntries += Math.max(0, before - afterLsn);
        note("rewind", kept ? "log cut after " + afterLsn + ", keys rebuilt from it" : "nothing reaches back to "
                + afterLsn + ": disk wiped, to be bootstrapped again");
        int rewindIncarnation = incarnation;
        scheduler.after(1_000, id.name(), null, null, () -> finishRewind(rewindIncarnation));
        if (!kept && crashAfterWipeMicros >= 0) {
            // Fault.CrashAfterWipe: the process dies while it waits to be bootstrapped again.
            scheduler.after(crashAfterWipeMicros, id.name(), null, null, () -> {
                if (rewindIncarnation == incarnation && up) {
                    note("CRASH AFTER WIPE", "before the leader's snapshot is installed");
                    crash(false);
                    crashedAfterWipe = true;
                }
            });
        }
    }

    /** Fault.CrashAfterWipe armed: how long after a rewind that wipes the disk the process dies (-1: off). */
    private long crashAfterWipeMicros = -1;
    private boolean crashedAfterWipe;

    void armCrashAfterWipe(long delayMicros) {
        crashAfterWipeMicros = delayMicros;
    }

    /** Disarms Fault.CrashAfterWipe; true if it crashed this node (which is down until started again). */
    boolean disarmCrashAfterWipe() {
        crashAfterWipeMicros = -1;
        boolean crashed = crashedAfterWipe;
        crashedAfterWipe = false;
        return crashed;
    }

    private void finishRewind(int rewindIncarnation) {
        if (rewindIncarnation != incarnation || !up) {
            return; // crashed meanwhile: the restart rebuilds from the disk anyway
        }
        if (disk.durableLsn() < disk.log().lastLsn() || !disk.idle()) {
            // The runtime answers once the cut log is durable (Input.Rewound's contract): wait for the fsync.
            int rewindIncarnation2 = incarnation;
            scheduler.after(1_000, id.name(), null, null, () -> finishRewind(rewindIncarnation2));
            return;
        }
        Keyspace keys = new Keyspace(core.keyspace().hashSeed());
        SimDisk.Snapshot snapshot = disk.snapshot();
        long from = 0;
        if (snapshot != null) {
            SnapshotBytes.decodeInto(keys, snapshot.keys());
            from = snapshot.lsn();
        }
        long last = disk.log().lastLsn();
        for (Entry entry : disk.log().range(from + 1, last)) {
            for (Effect effect : entry.effects()) {
                keys.apply(effect);
            }
        }
        // Rebuilt from the snapshot (or from the start): so are the memberships, as a restart would.
        step(new Input.Rewound(last, disk.log().term(last), keys,
                snapshot != null ? snapshot.membership() : bootstrapMembership, from));
    }

    /** The disk finished an fsync: tell the core (which ships what became durable). */
    private void onDurable(long durableLsn) {
        if (!up) {
            return;
        }
        step(new Input.Persisted(durableLsn));
        for (SimObserver observer : observers) {
            observer.onSynced(this);
        }
    }
}
