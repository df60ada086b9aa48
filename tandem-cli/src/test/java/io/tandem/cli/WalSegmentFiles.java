package io.tandem.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads segment files the way the storage format documents them (WalRecord, SegmentHeader), independently of
 * the storage code, so that tests can damage a chosen record. A segment is a 32-byte header, then records
 * {@code [length u32][crc32c u32][term u64][lsn u64][kind u8][payload]} (little-endian), where length counts
 * the bytes after the crc field and the crc covers them; then possibly preallocated zeros.
 */
final class WalSegmentFiles {
    static final int SEGMENT_HEADER_BYTES = 32;
    static final int RECORD_HEADER_BYTES = 25;
    private static final int FRAME_BYTES = 8;
    private static final int MIN_LENGTH = RECORD_HEADER_BYTES - FRAME_BYTES;

    private WalSegmentFiles() {}

    /** One whole, CRC-valid record: where it starts, its size on disk, and its LSN. */
    record Record(long offset, int bytes, long lsn, int kind) {
        long end() {
            return offset + bytes;
        }

        long payloadOffset() {
            return offset + RECORD_HEADER_BYTES;
        }

        int payloadBytes() {
            return bytes - RECORD_HEADER_BYTES;
        }
    }

    /** The segment files under dataDir/wal, oldest first (names are zero-padded first LSNs). */
    static List<Path> segments(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("wal"))) {
            return files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.seg")).sorted().toList();
        }
    }

    static Path newest(Path dataDir) throws IOException {
        List<Path> all = segments(dataDir);
        if (all.isEmpty()) {
            throw new AssertionError("no WAL segment under " + dataDir.resolve("wal"));
        }
        return all.get(all.size() - 1);
    }

    /** The records of a segment up to the first zero length (preallocated tail), bad record or file end. */
    static List<Record> records(Path segment) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
        List<Record> records = new ArrayList<>();
        CRC32C crc = new CRC32C();
        int at = SEGMENT_HEADER_BYTES;
        while (buf.limit() - at >= RECORD_HEADER_BYTES) {
            int length = buf.getInt(at);
            if (length < MIN_LENGTH || length > buf.limit() - at - FRAME_BYTES) {
                break;
            }
            crc.reset();
            crc.update(buf.slice(at + FRAME_BYTES, length));
            if ((int) crc.getValue() != buf.getInt(at + 4)) {
                break;
            }
            records.add(new Record(at, FRAME_BYTES + length, buf.getLong(at + 16), buf.get(at + 24) & 0xff));
            at += FRAME_BYTES + length;
        }
        return records;
    }

    static Record last(Path segment) throws IOException {
        List<Record> records = records(segment);
        if (records.isEmpty()) {
            throw new AssertionError("no record in " + segment);
        }
        return records.get(records.size() - 1);
    }
}
