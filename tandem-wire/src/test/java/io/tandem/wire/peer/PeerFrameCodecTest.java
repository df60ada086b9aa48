package io.tandem.wire.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeerFrameCodecTest {
    static final NodeId N1 = NodeId.of("n1");

    static final List<Message> SAMPLES = List.of(
            new Message.Subscribe(3, N1, 42, 2, "127.0.0.1:7380"),
            new Message.AppendResponse(3, NodeId.of("replica-7"), true, 10, 10, 9, 8),
            new Message.AppendResponse(4, N1, false, 0, 0, 0, 0),
            new Message.AppendResponse(5, N1, false, 191, 0, 0, 0, List.of(), 190, 17, 1_700_000_000_123L),
            new Message.TimeoutNow(6, N1),
            new Message.VoteRequest(7, N1, 99, 6, false, true),
            new Message.AppendRequest(5, N1, 41, 2, List.of(), 40, 1_700_000_000_000L, "", "", 17),
            new Message.AppendRequest(5, NodeId.of("n3"), 41, 2, List.of(), 40, 1_700_000_000_000L, "", "", 0,
                    List.of(NodeId.of("n2"), NodeId.of("n3")), true),
            new Message.AppendResponse(4, NodeId.of("n2"), true, 9, 9, 9, 8, List.of(
                    new Message.Relayed(NodeId.of("n3"), 7, 6, 5, "127.0.0.1:7381", 1_700_000_000_456L),
                    new Message.Relayed(NodeId.of("n4"), 9, 9, 9, ""),
                    new Message.Relayed(NodeId.of("n5"), 9, 8, 7, "", 1_700_000_000_789L, NodeId.of("n4")))),
            new Message.AppendRequest(3, N1, 41, 2, List.of(), 40, 1_700_000_000_000L, "127.0.0.1:7379",
                    "n1=127.0.0.1:7379,n2=127.0.0.1:7380"),
            new Message.AppendRequest(3, N1, 41, 2, List.of(
                    new Entry(3, 42, 1_700_000_000_001L, List.of(new Effect.PutString(b("k"), b("v"), -1))),
                    new Entry(3, 43, 1_700_000_000_002L, List.of(new Effect.SetAdd(b("s"), new byte[][] {b("a")}),
                            new Effect.DeleteKey(b("x"))))), 41, 1_700_000_000_003L, "", ""),
            new Message.SnapshotChunk(3, N1, 1_000_000, 2, 4096, 10_000, new byte[] {1, 2, 3, (byte) 0xff}, 0x1234abcd),
            new Message.SnapshotAck(3, NodeId.of("n2"), 1_000_000, 8192, false),
            new Message.SnapshotAck(3, NodeId.of("n2"), 1_000_000, 0, true),
            new Message.VoteRequest(7, NodeId.of("n3"), 1_234_567, 6, true),
            new Message.VoteRequest(Long.MAX_VALUE, NodeId.of("n3"), 0, 0, false),
            new Message.VoteResponse(7, NodeId.of("n1"), true, true),
            new Message.VoteResponse(8, NodeId.of("n2"), false, false));

    @Test
    void everyMessageRoundTripsWhateverHowTheBytesArrive() {
        for (Message message : SAMPLES) {
            byte[] frame = PeerFrameEncoder.encode(message);
            assertEquals(PeerFrameEncoder.encodedSize(message), frame.length);
            PeerFrameDecoder decoder = new PeerFrameDecoder(1 << 20);
            for (int split = 0; split < frame.length; split++) {
                ByteBuffer partial = ByteBuffer.wrap(frame, 0, split);
                assertNull(decoder.decode(partial), "a frame cut at " + split + " is not complete");
                assertEquals(0, partial.position(), "nothing is consumed from an incomplete frame");
            }
            Message decoded = decoder.decode(ByteBuffer.wrap(frame));
            assertEquals(show(message), show(decoded));
        }
    }

    /** Every sample's frame, back to back, in a heap or a direct buffer ready to read. */
    private static ByteBuffer allSamples(boolean direct) {
        int size = SAMPLES.stream().mapToInt(PeerFrameEncoder::encodedSize).sum();
        ByteBuffer all = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        SAMPLES.forEach(m -> PeerFrameEncoder.encode(m, all));
        return all.flip();
    }

    @Test
    void severalFramesInOneBufferComeOutInOrder() {
        ByteBuffer all = allSamples(false);
        PeerFrameDecoder decoder = new PeerFrameDecoder(1 << 20);
        for (Message expected : SAMPLES) {
            assertEquals(show(expected), show(decoder.decode(all)));
        }
        assertNull(decoder.decode(all));
    }

    @Test
    void framesFromADirectBufferDecodeAlikeAndKeepNothingOfIt() {
        // The runtime decodes from Netty's direct cumulation buffer, which it releases or reuses once the frames
        // are taken: a decoded message must own its keys and values, not point into that buffer.
        ByteBuffer all = allSamples(true);
        PeerFrameDecoder decoder = new PeerFrameDecoder(1 << 20);
        List<Message> decoded = new java.util.ArrayList<>();
        Message message;
        while ((message = decoder.decode(all)) != null) {
            decoded.add(message);
        }
        for (int i = 0; i < all.limit(); i++) {
            all.put(i, (byte) 0x5a); // the buffer reused for the next read
        }
        assertEquals(SAMPLES.stream().map(PeerFrameCodecTest::show).toList(),
                decoded.stream().map(PeerFrameCodecTest::show).toList());
    }

    @Test
    void aFrameOfAnotherVersionOrTooLargeIsRefusedByName() {
        byte[] frame = PeerFrameEncoder.encode(SAMPLES.get(0));
        frame[4] = 9;
        PeerProtocolException version = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(frame)));
        assertEquals("peer frame version 9, this node speaks 7 (every member must run the same Tandem version)",
                version.getMessage());
        byte[] big = SAMPLES.stream().map(PeerFrameEncoder::encode).max(java.util.Comparator.comparingInt(b -> b.length))
                .orElseThrow();
        PeerProtocolException size = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(64).decode(ByteBuffer.wrap(big)));
        assertTrue(size.getMessage().startsWith("peer frame length"), size.getMessage());
    }

    @Test
    void mutatedFramesFailOnlyWithPeerProtocolException() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = PeerFrameEncoder.encode(SAMPLES.get(random.nextInt(SAMPLES.size())));
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }
            try {
                new PeerFrameDecoder(1 << 16).decode(ByteBuffer.wrap(frame));
            } catch (PeerProtocolException expected) {
                // refused: fine
            }
        }
    }

    private static String show(Message message) {
        if (message instanceof Message.AppendRequest r) {
            StringBuilder sb = new StringBuilder("append " + r.term() + " " + r.from() + " " + r.prevLsn() + " "
                    + r.prevTerm() + " " + r.commitLsn() + " " + r.leaderTimeMillis() + " " + r.announce() + " " + r.directory()
                    + " round " + r.readRound() + " relays " + r.relays());
            for (Entry e : r.entries()) {
                sb.append(" [").append(e.term()).append('/').append(e.lsn()).append('@').append(e.timeMillis())
                        .append(' ').append(java.util.HexFormat.of().formatHex(EntryCodec.encodePayload(e))).append(']');
            }
            return sb.toString();
        }
        if (message instanceof Message.SnapshotChunk c) {
            return "chunk " + c.term() + " " + c.from() + " " + c.snapshotLsn() + " " + c.snapshotTerm() + " "
                    + c.offset() + "/" + c.totalBytes() + " crc " + c.crc32c() + " "
                    + java.util.HexFormat.of().formatHex(c.data());
        }
        return message.toString();
    }

    @Test
    void aSnapshotChunkThatDoesNotFitItsSnapshotIsRefused() {
        byte[] frame = PeerFrameEncoder.encode(new Message.SnapshotChunk(3, N1, 10, 2, 9_998, 10_000,
                new byte[] {1, 2, 3}, 0));
        PeerProtocolException e = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(frame)));
        assertEquals("snapshot chunk at offset 9998 of 3 bytes does not fit a 10000-byte snapshot", e.getMessage());
    }

    @Test
    void aVersionTwoNodeIsToldWhichVersionItMeets() {
        // A member not yet upgraded sends version 2 (no votes): it is refused by name, never misread.
        byte[] frame = PeerFrameEncoder.encode(SAMPLES.get(0));
        frame[4] = 2;
        PeerProtocolException e = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(frame)));
        assertTrue(e.getMessage().startsWith("peer frame version 2, this node speaks 7"), e.getMessage());
    }

    @Test
    void aVoteFlagOtherThanZeroOrOneIsRefused() {
        // The last byte of a VoteResponse is preVote, the one before it granted.
        byte[] response = PeerFrameEncoder.encode(new Message.VoteResponse(7, N1, false, false));
        response[response.length - 2] = 2;
        PeerProtocolException granted = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(response)));
        assertEquals("peer frame flag granted is 2, not 0 or 1", granted.getMessage());
        // A VoteRequest ends with preVote, then transfer.
        byte[] request = PeerFrameEncoder.encode(new Message.VoteRequest(7, N1, 10, 6, true));
        request[request.length - 2] = (byte) 0xff;
        PeerProtocolException preVote = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(request)));
        assertEquals("peer frame flag preVote is 255, not 0 or 1", preVote.getMessage());
    }

    @Test
    void anAppendRequestsAckOnReceiptFlagOtherThanZeroOrOneIsRefused() {
        // Its last byte: a stray value must not make a follower answer before its entries are durable.
        byte[] request = PeerFrameEncoder.encode(new Message.AppendRequest(5, N1, 41, 2, List.of(), 40,
                1_700_000_000_000L, "", "", 0, List.of(), true));
        assertEquals(1, request[request.length - 1]);
        request[request.length - 1] = 3;
        PeerProtocolException e = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(request)));
        assertEquals("peer frame flag ackOnReceipt is 3, not 0 or 1", e.getMessage());
    }

    @Test
    void aVoteFrameCutShortOrWithTrailingBytesIsRefused() {
        byte[] frame = PeerFrameEncoder.encode(new Message.VoteRequest(7, N1, 10, 6, false));
        // Claim one byte less than the body: the message ends inside its last field.
        byte[] shortened = java.util.Arrays.copyOf(frame, frame.length - 1);
        ByteBuffer.wrap(shortened).putInt(0, frame.length - 1 - PeerFrames.HEADER_BYTES);
        PeerProtocolException cut = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(shortened)));
        assertEquals("peer frame ends inside its message", cut.getMessage());
        byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 3);
        ByteBuffer.wrap(longer).putInt(0, frame.length + 3 - PeerFrames.HEADER_BYTES);
        PeerProtocolException trailing = assertThrows(PeerProtocolException.class,
                () -> new PeerFrameDecoder(1 << 20).decode(ByteBuffer.wrap(longer)));
        assertEquals("3 bytes after the end of a peer message", trailing.getMessage());
    }

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
