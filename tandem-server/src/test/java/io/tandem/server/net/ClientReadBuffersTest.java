package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * Each read of a client's socket: whether Netty's loop reads the socket again after a read of one request
 * (it does when the request filled the buffer offered, and then finds nothing).
 */
class ClientReadBuffersTest {
    /** {@code SET key:__rand_int__ <100 bytes>} as redis-benchmark sends it: 144 bytes. */
    private static final int SET_REQUEST_BYTES = 144;

    /** Replays {@code reads} reads of {@code bytes} each; counts those after which the loop would read again. */
    private static int readsAgain(RecvByteBufAllocator allocator, int reads, int bytes) {
        // A socket channel sets this from its metadata when the allocator is installed (16 for epoll and NIO).
        ((MaxMessagesRecvByteBufAllocator) allocator).maxMessagesPerRead(16);
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            RecvByteBufAllocator.Handle handle = allocator.newHandle();
            int again = 0;
            for (int i = 0; i < reads; i++) {
                handle.reset(channel.config());
                ByteBuf buffer = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
                try {
                    handle.attemptedBytesRead(buffer.writableBytes());
                    handle.lastBytesRead(Math.min(bytes, buffer.writableBytes()));
                    handle.incMessagesRead(1);
                    if (handle.continueReading()) {
                        again++;
                    }
                    handle.readComplete();
                } finally {
                    buffer.release();
                }
            }
            return again;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void oneRequestPerReadIsReadOnce() {
        assertEquals(0, readsAgain(ClientReadBuffers.allocator(), 10_000, SET_REQUEST_BYTES),
                "a single request never fills the buffer, so the loop never reads the socket a second time");
    }

    @Test
    void nettysDefaultShrinksOntoTheRequestAndReadsAgain() {
        // Why the floor exists: the default adaptive allocator learns the request's size, offers exactly that,
        // and then every read that fills it is followed by one that finds nothing.
        assertTrue(readsAgain(new AdaptiveRecvByteBufAllocator(), 10_000, SET_REQUEST_BYTES) > 1_000);
    }

    @Test
    void pipelinedRequestsStillGrowTheBuffer() {
        RecvByteBufAllocator.Handle handle = ClientReadBuffers.allocator().newHandle();
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            int offered = 0;
            for (int i = 0; i < 100; i++) {
                handle.reset(channel.config());
                offered = handle.guess();
                handle.attemptedBytesRead(offered);
                handle.lastBytesRead(offered); // 16 pipelined SETs fill whatever is offered
                handle.readComplete();
            }
            assertTrue(offered >= 16 * SET_REQUEST_BYTES, "offered " + offered);
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
