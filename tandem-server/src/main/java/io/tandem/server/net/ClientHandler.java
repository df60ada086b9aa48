package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tandem.core.model.Reply;
import io.tandem.server.agent.NodeAgent;
import io.tandem.server.agent.NodeClock;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.session.RequestDispatcher;
import io.tandem.wire.resp.RequestLimits;
import io.tandem.wire.resp.RespProtocolException;
import io.tandem.wire.resp.RespRequestDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The pipeline stage of one client channel: admits or refuses the connection, decodes requests as bytes
 * arrive and dispatches each at once, and turns a protocol error into Redis's "-ERR Protocol error: ..."
 * followed by closing this connection (and only this one).
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
    static final String MAX_CLIENTS = "-ERR max number of clients reached\r\n";
    static final String DENIED = "-DENIED Tandem is running in protected mode because protected mode is enabled and"
            + " no password is set. In this mode connections are only accepted from the loopback interface. To"
            + " accept other clients, set a password (requirepass), or turn protected mode off (protected-mode no)"
            + " on a trusted network only.\r\n";

    private final NodeAgent agent;
    private final RequestDispatcher dispatcher;
    private final RuntimeSettings settings;
    private final ServerStats stats;
    private final long connectionId;
    private final int maxRequestArgs;
    private ClientConnection conn;
    private ByteBuf cumulation;

    public ClientHandler(NodeAgent agent, RequestDispatcher dispatcher, long connectionId, int maxRequestArgs) {
        this.agent = agent;
        this.dispatcher = dispatcher;
        this.settings = agent.settings();
        this.stats = agent.stats();
        this.connectionId = connectionId;
        this.maxRequestArgs = maxRequestArgs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.connectionsReceived++;
        if (agent.stopped()) {
            ctx.close();
            return;
        }
        if (agent.clients().size() >= settings.maxClients()) {
            refuse(ctx, MAX_CLIENTS);
            return;
        }
        if (settings.protectedMode() && !settings.passwordRequired() && !isLoopback(ctx)) {
            refuse(ctx, DENIED);
            return;
        }
        RequestLimits defaults = RequestLimits.defaults();
        RequestLimits limits = new RequestLimits(settings.protoMaxBulkLen(), maxRequestArgs,
                defaults.maxInlineBytes(), Math.max(defaults.maxRequestBytes(), settings.protoMaxBulkLen() + 1024L),
                defaults.unauthMaxArgs(), defaults.unauthMaxBulkBytes(), defaults.unauthMaxBufferedBytes());
        RespRequestDecoder decoder = new RespRequestDecoder(limits);
        conn = new ClientConnection(connectionId, ctx.channel(), decoder, stats, NodeClock.millis(),
                agent.markDirty());
        boolean open = !settings.passwordRequired();
        conn.authenticated = open;
        decoder.setAuthenticated(open);
        agent.register(conn);
    }

    private void refuse(ChannelHandlerContext ctx, String error) {
        stats.connectionsRejected++;
        ctx.writeAndFlush(Unpooled.copiedBuffer(error, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static boolean isLoopback(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress inet
                && inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (conn == null || conn.closing()) {
            in.release();
            return;
        }
        stats.netInputBytes += in.readableBytes();
        agent.readClock();
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        // The buffer's own cached NIO view (no new ByteBuffer per read); only this method moves its position,
        // and it is done with it before the buffer is touched again.
        ByteBuffer bytes = cumulation.nioBufferCount() == 1
                ? cumulation.internalNioBuffer(cumulation.readerIndex(), cumulation.readableBytes())
                : cumulation.nioBuffer(cumulation.readerIndex(), cumulation.readableBytes());
        int start = bytes.position();
        try {
            while (!conn.closing()) {
                byte[][] args = conn.decoder.decode(bytes);
                if (args == null) {
                    break;
                }
                dispatcher.dispatch(conn, args);
            }
        } catch (RespProtocolException e) {
            stats.protocolErrors++;
            conn.reply(Reply.error("ERR " + e.getMessage()));
            conn.closeAfterReplies();
        }
        cumulation.skipBytes(bytes.position() - start);
        if (!cumulation.isReadable() || conn.closing()) {
            cumulation.release();
            cumulation = null;
        } else {
            // Only an incomplete header line stays here (the decoder keeps partial bulks itself).
            cumulation.discardSomeReadBytes();
        }
        agent.scheduleCycleEnd();
    }

    /**
     * The client half-closed its side ("printf 'PING\r\n' | nc -N" does): it sends nothing more but still
     * waits for its replies, as Redis answers them. Finish what it sent, then close.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent && conn != null && !conn.closing()) {
            conn.closeAfterReplies();
            agent.scheduleCycleEnd();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its replies stops being read from, so its replies stop growing.
        if (conn != null && !conn.closing()) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable() && !agent.readingPaused());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (conn != null) {
            agent.unregister(conn);
            conn.release();
        }
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: this client goes, nothing else is affected.
        ctx.close();
    }
}
