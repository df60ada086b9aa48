package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node stopped cleanly, then the tail of its newest segment damaged the way a crash can leave it: the node
 * must start, cut the log where the damage starts, say so with file and offset, keep every earlier write,
 * and go on appending after the cut (a second restart sees a clean log).
 */
class TornTailRestartTest {
    private static final int WRITES = 200;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    /** A way to damage the tail; returns the offset where recovery must cut. */
    enum Damage {
        /** The file ends halfway through the last record. */
        CUT_INSIDE_LAST_RECORD(true) {
            @Override
            long apply(Path segment, WalSegmentFiles.Record last) throws IOException {
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    ch.truncate(last.offset() + last.bytes() / 2);
                }
                return last.offset();
            }
        },
        /** The last record's final bytes never reached the disk: zeros where they should be. */
        ZEROS_OVER_LAST_RECORD_END(true) {
            @Override
            long apply(Path segment, WalSegmentFiles.Record last) throws IOException {
                int zeroed = Math.max(8, last.bytes() / 3);
                long from = last.end() - zeroed;
                byte[] old = read(segment, from, zeroed);
                boolean changes = false;
                for (byte b : old) {
                    changes |= b != 0;
                }
                assertTrue(changes, "the last " + zeroed + " bytes of the record are already zero; pick others");
                write(segment, from, new byte[zeroed]);
                return last.offset();
            }
        },
        /** Garbage right after the last record (over the preallocated zeros, if any). */
        GARBAGE_AFTER_LAST_RECORD(false) {
            @Override
            long apply(Path segment, WalSegmentFiles.Record last) throws IOException {
                write(segment, last.end(), garbage(100));
                return last.end();
            }
        },
        /** Garbage appended at the physical end of the file, after the preallocated zeros. */
        GARBAGE_AT_FILE_END(false) {
            @Override
            long apply(Path segment, WalSegmentFiles.Record last) throws IOException {
                write(segment, Files.size(segment), garbage(100));
                return last.end();
            }
        };

        /** Whether the last write is lost with the cut. */
        final boolean losesLastRecord;

        Damage(boolean losesLastRecord) {
            this.losesLastRecord = losesLastRecord;
        }

        abstract long apply(Path segment, WalSegmentFiles.Record last) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void tornTailIsCutAndEarlierWritesKept(Damage damage) throws Exception {
        Path data = tmp.resolve("data");
        String[] args = {"--fsync", "always"};
        NodeProcess writer = nodes.start("writer", data, args);
        try (RespConnection conn = new RespConnection(writer.port())) {
            for (int i = 0; i < WRITES; i++) {
                assertTrue(RespConnection.isOk(conn.call("SET", key(i), value(i))), "SET " + i);
            }
        }
        writer.stop();

        Path segment = WalSegmentFiles.newest(data);
        WalSegmentFiles.Record last = WalSegmentFiles.last(segment);
        // One SET is one entry, LSNs start at 1: the last record is the last SET.
        assertEquals(WRITES, last.lsn(), "LSN of the last record in " + segment);
        long sizeBefore = Files.size(segment);
        long cutAt = damage.apply(segment, last);
        System.out.println(damage + ": " + segment.getFileName() + " was " + sizeBefore + " bytes, last record (lsn "
                + last.lsn() + ") at " + last.offset() + ".." + last.end() + "; expecting a cut at " + cutAt);

        NodeProcess recovered = nodes.start("recovered", data, args);
        String expected = "torn tail in wal/" + segment.getFileName() + " at offset " + cutAt;
        String log = recovered.logThroughReady();
        assertTrue(log.contains(expected), "the log must say where it cut (\"" + expected + "\"); it said:\n" + log);
        int kept = damage.losesLastRecord ? WRITES - 1 : WRITES;
        try (RespConnection conn = new RespConnection(recovered.port())) {
            assertPresent(conn, kept, damage.losesLastRecord);
            // The log continues after the cut.
            assertTrue(RespConnection.isOk(conn.call("SET", "after-repair", "yes")));
        }
        recovered.stop();
        WalSegmentFiles.Record appended = WalSegmentFiles.last(segment);
        assertEquals(kept + 1, appended.lsn(), "LSN of the first write after the repair");
        assertEquals(cutAt, appended.offset(), "the first write after the repair goes where the log was cut");

        NodeProcess again = nodes.start("again", data, args);
        String cleanLog = again.logThroughReady();
        assertFalse(cleanLog.contains("torn tail"), "a repaired log must read clean:\n" + cleanLog);
        try (RespConnection conn = new RespConnection(again.port())) {
            assertPresent(conn, kept, damage.losesLastRecord);
            assertEquals("yes", conn.mget(List.of("after-repair")).get(0));
            assertEquals(kept + 1, conn.dbsize());
        }
        again.stop();
    }

    private static void assertPresent(RespConnection conn, int kept, boolean lastLost) throws IOException {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            keys.add(key(i));
        }
        List<String> values = conn.mget(keys);
        for (int i = 0; i < kept; i++) {
            assertEquals(value(i), values.get(i), "write " + i + " before the damage");
        }
        if (lastLost) {
            assertEquals(null, values.get(WRITES - 1), "the torn last record must not be applied");
        }
    }

    private static String key(int i) {
        return "t:" + i;
    }

    private static String value(int i) {
        return "value-" + i + "-" + "x".repeat(i % 50);
    }

    private static byte[] garbage(int n) {
        byte[] bytes = new byte[n];
        new Random(42).nextBytes(bytes);
        bytes[0] = (byte) 0xA5; // never a zero length field that could read as the preallocated end
        return bytes;
    }

    private static byte[] read(Path file, long at, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, at + buf.position()) >= 0) {
                // loop until full
            }
            return buf.array();
        }
    }

    private static void write(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf, at + buf.position());
            }
        }
    }
}
