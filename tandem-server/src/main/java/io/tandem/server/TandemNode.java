package io.tandem.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.admin.AdminServer;
import io.tandem.server.agent.Joiner;
import io.tandem.server.agent.NodeAgent;
import io.tandem.server.agent.NodeClock;
import io.tandem.server.agent.NodeFacts;
import io.tandem.server.agent.NodeRecovery;
import io.tandem.server.agent.SnapshotTaker;
import io.tandem.server.agent.StartingRole;
import io.tandem.server.agent.WalLogView;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.net.ClientHandler;
import io.tandem.server.net.ClientReadBuffers;
import io.tandem.server.net.PeerTransport;
import io.tandem.server.net.SpinThenBlock;
import io.tandem.server.config.ReplicationSettings;
import io.tandem.server.session.RequestDispatcher;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running node: recovers its data, then serves clients on one event loop thread, with the WAL's
 * writer thread, a snapshot thread and the admin HTTP server beside it. {@link #start} returns once the
 * node accepts clients; {@link #close} stops it cleanly (acknowledged writes are already durable; what
 * was appended is flushed and synced).
 */
public final class TandemNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TandemNode.class.getName());
    /**
     * Most unacknowledged entry bytes in flight to one follower (the core counts 128 bytes an entry: 32,768
     * entries). Larger is slower, not faster: see docs/benchmarks.md, "The in-flight window".
     */
    public static final long MAX_INFLIGHT_BYTES = 4 << 20;
    /** Most payload bytes in one AppendRequest. */
    public static final long MAX_BATCH_BYTES = 256 << 10;

    private final NodeConfig config;
    private final MultiThreadIoEventLoopGroup group;
    private final SpinThenBlock idleStrategy = new SpinThenBlock();
    private final ExecutorService snapshotThread;
    private final FileChannel lockChannel;
    private final CompletableFuture<Throwable> terminated = new CompletableFuture<>();
    private NodeAgent agent;
    private Channel serverChannel;
    private AdminServer admin;
    private int port;
    private int peerPort = -1;
    private PeerTransport peerTransport;
    private volatile boolean closed;

    private TandemNode(NodeConfig config, FileChannel lockChannel) {
        this.config = config;
        this.lockChannel = lockChannel;
        // One strategy per node: its only loop is the agent's (see SpinThenBlock).
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory(0, () -> idleStrategy)
                : NioIoHandler.newFactory(SelectorProvider.provider(), () -> idleStrategy);
        this.group = new MultiThreadIoEventLoopGroup(1, runnable -> {
            // A FastThreadLocalThread, as Netty's own DefaultThreadFactory makes: on any other thread Netty's
            // Recycler pools nothing (every read buffer, reply buffer and outbound entry is a new object
            // for the GC) and its thread-locals take the slow ThreadLocal path.
            Thread t = new FastThreadLocalThread(runnable, "tandem-agent");
            t.setDaemon(false);
            return t;
        }, io);
        this.snapshotThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "tandem-snapshot");
            t.setDaemon(true);
            return t;
        });
    }

    /** Recovers the data directory and starts serving. Throws with a clear message when it cannot. */
    public static TandemNode start(NodeConfig config) throws IOException {
        Path dataDir = config.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IOException("cannot create data directory " + dataDir.toAbsolutePath() + ": " + e, e);
        }
        FileChannel lock = FileChannel.open(dataDir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = lock.tryLock();
        } catch (IOException e) {
            lock.close();
            throw e;
        }
        if (held == null) {
            lock.close();
            throw new IOException("data directory " + dataDir.toAbsolutePath()
                    + " is in use by another Tandem node (LOCK is held)");
        }
        TandemNode node = new TandemNode(config, lock);
        try {
            node.boot();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void boot() throws IOException {
        WalOptions walOptions = WalOptions.defaults()
                .withFsyncPolicy(config.fsync())
                .withSegmentBytes(config.walSegmentBytes())
                .withMaxPendingBytes(config.walMaxPendingBytes());
        SecureRandom seeds = new SecureRandom();
        ReplicationSettings replication = config.replication();
        NodeId self = replication.nodeId();
        Membership configured = configuredMembership(replication);
        NodeRecovery.Result recovery = NodeRecovery.recover(config.dataDir(), walOptions, seeds.nextInt(), configured);
        Wal wal = recovery.recovered().wal();
        // The core's randomness (SPOP, RANDOMKEY, expiry sampling) comes from a generator seeded here: the
        // core stays deterministic given its seed, and the server picks a fresh one per start.
        Map<NodeId, MemberConfig> members = new java.util.TreeMap<>();
        // Priority is each node's own (only a node's own decides whether it stands); peers count as 1.
        members.put(self, new MemberConfig(self, !replication.nonVoting().contains(self),
                replication.applyDelayMillis(), replication.priority()));
        replication.peers().keySet().forEach(peer -> members.put(peer,
                new MemberConfig(peer, !replication.nonVoting().contains(peer), 0)));
        ReplicaSetConfig replicaSet = new ReplicaSetConfig(members, replication.ackPolicy(), replication.ackLevel(),
                replication.ackTimeoutMillis(), replication.onAckTimeout(), replication.heartbeatIntervalMillis(),
                MAX_INFLIGHT_BYTES, MAX_BATCH_BYTES, replication.minReplicasToWrite(), replication.minReplicasMaxLagMillis(),
                replication.electionTimeoutMillis(), replication.maxLagOnFailoverEntries(), replication.readLeaseMillis());
        var report = recovery.recovered().report();
        long averageRecordBytes = report.recordsRead() == 0 ? 128 : report.bytesRead() / report.recordsRead();
        WalLogView logView = new WalLogView(wal, averageRecordBytes);
        // The election timer's jitter comes from this generator too (the core has no other randomness).
        ReplicaSetNode node = new ReplicaSetNode(self, replicaSet, recovery.keyspace(), logView, recovery.startTerm(),
                recovery.startVotedFor(), recovery.memberships(), new SplittableRandom(seeds.nextLong()));
        node.restoreVoteFloor(recovery.vote().floorTerm(), recovery.vote().floorLsn());
        if (!recovery.memberships().latest().equals(configured)) {
            LOG.log(System.Logger.Level.INFO, "members (from the log or snapshot, not the configuration): "
                    + recovery.memberships().latest());
        }
        EventLoop loop = group.next();
        ServerStats stats = new ServerStats(NodeClock.millis());
        RuntimeSettings settings = new RuntimeSettings(config);
        SnapshotTaker snapshots = new SnapshotTaker(recovery.snapshots(), snapshotThread, loop, stats,
                replication.retentionBytesMax(), recovery.snapshotLsn());
        String runId = HexFormat.of().formatHex(seeds.generateSeed(20));
        var facts = new NodeFacts(runId, "", config.dataDir().toAbsolutePath().toString(),
                Epoll.isAvailable() ? "epoll" : "nio");
        agent = new NodeAgent(loop, node, logView, wal, settings, stats, snapshots, facts, config.dataDir(),
                recovery.vote(), this::fatal, idleStrategy);
        wal.setDurableListener(agent.durableListener());
        agent.configuredMembership(configured);
        agent.onShutdownRequest(() -> new Thread(this::close, "tandem-shutdown-command").start());

        RequestDispatcher dispatcher = new RequestDispatcher(agent, agent, stats);
        agent.observe(dispatcher.sentinel());
        AtomicLong connectionIds = new AtomicLong();
        Class<? extends ServerChannel> channelType =
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group, group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that half-closes after its requests still gets its replies (see ClientHandler).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ClientReadBuffers.allocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ClientHandler(agent, dispatcher, connectionIds.incrementAndGet(),
                                config.maxRequestArgs()));
                    }
                });
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(config.bind(), config.port())).sync().channel();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        String announceIp = replication.announceIp() != null ? replication.announceIp()
                : config.bind().equals("0.0.0.0") || config.bind().equals("::") ? "127.0.0.1" : config.bind();
        // Peers to reach: the configuration's, a membership changed since (TANDEM.MEMBERS), or one to join.
        boolean replicated = !replication.peers().isEmpty() || replication.join() != null
                || recovery.memberships().latest().seats().size() > 1;
        if (replicated && replication.peerPort() >= 0) {
            Map<NodeId, InetSocketAddress> addresses = NodeAgent.peerAddresses(recovery.memberships().latest(), self);
            Class<? extends io.netty.channel.Channel> socketType = Epoll.isAvailable()
                    ? io.netty.channel.epoll.EpollSocketChannel.class : io.netty.channel.socket.nio.NioSocketChannel.class;
            PeerTransport transport = new PeerTransport(group, channelType, socketType, addresses, agent::onPeerMessage);
            transport.onReadComplete(agent::onPeerReadComplete);
            try {
                peerPort = transport.listen(config.bind(), replication.peerPort());
            } catch (Exception e) {
                throw new IOException("cannot listen on peer port " + config.bind() + ":" + replication.peerPort() + ": "
                        + e.getMessage(), e);
            }
            peerTransport = transport;
            agent.peers(transport);
            node.peerAddress(announceIp + ":" + peerPort); // snapshots carry it to members added later
        }
        node.announce(announceIp + ":" + port);
        node.statementFormat(replication.statementFormat());
        node.lagAlerts(replication.lagAlertMillis(), replication.lagAlertBytes());
        node.upstream(replication.upstream()); // cascading: kept through elections, not only at start
        agent.selfAnnounce(announceIp + ":" + port);
        loop.submit(() -> {
            agent.start(port);
            if (peerTransport != null) {
                peerTransport.connectAll(NodeClock.millis());
            }
            StartingRole.take(node, replication, recovery, NodeClock.millis(), agent);
        }).syncUninterruptibly();
        if (config.adminPort() >= 0) {
            admin = AdminServer.start(config.bind(), config.adminPort(), agent);
        }
        if (replication.join() != null && recovery.pristine()) {
            Thread joiner = new Thread(new Joiner(self, announceIp + ":" + peerPort,
                    !replication.nonVoting().contains(self), replication.join(), config.requirepass(),
                    terminated::isDone), "tandem-join");
            joiner.setDaemon(true);
            joiner.start();
        }
        LOG.log(System.Logger.Level.INFO, "Tandem " + "ready: clients on " + config.bind() + ":" + port
                + (admin != null ? ", admin http://" + config.bind() + ":" + admin.port() : "")
                + ", fsync " + config.fsync().configName() + ", data " + config.dataDir().toAbsolutePath());
    }

    /**
     * The membership the configuration gives: this node (at an address known once its peer port is bound) and
     * its peers, voting unless listed in non-voting. A node started to join (join) names no one: it is told
     * who the members are by the leader that adds it.
     */
    static Membership configuredMembership(ReplicationSettings replication) {
        List<Membership.Seat> seats = new ArrayList<>();
        if (replication.join() == null) {
            seats.add(new Membership.Seat(replication.nodeId(), !replication.nonVoting().contains(replication.nodeId()),
                    ""));
        }
        replication.peers().forEach((peer, address) -> seats.add(new Membership.Seat(peer,
                !replication.nonVoting().contains(peer), address)));
        return new Membership(seats);
    }

    public int port() {
        return port;
    }

    /** The peer port, or -1 when this node has no peers. */
    public int peerPort() {
        return peerPort;
    }

    /** The admin HTTP port, or -1 when the admin server is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public NodeConfig config() {
        return config;
    }

    /** Runs a task on the agent thread and waits for its result (for tools and tests). */
    public <T> T onAgent(java.util.concurrent.Callable<T> task) throws Exception {
        return agent.loop().submit(task).get(10, TimeUnit.SECONDS);
    }

    public NodeAgent agent() {
        return agent;
    }

    /** Completes when the node stops: with null after close(), with the cause after a fatal failure. */
    public CompletableFuture<Throwable> terminated() {
        return terminated;
    }

    private void fatal(Throwable cause) {
        Thread closer = new Thread(() -> {
            closeQuietly();
            terminated.complete(cause);
        }, "tandem-fatal-close");
        closer.start();
    }

    @Override
    public void close() {
        closeQuietly();
        terminated.complete(null);
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.stop();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (peerTransport != null) {
            try {
                agent.loop().submit(peerTransport::close).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "shutdown: closing peer connections failed: " + e);
            }
        }
        if (agent != null) {
            try {
                agent.loop().submit(() -> {
                    agent.drainForShutdown();
                    agent.stopNow();
                }).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "shutdown: could not drain the agent: " + e);
            }
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        snapshotThread.shutdown();
        try {
            snapshotThread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (agent != null) {
            try {
                agent.wal().close();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "shutdown: closing the write-ahead log failed: " + e);
            }
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "shutdown: releasing the data directory lock failed: " + e);
        }
        LOG.log(System.Logger.Level.INFO, "Tandem stopped");
    }
}
