package io.tandem.server.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.wire.peer.ShippedPayloads;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Connections between members, on the node's event loop. Each node sends over connections it opens
 * itself (one per peer, opened on the first send and again after a failure, at most once per
 * {@link #RECONNECT_MILLIS}) and receives on its peer port; so every direction has its own TCP
 * connection and no handshake is needed: each message names its sender and term.
 *
 * <p>Two rules keep a link from failing in one direction only. A message that arrives from a peer on a
 * connection it opened makes that connection a way back to it, used while our own is not up. And a
 * Subscribe, or a pre-vote, on a connection the peer opened after we opened ours to it, means the peer may
 * have (re)started: ours may still point at its previous incarnation (half-open), so it is dropped and
 * opened again. (The pre-vote: with elections a restarted node knows no leader to subscribe to. Without
 * this rule a leader's stream to a restarted follower could stay on a dead connection while the follower
 * stood for election again and again: SnapshotBootstrapTest failed about one run in three once elections
 * became the default.) Only then: when two followers stand at once, each one's pre-vote reaches the other
 * on a connection older than the other's own, and dropping it closed the very connection the other's answer
 * was on its way back by: both pre-votes failed, and the election took a second round, 0.5-1 s more
 * (fault lab: 5 of 90 failovers at 1.4-1.8 s).
 *
 * <p>Sending never queues without bound: while a peer's connection is down or its buffer is full,
 * messages to it are dropped. The protocol is built for that (lost batches are sent again after a
 * heartbeat without progress, probes repeat until answered). One case is not left to that: messages sent
 * while our connection to the peer is still being opened wait for it (at most
 * {@link #MAX_AWAITING_CONNECT} of them, the newest dropped beyond that). A node that has just started
 * opens every connection with its first message, and for a follower that message is its Subscribe: lost,
 * the follower would only ask again after five silent heartbeats, half a second with the default
 * heartbeat, before catching up could begin.
 */
public final class PeerTransport {
    private static final System.Logger LOG = System.getLogger(PeerTransport.class.getName());
    static final long RECONNECT_MILLIS = 200;
    /** Messages kept per peer while our connection to it is being opened. */
    static final int MAX_AWAITING_CONNECT = 16;

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelType;
    private final Class<? extends Channel> channelType;
    /** Where each member listens; replaced when the membership changes (TANDEM.MEMBERS). Agent thread. */
    private final Map<NodeId, InetSocketAddress> addresses = new HashMap<>();
    private final BiConsumer<Message, ShippedPayloads> deliver;
    /** Runs after the messages of one read burst from a peer were delivered; see {@link #onReadComplete}. */
    private Runnable readComplete = () -> { };
    private final Map<NodeId, Channel> outgoing = new HashMap<>();
    /** When a connection was opened (ours) or accepted (a peer's): System.nanoTime(). */
    private static final AttributeKey<Long> OPENED_NANOS = AttributeKey.valueOf("tandem.peer.openedNanos");
    /** Connections peers opened to us, by the sender named in their messages: a way back. */
    private final Map<NodeId, Channel> incoming = new HashMap<>();
    private final Map<NodeId, Long> lastAttemptMillis = new HashMap<>();
    /** Messages for a peer whose connection (the one in outgoing) is still being opened. */
    private final Map<NodeId, ArrayDeque<Message>> awaitingConnect = new HashMap<>();
    private Channel serverChannel;
    private long dropped;
    /** Channels written since the last flush (a few: one or two per peer), flushed by one task. */
    private final List<Channel> unflushed = new ArrayList<>();
    private boolean flushScheduled;

    /**
     * @param deliver gets each message, on the event loop, with where its entries' payloads lie in the frame
     *     (valid during the call only: see ShippedPayloads)
     */
    public PeerTransport(EventLoopGroup group, Class<? extends ServerChannel> serverChannelType,
            Class<? extends Channel> channelType, Map<NodeId, InetSocketAddress> addresses,
            BiConsumer<Message, ShippedPayloads> deliver) {
        this.group = group;
        this.serverChannelType = serverChannelType;
        this.channelType = channelType;
        this.addresses.putAll(addresses);
        this.deliver = deliver;
    }

    /**
     * What to run once the messages a peer connection delivered in one read burst (Netty's read loop, up to 16
     * socket reads) were all handed over: the agent ends its cycle there on a follower (see
     * NodeAgent#onPeerReadComplete). Set before {@link #listen}; event loop thereafter.
     */
    public void onReadComplete(Runnable action) {
        this.readComplete = action;
    }

    private void readComplete() {
        readComplete.run();
    }

    /** Listens on the peer port; returns the bound port. */
    public int listen(String bind, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group, group)
                .channel(serverChannelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.attr(OPENED_NANOS).set(System.nanoTime());
                        ch.pipeline().addLast(new PeerChannelHandler(PeerTransport.this::received,
                                PeerTransport.this::readComplete));
                    }
                });
        serverChannel = bootstrap.bind(new InetSocketAddress(bind, port)).sync().channel();
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** A message from a peer, on the event loop: remember the way back, then hand it to the agent. */
    private void received(Message message, ShippedPayloads payloads, Channel channel) {
        NodeId from = message.from();
        if (channel.parent() != null) {
            incoming.put(from, channel); // accepted by our server: the peer opened it
        }
        // A Subscribe, or a pre-vote (with elections a restarted node knows no leader to subscribe to: it
        // stands for election first), on a connection the peer opened after we opened ours to it, says the peer
        // may have restarted (see the class comment for why only then).
        if ((message instanceof Message.Subscribe || message instanceof Message.VoteRequest request && request.preVote())
                && channel.parent() != null && openedAfter(channel, outgoing.get(from))) {
            Channel ours = outgoing.remove(from);
            if (ours != null) {
                // It may lead to the peer's previous incarnation; reopened on the next send. What this cycle
                // wrote to it goes out first: flushes wait for the cycle's end, and close() would drop them.
                ours.flush();
                ours.close();
                lastAttemptMillis.remove(from);
            }
        }
        deliver.accept(message, payloads);
    }

    /** Was {@code theirs} opened after {@code ours}? False when we have no connection to drop. */
    private static boolean openedAfter(Channel theirs, Channel ours) {
        if (ours == null) {
            return false; // nothing to drop
        }
        Long theirsNanos = theirs.attr(OPENED_NANOS).get();
        Long oursNanos = ours.attr(OPENED_NANOS).get();
        return theirsNanos == null || oursNanos == null || theirsNanos - oursNanos > 0;
    }

    /**
     * Opens a connection to every peer now, before the node takes its first role (agent thread). A leader's
     * first messages then find connections ready, or opening, instead of paying for the first connection's
     * setup (class loading in a cold JVM, a few hundred ms on a busy machine) inside its first election
     * timeout: seen as a new replica set's first leader stepping down (check-quorum) before any follower
     * had heard from it. Peers not up yet are tried again on the next send.
     */
    public void connectAll(long nowMillis) {
        for (NodeId peer : addresses.keySet()) {
            connect(peer, nowMillis);
        }
    }

    /** Sends a message to a peer if a connection to it is up and not backed up; else drops it. Agent thread. */
    public void send(NodeId to, Message message, long nowMillis) {
        Channel channel = outgoing.get(to);
        if (channel == null || !channel.isActive()) {
            connect(to, nowMillis);
            channel = incoming.get(to);
        }
        if (channel == null || !channel.isActive()) {
            Channel opening = outgoing.get(to);
            ArrayDeque<Message> waiting = awaitingConnect.computeIfAbsent(to, peer -> new ArrayDeque<>());
            if (opening != null && opening.isOpen() && waiting.size() < MAX_AWAITING_CONNECT) {
                waiting.add(message); // written by connect()'s listener once the connection is up
            } else {
                dropped++;
            }
            return;
        }
        if (!channel.isWritable()) {
            dropped++;
            return;
        }
        channel.write(PeerFrameBuffers.frame(channel.alloc(), message), channel.voidPromise());
        flushSoon(channel);
    }

    /**
     * Flushes the channel once the event loop has finished what it is doing now (this read, or this
     * cycle's end), not once per message. The core hands over one AppendRequest per write to each
     * follower, and a follower one response per request: flushed one by one, a leader under 50 clients
     * made three send() calls per SET (its reply and one per follower), measured with strace; together,
     * one per peer per loop iteration.
     */
    private void flushSoon(Channel channel) {
        if (!unflushed.contains(channel)) {
            unflushed.add(channel);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(this::flushWritten);
        }
    }

    /**
     * Flushes every channel written since the last flush. The agent calls it at the end of its cycle,
     * before it flushes client replies, so that followers get an entry no later than the client hears
     * it was written (what a read on a follower right after the reply may see); the task that
     * {@link #flushSoon} schedules then finds nothing left. Agent thread.
     */
    public void flushWritten() {
        flushScheduled = false;
        for (Channel channel : unflushed) {
            channel.flush();
        }
        unflushed.clear();
    }

    /**
     * The membership changed (TANDEM.MEMBERS): these members listen here. A member whose address moved gets a
     * new connection. Addresses of members no longer listed are kept: a leader streams to a removed member
     * until its removal commits, so that it learns of it.
     */
    public void addresses(Map<NodeId, InetSocketAddress> current) {
        current.forEach((member, address) -> {
            InetSocketAddress before = addresses.put(member, address);
            if (before != null && !before.equals(address)) {
                Channel ours = outgoing.remove(member);
                if (ours != null) {
                    ours.close();
                }
                lastAttemptMillis.remove(member);
                awaitingConnect.remove(member);
            }
        });
    }

    /** "host:port" as an address to connect to (resolved when connecting). */
    public static InetSocketAddress address(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return InetSocketAddress.createUnresolved(hostAndPort.substring(0, colon),
                Integer.parseInt(hostAndPort.substring(colon + 1)));
    }

    public long droppedMessages() {
        return dropped;
    }

    public boolean connected(NodeId peer) {
        Channel channel = outgoing.get(peer);
        return channel != null && channel.isActive();
    }

    private void connect(NodeId to, long nowMillis) {
        InetSocketAddress address = addresses.get(to);
        if (address == null) {
            return;
        }
        Long last = lastAttemptMillis.get(to);
        if (last != null && nowMillis - last < RECONNECT_MILLIS) {
            return;
        }
        lastAttemptMillis.put(to, nowMillis);
        Channel previous = outgoing.remove(to);
        if (previous != null) {
            previous.close();
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 16 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new PeerChannelHandler(PeerTransport.this::received,
                                PeerTransport.this::readComplete));
                    }
                });
        ChannelFuture future = bootstrap.connect(address);
        Channel opening = future.channel();
        opening.attr(OPENED_NANOS).set(System.nanoTime());
        outgoing.put(to, opening);
        // Runs on the event loop (the channel's, which is this agent's), like send().
        future.addListener(f -> {
            ArrayDeque<Message> waiting = outgoing.get(to) == opening ? awaitingConnect.remove(to) : null;
            if (!f.isSuccess()) {
                LOG.log(System.Logger.Level.DEBUG, "cannot reach peer " + to + " at " + address + ": " + f.cause());
                dropped += waiting == null ? 0 : waiting.size();
                return;
            }
            if (waiting != null) {
                for (Message message : waiting) {
                    opening.write(PeerFrameBuffers.frame(opening.alloc(), message), opening.voidPromise());
                }
                opening.flush();
            }
        });
    }

    public void close() {
        flushWritten(); // what the agent sent last (a clean shutdown's final messages) still goes out
        awaitingConnect.clear();
        outgoing.values().forEach(Channel::close);
        outgoing.clear();
        incoming.values().forEach(Channel::close);
        incoming.clear();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
