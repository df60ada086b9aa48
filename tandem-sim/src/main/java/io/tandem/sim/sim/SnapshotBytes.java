package io.tandem.sim.sim;

import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A simulated snapshot's bytes: the keyspace's records (the real snapshot file's records, KeyRecordCodec),
 * each behind a 4-byte length. Encoding and decoding real records is what makes a follower bootstrapped
 * in the simulator prove something: its keys come from the bytes, and the convergence checker compares
 * its digest with the leader's.
 */
final class SnapshotBytes {
    private SnapshotBytes() {}

    static byte[] encode(Keyspace keyspace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        keyspace.forEach(entry -> {
            byte[] record = KeyRecordCodec.encode(entry);
            out.writeBytes(ByteBuffer.allocate(4).putInt(record.length).array());
            out.writeBytes(record);
        });
        return out.toByteArray();
    }

    static void decodeInto(Keyspace keyspace, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
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
