package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.server.metrics.ServerStats;
import io.tandem.wire.resp.RespReplyEncoder;
import io.tandem.wire.resp.RespRequestDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection and its session state (protocol version, name, authentication, MULTI queue).
 * Lives on the node's single event loop thread; no field needs synchronization.
 *
 * <p>Reply order: replies to a pipeline must leave in request order, but a keyspace command's reply may
 * wait for the log (see the core's PendingReplies) while a session command (CLIENT GETNAME) could answer
 * at once. So every request takes its place in {@link #queue}: an answered reply, or a {@link Slot} that
 * the core fills later. The head of the queue is written out as soon as it is answered.
 */
public final class ClientConnection implements ClientRef {
    public final long id;
    public final Channel channel;
    public final RespRequestDecoder decoder;
    public final long createdAtMillis;
    private final ServerStats stats;
    private final java.util.function.Consumer<ClientConnection> onDirty;

    public int protocolVersion = 2;
    public String name;
    public String libName;
    public String libVersion;
    public boolean authenticated;
    public String lastCommand = "NULL";
    /** This connection's last acknowledged write (TANDEM.LSN, WAIT); 0 before any. */
    public long lastWriteTerm;
    public long lastWriteLsn;
    /** TANDEM.MAXSTALENESS: reads on a follower fail while it lags more than this; 0 = no bound. */
    public long maxStalenessMillis;

    /** Pub/sub: this connection's channels and patterns (null until its first SUBSCRIBE or PSUBSCRIBE). */
    public io.tandem.server.pubsub.Subscriptions subscriptions;
    private Runnable onRelease;

    /** MULTI state: the queued commands, and whether one of them was rejected (EXEC then aborts). */
    public List<byte[][]> multiQueue;
    public boolean multiDirty;

    private final ArrayDeque<Slot> queue = new ArrayDeque<>();
    private final ArrayDeque<Slot> awaitingCore = new ArrayDeque<>();
    private ByteBuf out;
    private boolean closeWhenFlushed;
    private boolean dirty;
    private boolean released;

    /**
     * A place in the reply order: a reply the core will give later ({@code merge} fills session replies
     * into an EXEC array), or an answered reply waiting behind one. {@code protocolVersion} is the
     * connection's protocol when the request ran.
     */
    static final class Slot {
        final long startNanos;
        final ServerStats.CommandCounter counter;
        final ExecMerge merge;
        final int protocolVersion;
        Reply reply;

        Slot(long startNanos, ServerStats.CommandCounter counter, ExecMerge merge, int protocolVersion) {
            this.startNanos = startNanos;
            this.counter = counter;
            this.merge = merge;
            this.protocolVersion = protocolVersion;
        }
    }

    /**
     * EXEC of a transaction that mixes session commands (answered when EXEC runs) with keyspace commands
     * (answered by the core as one array): where each session reply goes in the final array.
     */
    public record ExecMerge(int size, int[] sessionPositions, Reply[] sessionReplies) {
        Reply merge(Reply coreReply) {
            List<Reply> coreItems = ((Reply.Array) coreReply).items();
            List<Reply> merged = new ArrayList<>(size);
            int s = 0;
            int c = 0;
            for (int i = 0; i < size; i++) {
                if (s < sessionPositions.length && sessionPositions[s] == i) {
                    merged.add(sessionReplies[s++]);
                } else {
                    merged.add(coreItems.get(c++));
                }
            }
            return new Reply.Array(merged);
        }
    }

    /**
     * @param onDirty called once when the connection first has bytes to write in a cycle, so the agent
     *                can flush every such connection once at the end of the cycle
     */
    public ClientConnection(long id, Channel channel, RespRequestDecoder decoder, ServerStats stats,
            long nowMillis, java.util.function.Consumer<ClientConnection> onDirty) {
        this.id = id;
        this.channel = channel;
        this.decoder = decoder;
        this.stats = stats;
        this.onDirty = onDirty;
        this.createdAtMillis = nowMillis;
    }

    public boolean inMulti() {
        return multiQueue != null;
    }

    /** In subscribed mode: subscribed to at least one channel or pattern. */
    public boolean subscribed() {
        return subscriptions != null && subscriptions.active();
    }

    /** Runs once when the connection goes away (pub/sub leaves its channels). */
    public void onRelease(Runnable action) {
        this.onRelease = action;
    }

    /**
     * Bytes written for this client that it has not taken yet: encoded this cycle, plus what the socket has
     * not accepted (Netty's outbound buffer). Redis's output buffer limits are about this.
     */
    public long pendingOutputBytes() {
        long pending = out == null ? 0 : out.readableBytes();
        var outbound = channel.unsafe().outboundBuffer();
        return outbound == null ? pending : pending + outbound.totalPendingWriteBytes();
    }

    /**
     * Queues an immediate reply behind any reply still awaited. It keeps the protocol version of the
     * moment it was answered, as Redis encodes a reply when the command runs: a pipeline "GET k; HELLO 3"
     * whose GET waits must still get the GET's nil in RESP2.
     */
    public void reply(Reply reply) {
        if (queue.isEmpty()) {
            encode(reply, protocolVersion);
        } else {
            Slot answered = new Slot(0, null, null, protocolVersion);
            answered.reply = reply;
            queue.add(answered);
        }
    }

    /** Takes a place in the reply order for a request the core will answer. */
    public void awaitCore(long startNanos, ServerStats.CommandCounter counter, ExecMerge merge) {
        Slot slot = new Slot(startNanos, counter, merge, protocolVersion);
        queue.add(slot);
        awaitingCore.add(slot);
    }

    /** The core's reply to the oldest request of this connection it has not answered yet. */
    public void deliver(Reply reply, long nowNanos) {
        Slot slot = awaitingCore.poll();
        if (slot == null) {
            return; // the connection was reset; nothing waits for this reply any more
        }
        slot.reply = slot.merge == null ? reply : slot.merge.merge(reply);
        if (slot.counter != null) {
            long micros = (nowNanos - slot.startNanos) / 1000;
            slot.counter.microsTotal += micros;
            stats.commandLatency.record(micros);
            if (reply instanceof Reply.Error) {
                slot.counter.errors++;
            }
        }
        while (!queue.isEmpty() && queue.peek().reply != null) {
            Slot head = queue.poll();
            encode(head.reply, head.protocolVersion);
        }
    }

    public int awaitedReplies() {
        return awaitingCore.size();
    }

    private void encode(Reply reply, int protocolVersion) {
        if (released) {
            return; // the client went away; its late replies have nowhere to go
        }
        int size = RespReplyEncoder.encodedSize(reply, protocolVersion);
        if (out == null) {
            out = channel.alloc().ioBuffer(Math.max(size, 256));
        }
        out.ensureWritable(size);
        int at = out.writerIndex();
        ByteBuffer target = out.internalNioBuffer(at, size);
        RespReplyEncoder.encode(reply, protocolVersion, target);
        out.writerIndex(at + size);
        stats.netOutputBytes += size;
        markDirty();
    }

    private void markDirty() {
        if (!dirty) {
            dirty = true;
            onDirty.accept(this);
        }
    }

    /** Writes what was encoded to the socket; closes the connection if asked once all replies are out. */
    public void flush() {
        dirty = false;
        if (out != null) {
            ByteBuf buf = out;
            out = null;
            channel.writeAndFlush(buf, channel.voidPromise());
        }
        if (closeWhenFlushed && queue.isEmpty()) {
            channel.close();
        }
    }

    /** Closes the connection after the replies already queued (QUIT, a protocol error) are written. */
    public void closeAfterReplies() {
        closeWhenFlushed = true;
        channel.config().setAutoRead(false);
        markDirty();
    }

    public boolean closing() {
        return closeWhenFlushed;
    }

    void release() {
        released = true;
        if (onRelease != null) {
            Runnable action = onRelease;
            onRelease = null;
            action.run();
        }
        if (out != null) {
            out.release();
            out = null;
        }
        queue.clear();
        awaitingCore.clear();
    }
}
