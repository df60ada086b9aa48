package io.tandem.storage.wal;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment, mapped whole into {@code buffer} (limit = file size), one at a time,
 * and says for each step whether it found a whole valid record, the clean end of the segment, or a bad
 * record. It only checks what a record says about itself; LSN continuity is the caller's job.
 */
final class SegmentCursor {
    enum Status {
        /** A whole record with a valid CRC and a known kind; its fields are in the cursor. */
        RECORD,
        /** The end of the file, or only zeros from here on (a preallocated tail, however short). */
        END,
        /** Incomplete, implausible or failing its CRC: a torn write or damage; {@link #problem()} says which. */
        DAMAGED,
        /** Valid CRC but not something this build can read (unknown kind): never a torn write. */
        INVALID
    }

    private final ByteBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private int offset;
    private int recordBytes;
    private long term;
    private long lsn;
    private int kind;
    private String problem;

    SegmentCursor(ByteBuffer buffer, int start) {
        this.buffer = buffer;
        this.offset = start;
    }

    /** Examines the record at {@link #offset()} without moving past it. */
    Status next() {
        problem = null;
        int left = buffer.limit() - offset;
        if (left == 0) {
            return Status.END;
        }
        if (left < 4) {
            // Too short for a length field. A rolled segment keeps its preallocated size, so when its last
            // record ends 1-3 bytes before the segment size those bytes are the zero-filled tail, not a
            // torn record: with 4096-byte segments and records ending at 4094, bytes 4094..4095 are zeros.
            if (firstNonZero(offset, buffer.limit()) < 0) {
                return Status.END;
            }
            problem = "incomplete record: only " + left + " bytes left in the file";
            return Status.DAMAGED;
        }
        int length = buffer.getInt(offset + WalRecord.LENGTH_OFFSET);
        if (length == 0) {
            int nonZero = firstNonZero(offset, buffer.limit());
            if (nonZero < 0) {
                return Status.END;
            }
            problem = "zero length field followed by non-zero bytes at offset " + nonZero;
            return Status.DAMAGED;
        }
        // The u32 is read as a signed int: anything above 2^31 shows up negative and fails the first test.
        if (length < WalRecord.MIN_LENGTH || length > WalRecord.MAX_RECORD_BYTES - WalRecord.FRAME_BYTES) {
            problem = "implausible record length " + Integer.toUnsignedString(length);
            return Status.DAMAGED;
        }
        if (length > left - WalRecord.FRAME_BYTES) {
            problem = "incomplete record: length " + length + " needs " + (length + WalRecord.FRAME_BYTES)
                    + " bytes but the file has " + left + " left";
            return Status.DAMAGED;
        }
        int stored = buffer.getInt(offset + WalRecord.CRC_OFFSET);
        int computed = WalRecord.crcOf(buffer, offset, length, crc);
        if (stored != computed) {
            problem = String.format("record CRC mismatch (expected 0x%08x, found 0x%08x)", stored, computed);
            return Status.DAMAGED;
        }
        recordBytes = WalRecord.FRAME_BYTES + length;
        term = buffer.getLong(offset + WalRecord.TERM_OFFSET);
        lsn = buffer.getLong(offset + WalRecord.LSN_OFFSET);
        kind = buffer.get(offset + WalRecord.KIND_OFFSET) & 0xff;
        if (!WalRecord.isKnownType(kind)) {
            problem = String.format("unknown record kind 0x%02x in a record with a valid CRC", kind);
            return Status.INVALID;
        }
        return Status.RECORD;
    }

    /** Moves past the record {@link #next()} just returned. */
    void advance() {
        offset += recordBytes;
    }

    /** Offset of the first non-zero byte in [from, to), or -1. Compares 8 bytes at a time. */
    private int firstNonZero(int from, int to) {
        int at = from;
        for (; at + 8 <= to; at += 8) {
            if (buffer.getLong(at) != 0) {
                break;
            }
        }
        for (; at < to; at++) {
            if (buffer.get(at) != 0) {
                return at;
            }
        }
        return -1;
    }

    int offset() {
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

    boolean syncMarked() {
        return (kind & WalRecord.SYNC_MARK) != 0;
    }

    /** Decodes the current record's payload in place (no view of it per record: see EntryCodec). */
    Entry decode() {
        return EntryCodec.decodePayload(term, lsn, buffer, offset + WalRecord.PAYLOAD_OFFSET,
                recordBytes - WalRecord.HEADER_BYTES);
    }

    String problem() {
        return problem;
    }
}
