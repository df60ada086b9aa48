package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.wire.peer.PeerFrameDecoder;
import io.tandem.wire.peer.PeerFrameEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Frames encoded into the allocators' direct buffers hold exactly the bytes of the byte-array encoding, and
 * decode to the message, including a lagging follower's megabyte batch, in buffers that do not start at the
 * beginning of their memory (the encoder back-patches each entry's length at an index it read from the view).
 */
class PeerFrameBuffersTest {
    private static final NodeId N1 = NodeId.of("n1");

    @Test
    void framesInDirectBuffersAreTheEncodersBytes() {
        List<ByteBufAllocator> allocators = List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT);
        List<Message> messages = List.of(batch(1), batch(7_000), new Message.VoteRequest(7, N1, 99, 6, false, true),
                new Message.AppendResponse(3, NodeId.of("n2"), true, 10, 10, 9, 8));
        for (ByteBufAllocator allocator : allocators) {
            // Taken first, so that the frames below sit past the start of the allocators' chunks.
            List<ByteBuf> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                others.add(allocator.directBuffer(1000 + i * 37));
            }
            for (Message message : messages) {
                ByteBuf frame = PeerFrameBuffers.frame(allocator, message);
                try {
                    assertTrue(frame.isDirect(), allocator + ": a direct buffer");
                    byte[] expected = PeerFrameEncoder.encode(message);
                    assertArrayEquals(expected, ByteBufUtil.getBytes(frame), allocator + ": " + message.getClass());
                    Message decoded = new PeerFrameDecoder(16 << 20).decode(frame.nioBuffer());
                    assertEquals(message.getClass(), decoded.getClass());
                    assertArrayEquals(expected, PeerFrameEncoder.encode(decoded), "decodes to the same message");
                } finally {
                    frame.release();
                }
            }
            others.forEach(ByteBuf::release);
        }
    }

    /** An append request of {@code count} SETs of 100-byte values: 7,000 are about a megabyte. */
    private static Message batch(int count) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
            entries.add(new Entry(3, 42 + i, 1_700_000_000_000L + i,
                    List.of(new Effect.PutString(key, new byte[100], i % 3 == 0 ? -1 : 5_000 + i))));
        }
        return new Message.AppendRequest(3, N1, 41, 2, entries, 41, 1_700_000_000_003L, "127.0.0.1:7379", "");
    }
}
