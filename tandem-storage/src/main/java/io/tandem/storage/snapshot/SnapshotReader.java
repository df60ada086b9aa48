package io.tandem.storage.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads and verifies a snapshot: header CRC, every block's CRC and record framing, the trailer's counts and
 * CRC, nothing after the trailer, and the LSN in the file name. Any problem throws a
 * {@link SnapshotCorruptionException} naming the file and the byte offset of the damaged structure.
 *
 * <p>Records are handed to the consumer as each block verifies, so a snapshot damaged near its end has
 * already delivered earlier records when the exception comes: load into a fresh keyspace and discard it on
 * failure (or call {@link #verify} first, at the cost of reading the file twice).
 */
public final class SnapshotReader {
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final CRC32C crc = new CRC32C();
    private long position;

    private SnapshotReader(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    /** Reads {@code file}, giving each record to {@code records}, and returns its meta once all verified. */
    public static SnapshotMeta read(Path file, Consumer<byte[]> records) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new SnapshotReader(file, channel).readAll(records);
        }
    }

    /** Reads and verifies only the header of {@code file}. */
    public static SnapshotMeta header(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new SnapshotReader(file, channel).readHeader();
        }
    }

    /** Verifies {@code file} without keeping its records. */
    public static SnapshotMeta verify(Path file) throws IOException {
        return read(file, record -> { });
    }

    private SnapshotMeta readAll(Consumer<byte[]> records) throws IOException {
        SnapshotMeta meta = readHeader();
        long nameLsn = SnapshotFormat.lsnOf(file.getFileName().toString());
        if (nameLsn >= 0 && nameLsn != meta.lsn()) {
            throw corrupt(0, "header says lsn " + meta.lsn() + " but the file name says " + nameLsn);
        }
        long recordCount = 0;
        long blockCount = 0;
        ByteBuffer payload = ByteBuffer.allocate(SnapshotFormat.TARGET_BLOCK_BYTES);
        while (true) {
            long blockStart = position;
            ByteBuffer header = readExactly(SnapshotFormat.BLOCK_HEADER_BYTES, "a block header (the trailer is missing)");
            int length = header.getInt(0);
            int storedCrc = header.getInt(4);
            if (length == SnapshotFormat.TRAILER_MARK) {
                checkTrailer(blockStart, storedCrc, recordCount, blockCount);
                return meta;
            }
            if (length <= 0 || length > SnapshotFormat.MAX_BLOCK_BYTES) {
                throw corrupt(blockStart, "implausible block length " + Integer.toUnsignedString(length));
            }
            if (length > size - position) {
                throw corrupt(blockStart, "block length " + length + " runs past the end of the file ("
                        + (size - position) + " bytes left)");
            }
            if (payload.capacity() < length) {
                payload = ByteBuffer.allocate(length);
            }
            payload.clear().limit(length);
            readFully(payload);
            payload.flip();
            crc.reset();
            crc.update(payload.array(), 0, length);
            if ((int) crc.getValue() != storedCrc) {
                throw corrupt(blockStart, String.format("block CRC mismatch (expected 0x%08x, found 0x%08x)",
                        storedCrc, (int) crc.getValue()));
            }
            recordCount += deliverRecords(payload, blockStart + SnapshotFormat.BLOCK_HEADER_BYTES, records);
            blockCount++;
        }
    }

    private SnapshotMeta readHeader() throws IOException {
        ByteBuffer fixed = readExactly(SnapshotFormat.FIXED_HEADER_BYTES, "the header");
        byte[] magic = new byte[SnapshotFormat.MAGIC.length];
        fixed.get(0, magic);
        if (!Arrays.equals(magic, SnapshotFormat.MAGIC)) {
            throw corrupt(0, "bad magic (expected \"TANDEMSN\"): not a Tandem snapshot");
        }
        int version = fixed.getInt(8);
        int configLength = fixed.getInt(40);
        if (configLength < 0 || configLength > SnapshotMeta.MAX_CONFIGURATION_BYTES) {
            throw corrupt(40, "implausible configuration length " + Integer.toUnsignedString(configLength));
        }
        ByteBuffer rest = readExactly(configLength + 4, "the header's configuration");
        crc.reset();
        crc.update(fixed.array(), 0, SnapshotFormat.FIXED_HEADER_BYTES);
        crc.update(rest.array(), 0, configLength);
        int stored = rest.getInt(configLength);
        if ((int) crc.getValue() != stored) {
            throw corrupt(0, String.format("header CRC mismatch (expected 0x%08x, found 0x%08x)", stored,
                    (int) crc.getValue()));
        }
        // Checked after the CRC: a damaged version field should read as damage, not as a newer format.
        if (version != SnapshotFormat.VERSION) {
            throw corrupt(8, "unsupported snapshot format version " + version + " (this build reads "
                    + SnapshotFormat.VERSION + ")");
        }
        if (fixed.getInt(12) != 0) {
            throw corrupt(12, "reserved header field is not zero");
        }
        long term = fixed.getLong(16);
        long lsn = fixed.getLong(24);
        if (term < 0 || lsn < 0) {
            throw corrupt(16, "negative term " + term + " or lsn " + lsn);
        }
        return new SnapshotMeta(term, lsn, fixed.getLong(32), Arrays.copyOf(rest.array(), configLength));
    }

    /** Splits a verified block into records; {@code base} is the file offset of the block's payload. */
    private long deliverRecords(ByteBuffer payload, long base, Consumer<byte[]> records)
            throws SnapshotCorruptionException {
        long count = 0;
        while (payload.hasRemaining()) {
            int at = payload.position();
            int length = 0;
            int shift = 0;
            while (true) {
                if (!payload.hasRemaining() || shift > 28) {
                    throw corrupt(base + at, "record length varint is cut off or longer than 5 bytes");
                }
                byte b = payload.get();
                length |= (b & 0x7f) << shift;
                if (b >= 0) {
                    break;
                }
                shift += 7;
            }
            if (length < 0 || length > payload.remaining()) {
                throw corrupt(base + at, "record length " + Integer.toUnsignedString(length)
                        + " exceeds the " + payload.remaining() + " bytes left in its block");
            }
            byte[] record = new byte[length];
            payload.get(record);
            records.accept(record);
            count++;
        }
        return count;
    }

    private void checkTrailer(long at, int storedCrc, long recordCount, long blockCount) throws IOException {
        ByteBuffer counts = readExactly(16, "the trailer");
        crc.reset();
        crc.update(counts.array(), 0, 16);
        if ((int) crc.getValue() != storedCrc) {
            throw corrupt(at, String.format("trailer CRC mismatch (expected 0x%08x, found 0x%08x)", storedCrc,
                    (int) crc.getValue()));
        }
        long trailerRecords = counts.getLong(0);
        long trailerBlocks = counts.getLong(8);
        if (trailerRecords != recordCount || trailerBlocks != blockCount) {
            throw corrupt(at, "trailer says " + trailerRecords + " records in " + trailerBlocks + " blocks but the"
                    + " file holds " + recordCount + " records in " + blockCount + " blocks");
        }
        if (position != size) {
            throw corrupt(position, (size - position) + " unexpected bytes after the trailer");
        }
    }

    private ByteBuffer readExactly(int length, String what) throws IOException {
        if (size - position < length) {
            throw corrupt(position, "the file ends inside " + what + " (" + (size - position) + " of " + length
                    + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(SnapshotFormat.ORDER);
        readFully(buffer);
        return buffer;
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw corrupt(position, "unexpected end of file");
            }
            position += n;
        }
    }

    private SnapshotCorruptionException corrupt(long offset, String problem) {
        return new SnapshotCorruptionException(file, offset, problem);
    }
}
