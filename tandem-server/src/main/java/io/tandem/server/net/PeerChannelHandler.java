package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tandem.core.model.Message;
import io.tandem.wire.peer.PeerFrameDecoder;
import io.tandem.wire.peer.PeerProtocolException;
import io.tandem.wire.peer.ShippedPayloads;
import java.nio.ByteBuffer;

/**
 * Decodes peer frames from one connection (either direction) and hands each message to the agent. A
 * malformed frame closes this connection only; the protocol tolerates the lost messages (the sender
 * resends on its next heartbeat).
 */
final class PeerChannelHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(PeerChannelHandler.class.getName());

    /** Largest frame accepted: a batch is bounded by the sender's max-batch-bytes, far below this. */
    static final int MAX_FRAME_BYTES = 64 << 20;

    private final PeerFrameDecoder decoder = new PeerFrameDecoder(MAX_FRAME_BYTES);
    private final Delivery deliver;
    private final Runnable readComplete;
    private ByteBuf cumulation;

    /** Gets each message, where its entries' payloads lie (valid during the call), and its channel. */
    @FunctionalInterface
    interface Delivery {
        void accept(Message message, ShippedPayloads payloads, io.netty.channel.Channel channel);
    }

    /**
     * @param deliver gets each message with the channel it came on
     * @param readComplete runs once the messages of one read burst on this connection were delivered
     */
    PeerChannelHandler(Delivery deliver, Runnable readComplete) {
        this.deliver = deliver;
        this.readComplete = readComplete;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete.run();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        ByteBuffer bytes = cumulation.nioBuffer(cumulation.readerIndex(), cumulation.readableBytes());
        int start = bytes.position();
        try {
            Message message;
            while ((message = decoder.decode(bytes)) != null) {
                deliver.accept(message, decoder.payloads(), ctx.channel());
            }
        } catch (PeerProtocolException e) {
            LOG.log(System.Logger.Level.WARNING, "closing peer connection " + ctx.channel().remoteAddress() + ": "
                    + e.getMessage());
            release();
            ctx.close();
            return;
        }
        cumulation.skipBytes(bytes.position() - start);
        if (!cumulation.isReadable()) {
            release();
        } else {
            cumulation.discardSomeReadBytes();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A peer going away (reset, broken pipe) is routine; anything else thrown while its messages were
        // handled is a bug that would otherwise only show as a replica that stopped making progress.
        System.Logger.Level level = cause instanceof java.io.IOException ? System.Logger.Level.DEBUG
                : System.Logger.Level.WARNING;
        LOG.log(level, "closing peer connection " + ctx.channel().remoteAddress() + ": " + cause, cause);
        ctx.close();
    }

    private void release() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }
}
