package io.tandem.wire.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder says where each shipped entry's payload lies, and only for the entries it decoded last. */
class ShippedPayloadsTest {
    private static final NodeId N1 = NodeId.of("n1");

    @Test
    void eachDecodedEntryPointsAtItsOwnEncodingInTheFrame() {
        PeerFrameDecoder decoder = new PeerFrameDecoder(16 << 20);
        // More entries than the decoder's first arrays hold (64), of different sizes, in two frames back to back.
        List<Entry> first = entries(100, 1_000);
        List<Entry> second = entries(3, 2_000);
        ByteBuffer in = ByteBuffer.allocate(4 << 20);
        PeerFrameEncoder.encode(request(first), in);
        PeerFrameEncoder.encode(request(second), in);
        in.flip();

        Message.AppendRequest decoded = (Message.AppendRequest) decoder.decode(in);
        ShippedPayloads payloads = decoder.payloads();
        for (int i = 0; i < first.size(); i++) {
            Entry entry = decoded.entries().get(i);
            assertEquals(i, payloads.indexOf(entry), "entry " + entry.lsn());
            byte[] shipped = new byte[payloads.length(i)];
            payloads.frame().get(payloads.offset(i), shipped);
            assertArrayEquals(EntryCodec.encodePayload(first.get(i)), shipped, "payload of entry " + entry.lsn());
        }
        // An entry equal to a decoded one but not that object (the original, before encoding) is not one of them.
        assertEquals(-1, payloads.indexOf(first.get(5)));

        Message.AppendRequest next = (Message.AppendRequest) decoder.decode(in);
        assertEquals(-1, decoder.payloads().indexOf(decoded.entries().get(0)), "the previous frame's entries");
        assertEquals(2, decoder.payloads().indexOf(next.entries().get(2)));

        ByteBuffer vote = ByteBuffer.wrap(PeerFrameEncoder.encode(new Message.VoteRequest(7, N1, 99, 6, false, true)));
        decoder.decode(vote);
        assertEquals(-1, decoder.payloads().indexOf(next.entries().get(2)), "nothing after another message");
    }

    private static List<Entry> entries(int count, long firstLsn) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
            entries.add(new Entry(3, firstLsn + i, 1_700_000_000_000L + i,
                    List.of(new Effect.PutString(key, new byte[i * 7 % 300], -1))));
        }
        return entries;
    }

    private static Message request(List<Entry> entries) {
        return new Message.AppendRequest(3, N1, entries.get(0).lsn() - 1, 3, entries, 0, 1_700_000_000_000L, "", "");
    }
}
