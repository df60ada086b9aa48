package io.tandem.storage.wal;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Reads records of a segment file one after another with positional reads ({@code pread}) into a heap
 * buffer, refilling it in chunks, and checks each one's frame, CRC32C and kind. Unlike {@link SegmentCursor},
 * which recovery runs over a whole mapped file, this one touches only the bytes it needs, and a file being
 * appended to or truncated meanwhile cannot fault it: a short read is just a short read.
 *
 * <p>Used by one read call at a time, across the segments the call visits, and kept by its reader for the
 * next call (see WalReader); never by two threads at once.
 */
final class SegmentScanner {
    private final CRC32C crc = new CRC32C();
    private final LongAdder bytesRead;
    private ByteBuffer buffer;
    /**
     * How many bytes one read asks for (at most the buffer's capacity): the chunk of the current call, which
     * may be smaller than the buffer a previous call grew.
     */
    private int chunkBytes;
    /** File offset of buffer position 0; the buffer holds file bytes [bufferStart, bufferStart + limit). */
    private long bufferStart;
    private FileChannel channel;

    private long offset;
    private int recordBytes;
    private long term;
    private long lsn;

    SegmentScanner(int chunkBytes, LongAdder bytesRead) {
        this.buffer = ByteBuffer.allocate(chunkBytes).order(WalRecord.ORDER).limit(0);
        this.chunkBytes = chunkBytes;
        this.bytesRead = bytesRead;
    }

    /** Sets the bytes each read asks for from now on; at most {@link #capacity()}. */
    void chunkBytes(int bytes) {
        if (bytes > buffer.capacity()) {
            throw new IllegalArgumentException("chunk of " + bytes + " bytes in a " + buffer.capacity() + "-byte buffer");
        }
        chunkBytes = bytes;
    }

    /** Starts reading {@code channel} at {@code startOffset}, which must be where a record starts. */
    void open(FileChannel channel, long startOffset) {
        this.channel = channel;
        this.offset = startOffset;
        this.bufferStart = 0;
        this.buffer.limit(0);
    }

    /**
     * Reads the length field of the record at {@link #offset()}, so that {@link #recordBytes()} says how
     * large it is before it is read whole. Returns null if the length is plausible, or what is wrong.
     */
    String loadLength() throws IOException {
        if (!ensure(WalRecord.FRAME_BYTES)) {
            return "no whole record header: the file ends within " + WalRecord.FRAME_BYTES + " bytes";
        }
        int length = buffer.getInt((int) (offset - bufferStart) + WalRecord.LENGTH_OFFSET);
        if (length == 0) {
            return "no record (zero length field): the segment ends here";
        }
        if (length < WalRecord.MIN_LENGTH || length > WalRecord.MAX_RECORD_BYTES - WalRecord.FRAME_BYTES) {
            return "implausible record length " + Integer.toUnsignedString(length);
        }
        recordBytes = WalRecord.FRAME_BYTES + length;
        return null;
    }

    /**
     * After {@link #loadLength()}: loads the record whole into the buffer and checks it. Returns null if it
     * is a valid record (its fields are then in the scanner), or what is wrong with it.
     */
    String loadRecord() throws IOException {
        int length = recordBytes - WalRecord.FRAME_BYTES;
        if (!ensure(recordBytes)) {
            return "incomplete record: length " + length + " runs past the end of the file";
        }
        int at = (int) (offset - bufferStart);
        int stored = buffer.getInt(at + WalRecord.CRC_OFFSET);
        int computed = WalRecord.crcOf(buffer, at, length, crc);
        if (stored != computed) {
            return String.format("record CRC mismatch (expected 0x%08x, found 0x%08x)", stored, computed);
        }
        int kind = WalRecord.kindAt(buffer, at);
        if (!WalRecord.isKnownType(kind)) {
            return String.format("unknown record kind 0x%02x in a record with a valid CRC", kind);
        }
        term = WalRecord.termAt(buffer, at);
        lsn = WalRecord.lsnAt(buffer, at);
        return null;
    }

    /**
     * Makes file bytes [offset, offset + bytes) present in the buffer, reading from {@code offset} if they
     * are not. False if the file ends first. A record larger than the buffer grows it to fit, but only once
     * the file is known to be that long, so a damaged length cannot make it allocate wildly.
     */
    private boolean ensure(int bytes) throws IOException {
        if (offset >= bufferStart && offset + bytes <= bufferStart + buffer.limit()) {
            return true;
        }
        if (bytes > buffer.capacity()) {
            if (offset + bytes > channel.size()) {
                return false;
            }
            buffer = ByteBuffer.allocate(bytes).order(WalRecord.ORDER);
        }
        // Worked example: a 1 MiB buffer kept from a lagging follower's read, now a 16 KiB chunk: read 16 KiB
        // (or the record, if larger), not a megabyte for a few entries.
        buffer.clear().limit(Math.min(buffer.capacity(), Math.max(bytes, chunkBytes)));
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n <= 0) {
                break;
            }
        }
        buffer.flip();
        bufferStart = offset;
        bytesRead.add(buffer.limit());
        return buffer.limit() >= bytes;
    }

    /** The bytes a read fills at most (a record larger than that grows the buffer). */
    int capacity() {
        return buffer.capacity();
    }

    /**
     * Forgets the file and the bytes read from it, so that a scanner kept for the next read pins no channel
     * and never answers from another call's bytes ({@link #open} resets them too).
     */
    void close() {
        channel = null;
        buffer.limit(0);
        bufferStart = 0;
    }

    /** Moves past the record {@link #loadRecord()} accepted. */
    void advance() {
        offset += recordBytes;
    }

    long offset() {
        return offset;
    }

    int recordBytes() {
        return recordBytes;
    }

    long term() {
        return term;
    }

    long lsn() {
        return lsn;
    }

    /** Decodes the loaded record's payload in place (no view of it per record: see EntryCodec). */
    Entry decode() {
        int at = (int) (offset - bufferStart);
        return EntryCodec.decodePayload(term, lsn, buffer, at + WalRecord.PAYLOAD_OFFSET,
                recordBytes - WalRecord.HEADER_BYTES);
    }

    /** Copies the loaded record, header and payload, into {@code target} at {@code index}. */
    void copyRecord(byte[] target, int index) {
        buffer.get((int) (offset - bufferStart), target, index, recordBytes);
    }
}
