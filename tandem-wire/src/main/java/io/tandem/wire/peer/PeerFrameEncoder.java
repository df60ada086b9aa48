package io.tandem.wire.peer;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Messages to frames (see {@link PeerFrames}): size first, then encode into exactly that many bytes. The size
 * is computed once per frame: for a batch of entries it walks every effect of every entry, which for a
 * lagging follower's 1 MB batches was a third of the leader's encoding time when it was done three times
 * (to allocate, for the length prefix, to check) plus once more per entry for its length field.
 */
public final class PeerFrameEncoder {
    private PeerFrameEncoder() {}

    public static int encodedSize(Message message) {
        int body = 8 + 2 + message.from().name().getBytes(StandardCharsets.UTF_8).length;
        body += switch (message) {
            case Message.Subscribe s -> 16 + strSize(s.announce());
            case Message.AppendRequest r -> 32 + strSize(r.announce()) + strSize(r.directory()) + entriesSize(r) + 8
                    + relaysSize(r) + 1;
            case Message.AppendResponse r -> 1 + 32 + relayedSize(r) + 24;
            case Message.SnapshotChunk c -> 32 + 4 + 4 + c.data().length;
            case Message.SnapshotAck a -> 16 + 1;
            case Message.VoteRequest v -> 16 + 2;
            case Message.TimeoutNow t -> 0;
            case Message.VoteResponse v -> 1 + 1;
        };
        return PeerFrames.HEADER_BYTES + 2 + body;
    }

    private static int strSize(String text) {
        return 2 + text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte flag(boolean value) {
        return (byte) (value ? 1 : 0);
    }

    private static void putStr(ByteBuffer out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length);
        out.put(bytes);
    }

    private static int relayedSize(Message.AppendResponse response) {
        int size = 2;
        for (Message.Relayed relayed : response.downstream()) {
            size += strSize(relayed.replica().name()) + 24 + strSize(relayed.announce()) + 8 + strSize(via(relayed));
        }
        return size;
    }

    /** A relayed position's relay, "" when it names none. */
    private static String via(Message.Relayed relayed) {
        return relayed.via() == null ? "" : relayed.via().name();
    }

    private static int relaysSize(Message.AppendRequest request) {
        int size = 1;
        for (NodeId relay : request.relays()) {
            size += strSize(relay.name());
        }
        return size;
    }

    private static int entriesSize(Message.AppendRequest request) {
        int size = 4;
        for (Entry entry : request.entries()) {
            size += 8 + 8 + 4 + EntryCodec.payloadSize(entry);
        }
        return size;
    }

    public static byte[] encode(Message message) {
        int size = encodedSize(message);
        ByteBuffer out = ByteBuffer.allocate(size);
        encode(message, size, out);
        return out.array();
    }

    public static void encode(Message message, ByteBuffer out) {
        encode(message, encodedSize(message), out);
    }

    /** Encodes {@code message}, whose {@link #encodedSize} the caller has computed as {@code size}, into out. */
    public static void encode(Message message, int size, ByteBuffer out) {
        int start = out.position();
        out.putInt(size - PeerFrames.HEADER_BYTES);
        out.put((byte) PeerFrames.VERSION);
        out.put((byte) switch (message) {
            case Message.Subscribe s -> PeerFrames.SUBSCRIBE;
            case Message.AppendRequest r -> PeerFrames.APPEND_REQUEST;
            case Message.AppendResponse r -> PeerFrames.APPEND_RESPONSE;
            case Message.SnapshotChunk c -> PeerFrames.SNAPSHOT_CHUNK;
            case Message.SnapshotAck a -> PeerFrames.SNAPSHOT_ACK;
            case Message.VoteRequest v -> PeerFrames.VOTE_REQUEST;
            case Message.TimeoutNow t -> PeerFrames.TIMEOUT_NOW;
            case Message.VoteResponse v -> PeerFrames.VOTE_RESPONSE;
        });
        out.putLong(message.term());
        putStr(out, message.from().name());
        switch (message) {
            case Message.Subscribe s -> {
                out.putLong(s.lastLsn()).putLong(s.lastTerm());
                putStr(out, s.announce());
            }
            case Message.AppendRequest r -> {
                out.putLong(r.prevLsn()).putLong(r.prevTerm()).putLong(r.commitLsn()).putLong(r.leaderTimeMillis());
                putStr(out, r.announce());
                putStr(out, r.directory());
                out.putInt(r.entries().size());
                for (Entry entry : r.entries()) {
                    out.putLong(entry.term()).putLong(entry.lsn());
                    // The payload's length goes before it; written once the payload is, from where it ended.
                    int lengthAt = out.position();
                    out.position(lengthAt + 4);
                    EntryCodec.encodePayload(entry, out);
                    out.putInt(lengthAt, out.position() - lengthAt - 4);
                }
                out.putLong(r.readRound());
                out.put((byte) r.relays().size());
                for (NodeId relay : r.relays()) {
                    putStr(out, relay.name());
                }
                out.put(flag(r.ackOnReceipt()));
            }
            case Message.AppendResponse r -> {
                out.put((byte) (r.matched() ? 1 : 0)).putLong(r.lastLsn()).putLong(r.receivedLsn())
                        .putLong(r.durableLsn()).putLong(r.appliedLsn());
                out.putShort((short) r.downstream().size());
                for (Message.Relayed relayed : r.downstream()) {
                    putStr(out, relayed.replica().name());
                    out.putLong(relayed.receivedLsn()).putLong(relayed.durableLsn()).putLong(relayed.appliedLsn());
                    putStr(out, relayed.announce());
                    out.putLong(relayed.leaderMillis());
                    putStr(out, via(relayed));
                }
                out.putLong(r.snapshotLsn()).putLong(r.readRound()).putLong(r.leaderMillis());
            }
            case Message.SnapshotChunk c -> out.putLong(c.snapshotLsn()).putLong(c.snapshotTerm()).putLong(c.offset())
                    .putLong(c.totalBytes()).putInt(c.crc32c()).putInt(c.data().length).put(c.data());
            case Message.SnapshotAck a -> out.putLong(a.snapshotLsn()).putLong(a.nextOffset())
                    .put((byte) (a.failed() ? 1 : 0));
            case Message.VoteRequest v -> out.putLong(v.lastLsn()).putLong(v.lastTerm()).put(flag(v.preVote()))
                    .put(flag(v.transfer()));
            case Message.TimeoutNow t -> { } // the term and the sender say it all
            case Message.VoteResponse v -> out.put(flag(v.granted())).put(flag(v.preVote()));
        }
        if (out.position() - start != size) {
            throw new IllegalStateException("peer frame size mismatch for " + message.getClass().getSimpleName());
        }
    }
}
