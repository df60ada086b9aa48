package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage that cannot be a torn write (a synced record or a snapshot changed afterwards) must stop the node:
 * non-zero exit, an error naming the file and the byte offset, and the files left as they were for a
 * human to look at.
 */
class CorruptionRefusesStartTest {
    private static final int WRITES = 300;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    /** Record 10 of the only segment; 290 later records were each written after a completed fdatasync. */
    @Test
    void flippedByteInAnEarlyRecordRefusesStart() throws Exception {
        Path data = tmp.resolve("data");
        writeAndStop(data, WRITES, 40, "--fsync", "always");
        Path segment = WalSegmentFiles.newest(data);
        List<WalSegmentFiles.Record> records = WalSegmentFiles.records(segment);
        assertEquals(WRITES, records.size(), "records in " + segment);
        flipAndExpectRefusal(data, segment, records, 10);
    }

    /** The last record of the first of several segments: the proof that it was synced is in the next file. */
    @Test
    void flippedByteAtTheEndOfAnEarlierSegmentRefusesStart() throws Exception {
        Path data = tmp.resolve("data");
        writeAndStop(data, 2500, 1000, "--fsync", "always", "--wal-segment-bytes", "1mb");
        List<Path> segments = WalSegmentFiles.segments(data);
        assertTrue(segments.size() >= 2, "expected the writes to fill several 1 MiB segments: " + segments);
        Path first = segments.get(0);
        List<WalSegmentFiles.Record> records = WalSegmentFiles.records(first);
        flipAndExpectRefusal(data, first, records, records.size() - 1);
    }

    @Test
    void flippedByteInASnapshotRefusesStart() throws Exception {
        Path data = tmp.resolve("data");
        NodeProcess node = nodes.start("writer", data, "--fsync", "batch");
        try (RespConnection conn = new RespConnection(node.port())) {
            for (int i = 0; i < 3000; i++) {
                assertTrue(RespConnection.isOk(conn.call("SET", "s:" + i, "v".repeat(200) + i)));
            }
            assertEquals("+Background saving started", conn.call("BGSAVE").toString());
            awaitSnapshot(conn);
        }
        node.stop();

        Path snapshot;
        try (Stream<Path> files = Files.list(data.resolve("snapshots"))) {
            List<Path> snapshots = files.filter(p -> p.getFileName().toString().endsWith(".tsnap")).toList();
            assertEquals(1, snapshots.size(), "snapshots: " + snapshots);
            snapshot = snapshots.get(0);
        }
        long[] block = blockAround(snapshot, Files.size(snapshot) / 2);
        long blockStart = block[0];
        long flipAt = block[1] + block[2] / 2; // the middle of that block's payload
        flip(snapshot, flipAt);
        byte[] damaged = Files.readAllBytes(snapshot);

        NodeProcess refused = nodes.launch("refused", data, "--fsync", "batch");
        int exit = refused.awaitExit(Duration.ofSeconds(60));
        String err = refused.stderr();
        System.out.println("snapshot byte " + flipAt + " flipped (block at " + blockStart + "): exit " + exit
                + ", said: " + lastLines(err));
        assertNotEquals(0, exit, "a node with a damaged snapshot must not start:\n" + err);
        assertFalse(refused.transcript().contains("tandem node listening"), "it must not have served");
        assertTrue(err.contains(snapshot.getFileName().toString()), "the error must name the snapshot file:\n" + err);
        assertTrue(err.contains("at offset " + blockStart), "the error must name the damaged block's offset "
                + blockStart + ":\n" + err);
        assertArrayEquals(damaged, Files.readAllBytes(snapshot), "a refused start must leave the snapshot as it was");
    }

    /** Writes {@code count} keys in pipelines of up to 100 (one record each), then stops the node. */
    private void writeAndStop(Path data, int count, int valueBytes, String... args) throws Exception {
        NodeProcess node = nodes.start("writer", data, args);
        try (RespConnection conn = new RespConnection(node.port())) {
            for (int from = 0; from < count; from += 100) {
                List<String[]> batch = new ArrayList<>();
                for (int i = from; i < Math.min(count, from + 100); i++) {
                    batch.add(new String[] {"SET", "w:" + i, "value-" + i + "-" + "y".repeat(valueBytes)});
                }
                for (var reply : conn.pipeline(batch)) {
                    assertTrue(RespConnection.isOk(reply), "SET replied " + reply);
                }
            }
        }
        node.stop();
    }

    private void flipAndExpectRefusal(Path data, Path segment, List<WalSegmentFiles.Record> records, int index)
            throws Exception {
        WalSegmentFiles.Record victim = records.get(index);
        // The evidence recovery needs: a later record carrying SYNC_MARK (kind bit 0x80).
        List<WalSegmentFiles.Record> all = allRecords(data);
        assertTrue(all.stream().anyMatch(r -> r.lsn() > victim.lsn() && (r.kind() & 0x80) != 0),
                "no sync-marked record after lsn " + victim.lsn());
        long flipAt = victim.payloadOffset() + victim.payloadBytes() / 2;
        flip(segment, flipAt);
        byte[] damaged = Files.readAllBytes(segment);

        NodeProcess refused = nodes.launch("refused", data, "--fsync", "always");
        int exit = refused.awaitExit(Duration.ofSeconds(60));
        String err = refused.stderr();
        System.out.println("wal byte " + flipAt + " of " + segment.getFileName() + " flipped (record lsn "
                + victim.lsn() + " at " + victim.offset() + "): exit " + exit + ", said: " + lastLines(err));
        assertNotEquals(0, exit, "a node with a corrupt log must not start:\n" + err);
        String where = "wal/" + segment.getFileName() + " at offset " + victim.offset();
        assertTrue(err.contains(where), "the error must name file and offset (\"" + where + "\"):\n" + err);
        assertFalse(refused.transcript().contains("tandem node listening"), "it must not have served");
        assertArrayEquals(damaged, Files.readAllBytes(segment), "a refused start must not repair or cut the log");
    }

    private static List<WalSegmentFiles.Record> allRecords(Path data) throws IOException {
        return WalSegmentFiles.segments(data).stream().flatMap(p -> {
            try {
                return WalSegmentFiles.records(p).stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static void awaitSnapshot(RespConnection conn) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"1".equals(conn.info("persistence", "snapshots_taken"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no snapshot within 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Walks the snapshot's blocks (layout in SnapshotFormat: a header of 44 bytes + configuration + CRC, then
     * blocks {@code [length u32][crc u32][payload]}, then a trailer whose length field is all ones) and
     * returns {block start, payload start, payload length} of the block holding {@code offset}.
     */
    private static long[] blockAround(Path snapshot, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(snapshot)).order(ByteOrder.LITTLE_ENDIAN);
        int at = 44 + buf.getInt(40) + 4;
        while (true) {
            int length = buf.getInt(at);
            if (length == 0xFFFFFFFF) {
                throw new AssertionError("offset " + offset + " is not inside a block of " + snapshot);
            }
            if (offset < at + 8L + length) {
                return new long[] {at, at + 8L, length};
            }
            at += 8 + length;
        }
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0xFF)).rewind();
            ch.write(one, at);
        }
    }

    private static String lastLines(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
