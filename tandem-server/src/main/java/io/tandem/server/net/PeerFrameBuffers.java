package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tandem.core.model.Message;
import io.tandem.wire.peer.PeerFrameEncoder;

/**
 * Peer frames encoded straight into the channel allocator's direct buffers. Why not a byte array wrapped for
 * Netty: the epoll transport copies a heap buffer into a direct one before it writes it, so each frame was
 * allocated twice and copied once more; and a lagging follower's batches are about a megabyte, each such array
 * a humongous allocation in G1 (a region of its own, zeroed and faulted in). Pooled direct memory is reused.
 */
final class PeerFrameBuffers {
    private PeerFrameBuffers() {}

    /** The frame of {@code message} in a new buffer of {@code allocator}'s; the caller owns (releases) it. */
    static ByteBuf frame(ByteBufAllocator allocator, Message message) {
        int size = PeerFrameEncoder.encodedSize(message);
        ByteBuf frame = allocator.directBuffer(size, size);
        try {
            if (frame.nioBufferCount() == 1) {
                // A view sharing the buffer's memory (a direct buffer of one region, as the pooled allocators
                // give). The encoder takes its indices from the view's position, wherever the view starts.
                PeerFrameEncoder.encode(message, size, frame.nioBuffer(0, size));
                frame.writerIndex(size);
            } else {
                frame.writeBytes(PeerFrameEncoder.encode(message)); // no single view to fill
            }
            return frame;
        } catch (RuntimeException | Error e) {
            frame.release();
            throw e;
        }
    }
}
