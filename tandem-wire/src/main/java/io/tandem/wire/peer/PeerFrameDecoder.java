package io.tandem.wire.peer;

import io.tandem.core.log.CorruptEntryException;
import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames to messages (see {@link PeerFrames}). {@link #decode} takes one message from the front of a
 * buffer, or returns null when the frame is not complete yet; anything malformed is a
 * {@link PeerProtocolException} (the peer connection is then closed).
 */
public final class PeerFrameDecoder {
    private final int maxFrameBytes;
    private final ShippedPayloads payloads = new ShippedPayloads();

    /** @param maxFrameBytes the largest frame accepted (a batch of entries is bounded by the sender) */
    public PeerFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Where the entries of the AppendRequest {@link #decode} returned last lie in its frame (none after any other
     * message); valid until the next call to decode.
     */
    public ShippedPayloads payloads() {
        return payloads;
    }

    public Message decode(ByteBuffer in) {
        payloads.clear();
        if (in.remaining() < PeerFrames.HEADER_BYTES) {
            return null;
        }
        int length = in.getInt(in.position());
        if (length < 2 || length > maxFrameBytes) {
            throw new PeerProtocolException("peer frame length " + length + " outside 2.." + maxFrameBytes);
        }
        if (in.remaining() < PeerFrames.HEADER_BYTES + length) {
            return null;
        }
        in.position(in.position() + PeerFrames.HEADER_BYTES);
        ByteBuffer frame = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            Message message = decodeFrame(frame);
            if (frame.hasRemaining()) {
                throw new PeerProtocolException(frame.remaining() + " bytes after the end of a peer message");
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new PeerProtocolException("peer frame ends inside its message");
        } catch (CorruptEntryException | IllegalArgumentException e) {
            throw new PeerProtocolException("bad peer frame: " + e.getMessage());
        }
    }

    private Message decodeFrame(ByteBuffer frame) {
        int version = frame.get() & 0xff;
        if (version != PeerFrames.VERSION) {
            throw new PeerProtocolException("peer frame version " + version + ", this node speaks "
                    + PeerFrames.VERSION + " (every member must run the same Tandem version)");
        }
        int type = frame.get() & 0xff;
        long term = frame.getLong();
        NodeId from = new NodeId(str(frame));
        return switch (type) {
            case PeerFrames.SUBSCRIBE -> new Message.Subscribe(term, from, frame.getLong(), frame.getLong(), str(frame));
            case PeerFrames.APPEND_REQUEST -> {
                long prevLsn = frame.getLong();
                long prevTerm = frame.getLong();
                long commitLsn = frame.getLong();
                long leaderTime = frame.getLong();
                String announce = str(frame);
                String directory = str(frame);
                List<Entry> entries = entries(frame);
                long readRound = frame.getLong();
                int relayCount = frame.get() & 0xff;
                List<NodeId> relays = new ArrayList<>(relayCount);
                for (int i = 0; i < relayCount; i++) {
                    relays.add(new NodeId(str(frame)));
                }
                yield new Message.AppendRequest(term, from, prevLsn, prevTerm, entries, commitLsn, leaderTime,
                        announce, directory, readRound, relays, flag(frame, "ackOnReceipt"));
            }
            case PeerFrames.APPEND_RESPONSE -> {
                boolean matched = frame.get() != 0;
                long lastLsn = frame.getLong();
                long receivedLsn = frame.getLong();
                long durableLsn = frame.getLong();
                long appliedLsn = frame.getLong();
                int count = frame.getShort() & 0xffff;
                // Each relayed position takes at least 2 + 1 + 24 + 2 + 8 + 2 bytes: refuse a count the frame cannot
                // hold.
                if (count > frame.remaining() / 39) {
                    throw new PeerProtocolException("peer frame claims " + count + " relayed positions in "
                            + frame.remaining() + " bytes");
                }
                List<Message.Relayed> downstream = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    NodeId replica = new NodeId(str(frame));
                    long received = frame.getLong();
                    long durable = frame.getLong();
                    long applied = frame.getLong();
                    String announce = str(frame);
                    long leaderMillis = frame.getLong();
                    String via = str(frame);
                    downstream.add(new Message.Relayed(replica, received, durable, applied, announce, leaderMillis,
                            via.isEmpty() ? null : new NodeId(via)));
                }
                yield new Message.AppendResponse(term, from, matched, lastLsn, receivedLsn, durableLsn, appliedLsn,
                        downstream, frame.getLong(), frame.getLong(), frame.getLong());
            }
            case PeerFrames.SNAPSHOT_CHUNK -> {
                long snapshotLsn = frame.getLong();
                long snapshotTerm = frame.getLong();
                long offset = frame.getLong();
                long totalBytes = frame.getLong();
                int crc = frame.getInt();
                int length = frame.getInt();
                if (length < 0 || length > frame.remaining()) {
                    throw new PeerProtocolException("snapshot chunk claims " + length + " bytes, " + frame.remaining()
                            + " left");
                }
                if (offset < 0 || totalBytes < 0 || offset > totalBytes - length) {
                    throw new PeerProtocolException("snapshot chunk at offset " + offset + " of " + length
                            + " bytes does not fit a " + totalBytes + "-byte snapshot");
                }
                byte[] data = new byte[length];
                frame.get(data);
                yield new Message.SnapshotChunk(term, from, snapshotLsn, snapshotTerm, offset, totalBytes, data, crc);
            }
            case PeerFrames.SNAPSHOT_ACK -> new Message.SnapshotAck(term, from, frame.getLong(), frame.getLong(),
                    frame.get() != 0);
            case PeerFrames.VOTE_REQUEST -> new Message.VoteRequest(term, from, frame.getLong(), frame.getLong(),
                    flag(frame, "preVote"), flag(frame, "transfer"));
            case PeerFrames.TIMEOUT_NOW -> new Message.TimeoutNow(term, from);
            case PeerFrames.VOTE_RESPONSE -> new Message.VoteResponse(term, from, flag(frame, "granted"),
                    flag(frame, "preVote"));
            default -> throw new PeerProtocolException("unknown peer message type " + type);
        };
    }

    /** A vote's flags are 0 or 1: any other byte is damage, not a vote (see PeerFrames). */
    private static boolean flag(ByteBuffer frame, String name) {
        int value = frame.get() & 0xff;
        if (value > 1) {
            throw new PeerProtocolException("peer frame flag " + name + " is " + value + ", not 0 or 1");
        }
        return value == 1;
    }

    private static String str(ByteBuffer frame) {
        int length = frame.getShort() & 0xffff;
        if (length > frame.remaining()) {
            throw new PeerProtocolException("string of " + length + " bytes in " + frame.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        frame.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private List<Entry> entries(ByteBuffer frame) {
        int count = frame.getInt();
        // Each entry takes at least 20 bytes, so a count above remaining / 20 is corrupt: refuse before allocating.
        if (count < 0 || count > frame.remaining() / 20) {
            throw new PeerProtocolException("peer frame claims " + count + " entries in " + frame.remaining() + " bytes");
        }
        List<Entry> entries = new ArrayList<>(count);
        payloads.reset(entries, frame, count);
        for (int i = 0; i < count; i++) {
            long entryTerm = frame.getLong();
            long lsn = frame.getLong();
            int payloadLength = frame.getInt();
            if (payloadLength < 0 || payloadLength > frame.remaining()) {
                throw new PeerProtocolException("entry " + lsn + " claims " + payloadLength + " payload bytes, "
                        + frame.remaining() + " left");
            }
            int at = frame.position();
            entries.add(EntryCodec.decodePayload(entryTerm, lsn, frame, at, payloadLength));
            payloads.note(i, at, payloadLength);
            frame.position(at + payloadLength);
        }
        return entries;
    }
}
