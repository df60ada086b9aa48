package io.tandem.storage.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
    @TempDir
    Path dir;

    private static final SnapshotMeta META = new SnapshotMeta(7, 123_456, 1_700_000_000_000L,
            "nodes=a,b,c".getBytes(StandardCharsets.UTF_8));

    /** 100k records of 0..200 bytes, plus a few larger than a block. */
    private static List<byte[]> records() {
        Random random = new Random(1);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int size = i % 25_000 == 7 ? 200_000 + i : random.nextInt(201);
            byte[] record = new byte[size];
            random.nextBytes(record);
            records.add(record);
        }
        return records;
    }

    @Test
    void roundTripOfAHundredThousandRecords() throws Exception {
        List<byte[]> written = records();
        List<Long> progress = new ArrayList<>();
        Path file = SnapshotWriter.write(dir, META, written.iterator(), progress::add);
        assertEquals("snapshot-00000000000000123456.tsnap", file.getFileName().toString());
        assertFalse(Files.exists(dir.resolve(file.getFileName() + ".tmp")));
        assertEquals(100_000L, progress.get(progress.size() - 1));
        assertTrue(progress.size() > 100, "progress comes per ~64 KiB block: " + progress.size());

        List<byte[]> read = new ArrayList<>();
        SnapshotMeta meta = SnapshotReader.read(file, read::add);
        assertEquals(META, meta);
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            assertArrayEquals(written.get(i), read.get(i), "record " + i);
        }
    }

    @Test
    void emptySnapshotWithEmptyConfiguration() throws Exception {
        SnapshotMeta meta = new SnapshotMeta(0, 0, 5, new byte[0]);
        Path file = SnapshotWriter.write(dir, meta, List.<byte[]>of().iterator(), null);
        assertEquals(meta, SnapshotReader.read(file, r -> {
            throw new AssertionError("no records expected");
        }));
    }

    @Test
    void everyFlippedByteIsRejectedWithFileAndOffset() throws Exception {
        List<byte[]> written = IntStream.range(0, 30_000)
                .mapToObj(i -> ("record-" + i).getBytes(StandardCharsets.UTF_8)).toList();
        Path file = SnapshotWriter.write(dir, META, written.iterator(), null);
        long size = Files.size(file);
        // Header, the middle of the first block, a block boundary region, the trailer.
        long[] offsets = {0, 9, 20, 50, 70, 70_000, size - 30, size - 20, size - 1};
        for (long offset : offsets) {
            flip(file, offset);
            SnapshotCorruptionException e = assertThrows(SnapshotCorruptionException.class,
                    () -> SnapshotReader.verify(file), "flipped byte at " + offset);
            assertEquals(file, e.file());
            assertTrue(e.getMessage().startsWith(file + " at offset " + e.offset() + ": "), e.getMessage());
            assertTrue(e.offset() <= offset, "reported offset " + e.offset() + " is after the damage at " + offset);
            flip(file, offset);
        }
        assertEquals(META, SnapshotReader.verify(file));
    }

    @Test
    void flippedByteInABlockNamesTheBlock() throws Exception {
        // Records 8..24999 hold no oversized one, so the first block is a full ~64 KiB one.
        Path file = SnapshotWriter.write(dir, META, records().subList(8, 25_000).iterator(), null);
        long headerBytes = 44 + META.configuration().length + 4;
        flip(file, headerBytes + 8 + 1000);
        SnapshotCorruptionException e = assertThrows(SnapshotCorruptionException.class,
                () -> SnapshotReader.verify(file));
        assertEquals(file + " at offset " + headerBytes + ": block CRC mismatch", e.getMessage().substring(0,
                e.getMessage().indexOf(" (")));
    }

    @Test
    void truncatedAndExtendedFilesAreRejected() throws Exception {
        Path file = SnapshotWriter.write(dir, META, records().iterator(), null);
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size + 3);
            assertTrue(assertThrows(SnapshotCorruptionException.class, () -> SnapshotReader.verify(file))
                    .getMessage().contains("3 unexpected bytes after the trailer"));
            raf.setLength(size - 24); // the trailer is gone: a file cut at a block boundary
            assertTrue(assertThrows(SnapshotCorruptionException.class, () -> SnapshotReader.verify(file))
                    .getMessage().contains("trailer is missing"));
            raf.setLength(size / 2);
            assertThrows(SnapshotCorruptionException.class, () -> SnapshotReader.verify(file));
        }
    }

    @Test
    void fileNameMustMatchTheHeader() throws Exception {
        Path file = SnapshotWriter.write(dir, META, records().subList(0, 10).iterator(), null);
        Path renamed = dir.resolve("snapshot-00000000000000000001.tsnap");
        Files.move(file, renamed);
        assertTrue(assertThrows(SnapshotCorruptionException.class, () -> SnapshotReader.verify(renamed))
                .getMessage().contains("header says lsn 123456 but the file name says 1"));
    }

    @Test
    void failedWriteLeavesNoFiles() throws Exception {
        Iterator<byte[]> failing = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                if (++n > 50_000) {
                    throw new IllegalStateException("keyspace iterator failed");
                }
                return new byte[10];
            }
        };
        assertThrows(IllegalStateException.class, () -> SnapshotWriter.write(dir, META, failing, null));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    static void flip(Path file, long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }
}
