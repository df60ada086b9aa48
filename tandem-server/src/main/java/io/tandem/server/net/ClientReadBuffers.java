package io.tandem.server.net;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * How large a buffer each read of a client's socket offers the kernel.
 *
 * <p>Netty's default (adaptive, between 64 bytes and 64 KiB) learns the size of recent reads and shrinks its buffer to
 * them. Under a steady load of one request per read it settles on a buffer the request fills exactly
 * (a 144-byte {@code SET key value} read into a 144-byte buffer), and a full buffer means "there may be
 * more", so the loop reads again and finds nothing: {@code EAGAIN}. Traced on a leader under
 * {@code redis-benchmark -c 50 -t set}: 1.16 {@code recvfrom} per SET, 0.16 of them empty (one read in seven)
 * (Redis, which reads into 16 KiB, makes 1.00). A floor of 512 bytes keeps a single request from ever
 * filling the buffer, so one read per request is enough; pipelined requests still grow it (up to 64 KiB).
 */
public final class ClientReadBuffers {
    /** The smallest buffer a read offers: larger than a typical single request. */
    static final int MIN_BYTES = 512;
    static final int INITIAL_BYTES = 2048;
    static final int MAX_BYTES = 64 << 10;

    private ClientReadBuffers() {}

    /** The allocator for client channels ({@code ChannelOption.RCVBUF_ALLOCATOR}); shareable. */
    public static RecvByteBufAllocator allocator() {
        return new AdaptiveRecvByteBufAllocator(MIN_BYTES, INITIAL_BYTES, MAX_BYTES);
    }
}
