package io.tandem.sim.sim;

import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Membership;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A simulated snapshot's bytes: the membership in force at the snapshot's LSN (its text form behind a
 * 4-byte length, as the real snapshot records the cluster configuration), then the keyspace's records (the
 * real snapshot file's records, KeyRecordCodec), each behind a 4-byte length. Encoding and decoding real
 * records is what makes a follower bootstrapped in the simulator prove something: its keys and its
 * members come from the bytes, and the checkers compare them with the leader's.
 */
final class SnapshotBytes {
    private SnapshotBytes() {}

    static byte[] encode(Membership membership, Keyspace keyspace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] members = membership.encode().getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(members.length).array());
        out.writeBytes(members);
        keyspace.forEach(entry -> {
            byte[] record = KeyRecordCodec.encode(entry);
            out.writeBytes(ByteBuffer.allocate(4).putInt(record.length).array());
            out.writeBytes(record);
        });
        return out.toByteArray();
    }

    /** The membership the snapshot records (in force once the entry at its LSN was applied). */
    static Membership membership(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] members = new byte[in.getInt()];
        in.get(members);
        return Membership.parse(new String(members, StandardCharsets.US_ASCII));
    }

    static void decodeInto(Keyspace keyspace, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(4 + in.getInt(0)); // past the membership
        while (in.hasRemaining()) {
            byte[] record = new byte[in.getInt()];
            in.get(record);
            KeyRecordCodec.decodeInto(keyspace, record);
        }
    }

    /** The whole snapshot as one chunk, as the runtime's sender frames it. */
    static Message.SnapshotChunk chunk(long term, NodeId from, SimDisk.Snapshot snapshot) {
        CRC32C crc = new CRC32C();
        crc.update(snapshot.keys());
        return new Message.SnapshotChunk(term, from, snapshot.lsn(), snapshot.term(), 0, snapshot.keys().length,
                snapshot.keys(), (int) crc.getValue());
    }

    static boolean intact(Message.SnapshotChunk chunk) {
        CRC32C crc = new CRC32C();
        crc.update(chunk.data());
        return (int) crc.getValue() == chunk.crc32c();
    }
}
