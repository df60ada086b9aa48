package io.tandem.server.agent;

import io.netty.channel.EventLoop;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.net.ClientConnection;
import io.tandem.server.net.SpinThenBlock;
import io.tandem.server.session.CoreSubmitter;
import io.tandem.server.session.SessionHost;
import io.tandem.storage.wal.DurableListener;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalFailedException;
import io.tandem.wire.peer.ShippedPayloads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The agent of one node: it owns the core and executes what the core asks for. It runs on the node's
 * single Netty event loop thread, which also owns every client channel (Redis's one-thread model): on two
 * cores a hand-off to a separate agent thread costs more than most commands (see docs/architecture.md).
 * Only fsync leaves this thread: the WAL's group-commit writer reports durable LSNs back through
 * {@link #durableListener()}, which re-enters the loop with a task.
 *
 * <p>One cycle: the event loop reads every ready channel, each request is stepped through the core at
 * once (replies to reads whose data is durable are encoded at once too), and the first change of the
 * cycle schedules {@link #endCycle}, which Netty runs after the channel reads of this loop iteration:
 * it hands the cycle's log entries to the WAL in one flush, then flushes every connection that has
 * replies, once. So a cycle costs one write()/fsync hand-off and one write() per connection, however
 * many commands it carried. A follower ends its cycle earlier, right after reading its leader (see
 * {@link #onPeerReadComplete}).
 */
public final class NodeAgent implements Output, CoreSubmitter, SessionHost {
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final EventLoop loop;
    private final ReplicaSetNode node;
    private final WalLogView logView;
    private final Wal wal;
    private final RuntimeSettings settings;
    private final ServerStats stats;
    private final SnapshotTaker snapshots;
    private final InfoRenderer infoRenderer;
    private final Consumer<Throwable> fatal;
    /** How the loop waits once this work is done: each cycle of work restarts its polling window. */
    private final SpinThenBlock idleStrategy;
    private final VoteFile voteFile;
    /** What the vote file holds: each write changes one part (term and vote, or the floor) and keeps the rest. */
    private VoteFile.Vote persistedVote;
    private final Rewinder rewinder;
    private final EventReporter events;
    private final Map<Long, ClientConnection> clients = new LinkedHashMap<>();
    private final List<ClientConnection> dirty = new ArrayList<>();
    private final Consumer<ClientConnection> markDirty = dirty::add;
    private final AtomicLong durableFromWal = new AtomicLong();
    private final AtomicBoolean durableTaskScheduled = new AtomicBoolean();
    private boolean cycleEndScheduled;
    private boolean appendedSinceFlush;
    private boolean readingPaused;
    private boolean stopped;
    private int boundPort;
    /** The clock, read once per cycle (a channel read, a durable report, a tick) as Agrona agents do. */
    private long cycleMillis;
    /** REPLICAOF, FAILOVER and CONFIG SET of the acknowledgement settings. */
    private final OperatorCommands operator;
    private long cycleNanos;

    public NodeAgent(EventLoop loop, ReplicaSetNode node, WalLogView logView, Wal wal, RuntimeSettings settings, ServerStats stats,
            SnapshotTaker snapshots, NodeFacts facts, java.nio.file.Path dataDir, VoteFile.Vote recoveredVote,
            Consumer<Throwable> fatal, SpinThenBlock idleStrategy) {
        this.idleStrategy = idleStrategy;
        this.loop = loop;
        this.node = node;
        this.logView = logView;
        this.wal = wal;
        this.settings = settings;
        this.stats = stats;
        this.snapshots = snapshots;
        this.fatal = fatal;
        this.durableFromWal.set(node.durableLsn());
        this.infoRenderer = new InfoRenderer(this, facts);
        this.snapshotSender = new SnapshotSender(snapshots.store(), this::sendNow, stats);
        this.snapshotReceiver = new SnapshotReceiver(snapshots.store(), snapshots.background(), loop, this::sendNow,
                stats, this::installSnapshot);
        this.voteFile = new VoteFile(dataDir);
        this.persistedVote = recoveredVote;
        this.rewinder = new Rewinder(dataDir, wal, logView, snapshots.store(), snapshots.background(), loop, stats);
        this.events = new EventReporter(stats, settings);
        this.operator = new OperatorCommands(this, node, settings);
    }

    // ---- wiring -------------------------------------------------------------------------------------

    /** The listener the WAL calls, from the writer thread or from inside flush() on this thread. */
    public DurableListener durableListener() {
        return new DurableListener() {
            @Override
            public void onDurable(long lsn) {
                durableFromWal.accumulateAndGet(lsn, Math::max);
                // Inside flush() on the loop, endCycle picks the LSN up right after; from the writer
                // thread, one task at a time carries the newest LSN into the loop.
                if (!loop.inEventLoop() && durableTaskScheduled.compareAndSet(false, true)) {
                    loop.execute(NodeAgent.this::onDurableTask);
                }
            }

            @Override
            public void onFailed(IOException failure) {
                loop.execute(() -> walFailed(failure));
            }
        };
    }

    public void start(int boundPort) {
        this.boundPort = boundPort;
        readClock();
        // The first tick at once (after the task that started us, which takes the starting role), not one tick
        // interval later: a follower subscribes to its leader on its first tick, and a restarted follower
        // answered PING and then waited up to 1000/hz ms (100 by default) before it asked for what it missed.
        loop.execute(this::tick);
    }

    public Consumer<ClientConnection> markDirty() {
        return markDirty;
    }

    public EventLoop loop() {
        return loop;
    }

    public ReplicaSetNode node() {
        return node;
    }

    public Wal wal() {
        return wal;
    }

    public ServerStats stats() {
        return stats;
    }

    public SnapshotTaker snapshots() {
        return snapshots;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Is reading from clients paused because the WAL is behind (back-pressure)? */
    public boolean readingPaused() {
        return readingPaused;
    }

    public void register(ClientConnection conn) {
        clients.put(conn.id, conn);
        stats.connectedClients = clients.size();
        if (readingPaused) {
            conn.channel.config().setAutoRead(false);
        }
    }

    public void unregister(ClientConnection conn) {
        clients.remove(conn.id);
        stats.connectedClients = clients.size();
    }

    // ---- stepping the core ----------------------------------------------------------------------------

    /**
     * Reads the clock for the work that follows on this thread: every request decoded from one channel
     * read shares this time (for the core's nowMillis and for latency). A request waits for its read to
     * finish decoding by at most the read's few microseconds, far below any TTL's resolution.
     */
    /** The clock this cycle read (readClock), in the core's milliseconds. */
    long cycleMillis() {
        return cycleMillis;
    }

    public void readClock() {
        cycleNanos = System.nanoTime();
        cycleMillis = NodeClock.millisAt(cycleNanos);
        idleStrategy.workedAt(cycleNanos, settings.idleSpinNanos());
    }

    @Override
    public void submitCommand(ClientConnection conn, byte[][] args, ServerStats.CommandCounter counter) {
        conn.awaitCore(cycleNanos, counter, null);
        step(new Input.ClientCommand(conn, conn.id, args));
    }

    @Override
    public void submitWait(ClientConnection conn, Input input, ServerStats.CommandCounter counter) {
        conn.awaitCore(cycleNanos, counter, null);
        step(input);
    }

    @Override
    public long stalenessMillis() {
        return node.stalenessMillis(NodeClock.millis());
    }

    @Override
    public boolean leads() {
        return node.isLeader();
    }

    @Override
    public void submitTransaction(ClientConnection conn, List<byte[][]> coreCommands, int size,
            int[] sessionPositions, Reply[] sessionReplies, ServerStats.CommandCounter counter) {
        ClientConnection.ExecMerge merge = sessionPositions.length == 0 ? null
                : new ClientConnection.ExecMerge(size, sessionPositions, sessionReplies);
        conn.awaitCore(cycleNanos, counter, merge);
        step(new Input.ClientTransaction(conn, conn.id, coreCommands));
    }

    /** Steps the core at this cycle's time, with this agent as its output. */
    void step(Input input) {
        if (stopped) {
            return;
        }
        node.step(cycleMillis, input, this);
        scheduleCycleEnd();
    }

    /**
     * When each recent entry was appended (by LSN, in a ring), so that an acknowledgement can tell how long
     * its write waited: the ack-wait histogram. The LSN is kept beside the time, since a write
     * acknowledged after more than RING entries followed it finds its slot reused (and is not counted).
     */
    private static final int APPEND_TIMES = 1 << 16;
    private final long[] appendLsns = new long[APPEND_TIMES];
    private final long[] appendNanos = new long[APPEND_TIMES];

    @Override
    public void persist(Entry entry) {
        int slot = (int) (entry.lsn() & (APPEND_TIMES - 1));
        appendLsns[slot] = entry.lsn();
        appendNanos[slot] = cycleNanos;
        try {
            int index = shipped == null ? -1 : shipped.indexOf(entry);
            int payloadLength = index < 0 ? wal.append(entry)
                    : wal.appendEncoded(entry, shipped.frame(), shipped.offset(index), shipped.length(index));
            logView.appended(entry, payloadLength);
            appendedSinceFlush = true;
        } catch (WalFailedException e) {
            // The entry is in memory but can never be durable: its reply is never released, and the node
            // stops before anything else happens.
            walFailed(e);
        }
    }

    /**
     * A divergent suffix not applied yet: recorded in the rollback file, then cut (see Rewinder). The durable
     * LSN the WAL reported before the cut may be beyond the log's new end: it must not be taken for the
     * durability of the entries that will replace the cut ones.
     */
    @Override
    public void truncateLog(long afterLsn) {
        try {
            rewinder.truncate(afterLsn, node.term());
            durableFromWal.accumulateAndGet(afterLsn, Math::min);
        } catch (java.io.IOException | RuntimeException e) {
            walFailed(e);
        }
    }

    /**
     * The term and vote, durable before this step's messages leave (they are sent after this returns, in
     * order). Synchronous: once per election, a small file. If it cannot be written the node stops, as for a
     * WAL failure: a vote it might forget must not be sent.
     */
    @Override
    public void persistVote(long term, NodeId votedFor) {
        writeVoteFile(persistedVote.withVote(term, votedFor), "term " + term + " and vote");
    }

    /** The vote floor, durable before the rewind that follows in this step drops anything (same file). */
    @Override
    public void persistVoteFloor(long term, long lsn) {
        writeVoteFile(persistedVote.withFloor(term, lsn), "vote floor " + term + "/" + lsn);
    }

    private void writeVoteFile(VoteFile.Vote vote, String what) {
        try {
            voteFile.write(vote);
            persistedVote = vote;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot make " + what + " durable in " + voteFile.path() + ": " + e);
            walFailed(e);
        }
    }

    /**
     * Applied divergent entries: record and cut them (on this thread), rebuild the keyspace as of afterLsn off
     * it (see Rewinder), and step the core with Rewound when done. Snapshots in flight would show the keyspace
     * from before: a transfer being received is dropped, one being taken is discarded.
     */
    @Override
    public void rewind(long afterLsn) {
        snapshotReceiver.abandon("this node is rewinding");
        try {
            long keptSnapshot = rewinder.rewind(afterLsn, node.term(), node.keyspace().hashSeed(), this::rewound,
                    this::walFailed);
            durableFromWal.accumulateAndGet(afterLsn, Math::min);
            snapshots.rewinding(afterLsn, keptSnapshot);
        } catch (IOException | RuntimeException e) {
            walFailed(e);
        }
    }

    /** The membership this node's configuration gives (see TandemNode): where a rewind to LSN 0 starts from. */
    private io.tandem.core.model.Membership configuredMembership;

    public void configuredMembership(io.tandem.core.model.Membership membership) {
        this.configuredMembership = membership;
    }

    private void rewound(long lsn, long term, io.tandem.core.keyspace.Keyspace keys,
            io.tandem.core.model.Membership snapshotMembership, long baseLsn) {
        if (stopped) {
            return;
        }
        readClock();
        snapshots.rewound();
        durableFromWal.accumulateAndGet(lsn, Math::min);
        LOG.log(System.Logger.Level.WARNING, "rewound to LSN " + lsn + " (term " + term + "): " + keys.size()
                + " keys; following the leader from there");
        // The memberships are read again from where the rebuild started: the snapshot's, or the configuration's
        // at LSN 0 (a rewind may go back past the snapshot the node's memberships started from).
        io.tandem.core.model.Membership base = baseLsn == 0 ? configuredMembership : snapshotMembership;
        node.step(cycleMillis, base == null ? new Input.Rewound(lsn, term, keys)
                : new Input.Rewound(lsn, term, keys, base, baseLsn), this);
        scheduleCycleEnd();
    }

    @Override
    public void sendNow(NodeId to, Message message) {
        if (stopped) {
            return; // a failed vote write (or WAL) stopped the node mid-step: nothing more leaves
        }
        if (peers != null) {
            peers.send(to, message, cycleMillis);
        }
    }

    private io.tandem.server.net.PeerTransport peers;

    /** The membership changed: connect to the members where they listen now. */
    @Override
    public void membersChanged(io.tandem.core.model.Membership membership) {
        if (peers != null) {
            peers.addresses(peerAddresses(membership, node.self()));
        }
    }

    /** Where the other members of {@code membership} listen (members whose address is unknown are left out). */
    public static Map<NodeId, java.net.InetSocketAddress> peerAddresses(io.tandem.core.model.Membership membership,
            NodeId self) {
        Map<NodeId, java.net.InetSocketAddress> addresses = new java.util.HashMap<>();
        for (io.tandem.core.model.Membership.Seat seat : membership.seats()) {
            if (!seat.id().equals(self) && !seat.peerAddress().isEmpty()) {
                addresses.put(seat.id(), io.tandem.server.net.PeerTransport.address(seat.peerAddress()));
            }
        }
        return addresses;
    }

    public void peers(io.tandem.server.net.PeerTransport transport) {
        this.peers = transport;
    }

    public io.tandem.server.net.PeerTransport peers() {
        return peers;
    }

    /**
     * A message from another member (decoded on this same loop), with where the entries of an AppendRequest lie
     * in the frame it came in (or null):
     * {@link #persist} copies those bytes into the log instead of encoding the entries again. Only for this
     * step: the frame is the connection's read buffer.
     */
    public void onPeerMessage(Message message, ShippedPayloads payloads) {
        readClock();
        shipped = payloads;
        try {
            step(new Input.PeerMessage(message));
        } finally {
            shipped = null;
        }
    }

    /** Where the entries of the AppendRequest being stepped lie in their frame; null outside such a step. */
    private ShippedPayloads shipped;

    // ---- operator commands (see OperatorCommands) --------------------------------------------------------

    @Override
    public Reply replicaOf(String host, int port) {
        return operator.replicaOf(host, port);
    }

    @Override
    public Reply failover(String host, int port, long timeoutMillis, boolean force, boolean abort) {
        return operator.failover(host, port, timeoutMillis, force, abort);
    }

    // ---- snapshot transfers (see SnapshotSender, SnapshotReceiver) ---------------------------------------

    private final SnapshotSender snapshotSender;
    private final SnapshotReceiver snapshotReceiver;

    @Override
    public void sendSnapshot(NodeId to) {
        snapshotSender.start(to, node.term(), node.self(), cycleMillis);
    }

    @Override
    public void receiveSnapshotChunk(Message.SnapshotChunk chunk) {
        snapshotReceiver.onChunk(chunk, node.term(), node.self(), node.keyspace().hashSeed());
    }

    @Override
    public void snapshotAcked(Message.SnapshotAck ack) {
        snapshotSender.onAck(ack, node.term(), node.self(), cycleMillis);
    }

    /**
     * Replaces this follower's log and keyspace with a snapshot received from its leader and verified. In
     * this order, for crash safety: the snapshot becomes the store's newest (durably), then the log's
     * segments go (a crash between leaves an old log that ends before the snapshot: recovery discards it),
     * then the core adopts the keys. False when it no longer applies: this node leads now, or its log
     * reached the snapshot's LSN meanwhile.
     */
    private boolean installSnapshot(java.nio.file.Path file, io.tandem.storage.snapshot.SnapshotMeta meta,
            io.tandem.core.keyspace.Keyspace keys) {
        if (stopped || node.isLeader() || node.rewinding() || node.lastLsn() >= meta.lsn()) {
            return false;
        }
        readClock();
        io.tandem.core.model.Membership membership;
        try {
            membership = SnapshotMembership.decode(meta.configuration(), file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot install the received snapshot: " + e.getMessage());
            return false;
        }
        try {
            snapshots.store().install(file, meta.lsn());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot install the received snapshot " + file + ": " + e);
            return false;
        }
        try {
            appendedSinceFlush = false; // whatever was appended is older than the snapshot: deleted with the log
            wal.restartAfter(meta.lsn(), meta.term());
            logView.restartedAfter();
        } catch (IOException | RuntimeException e) {
            walFailed(e);
            return false;
        }
        durableFromWal.accumulateAndGet(meta.lsn(), Math::max);
        node.step(cycleMillis, new Input.SnapshotLoaded(meta.lsn(), meta.term(), keys, membership), this);
        snapshots.installed(meta.lsn());
        scheduleCycleEnd();
        return true;
    }

    private NodeObserver observer = NodeObserver.NONE;

    /** Something that follows every event and tick of this node (the Sentinel API's events). */
    public void observe(NodeObserver observer) {
        this.observer = observer;
    }

    public void selfAnnounce(String address) {
        operator.selfAnnounce(address);
    }

    @Override
    public void event(io.tandem.core.model.Event event) {
        events.report(event);
        observer.onEvent(event);
    }

    @Override
    public void acknowledged(ClientRef client, long term, long lsn) {
        ClientConnection conn = (ClientConnection) client;
        conn.lastWriteTerm = term;
        conn.lastWriteLsn = lsn;
        int slot = (int) (lsn & (APPEND_TIMES - 1));
        if (appendLsns[slot] == lsn) {
            stats.ackWait.record(Math.max(0, cycleNanos - appendNanos[slot]) / 1000);
        }
    }

    @Override
    public void reply(ClientRef client, long requestId, Reply reply) {
        ((ClientConnection) client).deliver(reply, cycleNanos);
    }

    /** Asks for {@link #endCycle} after this loop iteration's channel reads (once per iteration). */
    public void scheduleCycleEnd() {
        if (!cycleEndScheduled) {
            cycleEndScheduled = true;
            loop.execute(this::scheduledCycleEnd);
        }
    }

    /** The task scheduleCycleEnd queued; the cycle may have ended early since (onPeerReadComplete). */
    private void scheduledCycleEnd() {
        if (cycleEndScheduled) {
            endCycle();
        }
    }

    /**
     * A peer connection delivered what one read burst brought. On a follower the cycle ends here, before this
     * loop iteration reads its client connections: the leader's entries are written and applied first, so a
     * read that arrived in the same iteration sees them. Without this, a client that wrote on the leader and
     * then read here (read-your-writes across nodes, the lag probe) found its write missing in 1-23% of
     * repl_lag.py's single-write probes: the leader sends to its followers before it answers the client, but when the
     * follower's thread woke late both were ready together, and the read was served before the cycle's end
     * applied the entries. A follower gets entries from one connection only, so its cycles batch as before.
     * A leader keeps its cycle to the iteration's end: answers arriving there should not split the batch of
     * client writes read in the same iteration into two WAL writes.
     */
    public void onPeerReadComplete() {
        if (cycleEndScheduled && !node.isLeader()) {
            endCycle();
        }
    }

    private void endCycle() {
        cycleEndScheduled = false;
        if (stopped) {
            return;
        }
        readClock();
        try {
            if (appendedSinceFlush) {
                appendedSinceFlush = false;
                // ALWAYS: written and synced before flush() returns; NEVER: written; EVERYSEC: written, unless
                // the once-a-second sync is running (then its thread writes right after and reports); BATCH:
                // handed to the group-commit writer, which reports back through durableListener().
                wal.flush();
            }
            stepDurable();
            if (!node.rewinding()) { // a snapshot now would show the keyspace the rewind is replacing
                snapshots.onCycle(node, wal, settings.snapshotAfterLogBytes());
            }
            applyBackPressure();
        } catch (WalFailedException | RuntimeException e) {
            walFailed(e);
            return;
        }
        flushPeersThenConnections();
    }

    /** Entries go to the followers before the replies that say they were written go to the clients. */
    private void flushPeersThenConnections() {
        if (peers != null) {
            peers.flushWritten();
        }
        flushConnections();
    }

    private void onDurableTask() {
        durableTaskScheduled.set(false);
        if (stopped) {
            return;
        }
        readClock();
        stepDurable();
        snapshots.onDurable(node.durableLsn());
        applyBackPressure();
        flushPeersThenConnections();
    }

    private void stepDurable() {
        long durable = durableFromWal.get();
        if (durable > node.durableLsn()) {
            node.step(cycleMillis, new Input.Persisted(durable), this);
        }
    }

    private void flushConnections() {
        for (int i = 0; i < dirty.size(); i++) {
            dirty.get(i).flush();
        }
        dirty.clear();
    }

    /**
     * While more log bytes wait for the disk than the WAL allows, stop reading every client: requests stay
     * in the kernel's socket buffers and TCP slows the clients down, instead of this node's memory growing.
     */
    private void applyBackPressure() {
        boolean pressed = wal.backPressured();
        if (pressed == readingPaused) {
            return;
        }
        readingPaused = pressed;
        for (ClientConnection conn : clients.values()) {
            if (!conn.closing()) {
                conn.channel.config().setAutoRead(!pressed && conn.channel.isWritable());
            }
        }
    }

    // ---- timers -------------------------------------------------------------------------------------

    private void scheduleTick() {
        if (stopped) {
            return;
        }
        loop.schedule(this::tick, Math.max(1, 1000 / settings.hz()), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        readClock();
        try {
            step(Input.TICK);
            observer.onTick();
            // A leader's transfers, or a relay's (cascading); one the core no longer wants stops.
            snapshotSender.onTick(node.term(), node.self(), cycleMillis, follower -> {
                var p = node.progress().get(follower);
                return p != null && p.receivingSnapshot();
            });
            if (cycleMillis - retentionCheckedMillis >= RETENTION_CHECK_MILLIS && !node.rewinding()) {
                retentionCheckedMillis = cycleMillis;
                snapshots.enforceRetention(node, wal);
            }
        } finally {
            scheduleTick();
        }
    }

    /** A replica that catches up releases log it held: retention is looked at again this often. */
    static final long RETENTION_CHECK_MILLIS = 1_000;
    private long retentionCheckedMillis;

    // ---- failure and shutdown ---------------------------------------------------------------------------

    /**
     * The WAL cannot write or fsync. Acknowledging anything more could lie about durability, so the node
     * stops serving: every client is disconnected and the owner is told to exit.
     */
    private void walFailed(Throwable failure) {
        if (stopped) {
            return;
        }
        LOG.log(System.Logger.Level.ERROR, "write-ahead log failed; stopping the node: " + failure, failure);
        stopNow();
        fatal.accept(failure);
    }

    /** Stops stepping and closes every client connection. Call on the loop. */
    public void stopNow() {
        stopped = true;
        for (ClientConnection conn : new ArrayList<>(clients.values())) {
            conn.channel.close();
        }
    }

    /**
     * The first step of a clean shutdown: hand what this cycle appended to the WAL, whose close() then
     * syncs it. Replies still waiting for the disk are not sent: those clients see the connection close,
     * which a client must treat as an unknown outcome (the write may or may not have been applied).
     */
    public void drainForShutdown() {
        if (stopped) {
            return;
        }
        if (appendedSinceFlush) {
            appendedSinceFlush = false;
            try {
                wal.flush();
            } catch (WalFailedException e) {
                LOG.log(System.Logger.Level.ERROR, "shutdown: the write-ahead log failed: " + e);
            }
        }
    }

    // ---- SessionHost ------------------------------------------------------------------------------------

    @Override
    public RuntimeSettings settings() {
        return settings;
    }

    @Override
    public String info(List<String> sections) {
        return infoRenderer.render(sections);
    }

    @Override
    public Collection<ClientConnection> clients() {
        return Collections.unmodifiableCollection(clients.values());
    }

    @Override
    public int boundPort() {
        return boundPort;
    }

    @Override
    public void resetStats() {
        stats.reset();
    }

    @Override
    public void settingsChanged() {
        // hz is read when the next tick is scheduled; limits are read per connection and request.
        operator.settingsChanged();
    }

    /** What SHUTDOWN runs: set by the node, which closes itself on another thread. */
    private Runnable shutdownRequest = () -> { };

    public void onShutdownRequest(Runnable action) {
        this.shutdownRequest = action;
    }

    @Override
    public void shutdown() {
        shutdownRequest.run();
    }

    @Override
    public Reply role() {
        return ReplicationInfo.role(node, settings.startup().replication().heartbeatIntervalMillis(),
                NodeClock.millis());
    }

    @Override
    public String bgsave() {
        if (node.rewinding()) {
            return "ERR this replica is rebuilding its dataset after it diverged from the leader; retry shortly";
        }
        return snapshots.requestNow(node, wal);
    }
}
