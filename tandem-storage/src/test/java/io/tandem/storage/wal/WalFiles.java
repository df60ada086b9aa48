package io.tandem.storage.wal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers that look at and damage WAL files directly. */
final class WalFiles {
    private WalFiles() {}

    /** One record as found on disk. */
    record RecordAt(long offset, long lsn, int bytes, boolean syncMarked) {}

    static Path walDir(Path dataDir) {
        return dataDir.resolve("wal");
    }

    static List<Path> segments(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(walDir(dataDir))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    static Path segment(Path dataDir, long firstLsn) {
        return walDir(dataDir).resolve(String.format("%020d.seg", firstLsn));
    }

    /** The whole records of a (healthy) segment, walking the length fields. */
    static List<RecordAt> records(Path segment) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment)).order(WalRecord.ORDER);
        List<RecordAt> records = new ArrayList<>();
        int at = SegmentHeader.BYTES;
        while (at + 4 <= buf.limit()) {
            int length = buf.getInt(at);
            if (length == 0) {
                break;
            }
            int kind = buf.get(at + WalRecord.KIND_OFFSET) & 0xff;
            records.add(new RecordAt(at, buf.getLong(at + WalRecord.LSN_OFFSET), WalRecord.FRAME_BYTES + length,
                    (kind & WalRecord.SYNC_MARK) != 0));
            at += WalRecord.FRAME_BYTES + length;
        }
        return records;
    }

    static RecordAt record(Path segment, long lsn) throws IOException {
        return records(segment).stream().filter(r -> r.lsn() == lsn).findFirst()
                .orElseThrow(() -> new AssertionError("lsn " + lsn + " not in " + segment));
    }

    /** Offset where records end (the next record would start). */
    static long endOfRecords(Path segment) throws IOException {
        List<RecordAt> records = records(segment);
        if (records.isEmpty()) {
            return SegmentHeader.BYTES;
        }
        RecordAt last = records.get(records.size() - 1);
        return last.offset() + last.bytes();
    }

    /** Recovers, closes the WAL, and returns the report. */
    static RecoveryReport recoverAndClose(Path dataDir, WalOptions options, long afterLsn, EntryConsumer consumer)
            throws IOException {
        Recovered recovered = WalRecovery.open(dataDir, options, afterLsn, consumer);
        recovered.wal().close();
        return recovered.report();
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5a);
        }
    }

    static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    static void cut(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }
}
