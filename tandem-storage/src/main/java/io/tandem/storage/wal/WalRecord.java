package io.tandem.storage.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of one WAL record. All integers are little-endian (x86 and ARM are little-endian, so
 * the CPU reads them without swapping).
 *
 * <pre>
 * offset  size  field
 *      0     4  length   u32: bytes after the crc field = 17 + payload length
 *      4     4  crc32c   u32: CRC32C of the {@code length} bytes starting at offset 8
 *      8     8  term     u64
 *     16     8  lsn      u64
 *     24     1  kind     u8:  low 7 bits = record type (1 = ENTRY, others reserved); 0x80 = SYNC_MARK
 *     25     n  payload  {@link io.tandem.core.log.EntryCodec} payload
 * </pre>
 *
 * <p>Worked example of the two lengths: an entry whose payload is 10 bytes has {@code length} = 17 + 10 = 27
 * (term 8 + lsn 8 + kind 1 + payload 10), the CRC covers bytes 8..34, and the record occupies 8 + 27 = 35
 * bytes on disk, so the next record starts 35 bytes later. The 8 is the length and crc fields themselves,
 * which the length does not count and the CRC does not cover.
 *
 * <p>SYNC_MARK is set on the first record written after an fdatasync that covered every earlier record
 * completed. Finding such a record after a damaged one proves the damaged one had been synced once: that
 * is corruption, not a torn write (see {@link WalRecovery}). The writer sets the flag when it writes, so it
 * recomputes that one record's CRC ({@link #setSyncMark}).
 *
 * <p>Records never span segments. A record larger than a whole segment is not an error: it is written
 * alone into a fresh segment, which grows past {@link WalOptions#segmentBytes()} for it; the cap on one
 * record is {@link #MAX_RECORD_BYTES}.
 */
public final class WalRecord {
    private WalRecord() {}

    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int TERM_OFFSET = 8;
    static final int LSN_OFFSET = 16;
    static final int KIND_OFFSET = 24;
    static final int PAYLOAD_OFFSET = 25;

    /** Bytes before the payload. */
    public static final int HEADER_BYTES = PAYLOAD_OFFSET;
    /** The length and crc fields, which {@code length} does not count. */
    static final int FRAME_BYTES = 8;
    /** {@code length} of a record with an empty payload: term + lsn + kind. */
    static final int MIN_LENGTH = HEADER_BYTES - FRAME_BYTES;
    /** The smallest record on disk; recovery uses it to bound how many records fit in some bytes. */
    static final int MIN_RECORD_BYTES = HEADER_BYTES;
    /** Cap on one record on disk (header + payload), so a corrupt length cannot ask for gigabytes. */
    public static final int MAX_RECORD_BYTES = 1 << 30;

    static final int KIND_ENTRY = 1;
    static final int KIND_TYPE_MASK = 0x7f;
    static final int SYNC_MARK = 0x80;

    /** Total bytes on disk of a record with this payload length. */
    static int recordBytes(int payloadLength) {
        return HEADER_BYTES + payloadLength;
    }

    static boolean isKnownType(int kind) {
        return (kind & KIND_TYPE_MASK) == KIND_ENTRY;
    }

    /**
     * Writes the header of an ENTRY record at {@code start} (absolute) with {@code payloadLength} payload
     * bytes that the caller has already written at {@code start + HEADER_BYTES}, and fills in the CRC.
     */
    static void finishRecord(ByteBuffer buf, int start, long term, long lsn, int payloadLength, CRC32C crc) {
        buf.putInt(start + LENGTH_OFFSET, MIN_LENGTH + payloadLength);
        buf.putLong(start + TERM_OFFSET, term);
        buf.putLong(start + LSN_OFFSET, lsn);
        buf.put(start + KIND_OFFSET, (byte) KIND_ENTRY);
        buf.putInt(start + CRC_OFFSET, crcOf(buf, start, MIN_LENGTH + payloadLength, crc));
    }

    /** Sets SYNC_MARK on the record at {@code start} and recomputes its CRC, which covers the kind byte. */
    static void setSyncMark(ByteBuffer buf, int start, CRC32C crc) {
        int kind = buf.get(start + KIND_OFFSET) & 0xff;
        buf.put(start + KIND_OFFSET, (byte) (kind | SYNC_MARK));
        buf.putInt(start + CRC_OFFSET, crcOf(buf, start, buf.getInt(start + LENGTH_OFFSET), crc));
    }

    /** Clears SYNC_MARK on the record at {@code start}, recomputing its CRC, if it was set. */
    static void clearSyncMark(ByteBuffer buf, int start, CRC32C crc) {
        int kind = buf.get(start + KIND_OFFSET) & 0xff;
        if ((kind & SYNC_MARK) != 0) {
            buf.put(start + KIND_OFFSET, (byte) (kind & ~SYNC_MARK));
            buf.putInt(start + CRC_OFFSET, crcOf(buf, start, buf.getInt(start + LENGTH_OFFSET), crc));
        }
    }

    static int kindAt(ByteBuffer buf, int start) {
        return buf.get(start + KIND_OFFSET) & 0xff;
    }

    /** CRC32C of the {@code length} bytes after the crc field of the record at {@code start}. */
    static int crcOf(ByteBuffer buf, int start, int length, CRC32C crc) {
        crc.reset();
        crc.update(buf.slice(start + FRAME_BYTES, length));
        return (int) crc.getValue();
    }

    /** Total bytes on disk of the (well-formed) record at {@code start}. */
    static int recordBytesAt(ByteBuffer buf, int start) {
        return FRAME_BYTES + buf.getInt(start + LENGTH_OFFSET);
    }

    static long lsnAt(ByteBuffer buf, int start) {
        return buf.getLong(start + LSN_OFFSET);
    }

    static long termAt(ByteBuffer buf, int start) {
        return buf.getLong(start + TERM_OFFSET);
    }
}
