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
 * <p>One per read call, reused across the segments the call visits; not shared between threads.
 */
final class SegmentScanner {
    private final CRC32C crc = new CRC32C();
    private final LongAdder bytesRead;
    private ByteBuffer buffer;
    /** File offset of buffer position 0; the buffer holds file bytes [bufferStart, bufferStart + limit). */
    private long bufferStart;
    private FileChannel channel;

    private long offset;
    private int recordBytes;
    private long term;
    private long lsn;

    SegmentScanner(int chunkBytes, LongAdder bytesRead) {
        this.buffer = ByteBuffer.allocate(chunkBytes).order(WalRecord.ORDER).limit(0);
        this.bytesRead = bytesRead;
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
        buffer.clear();
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
