package io.tandem.storage.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The fixed 32-byte header at the start of every segment (little-endian):
 *
 * <pre>
 * offset  size  field
 *      0     8  magic      "TANDEMWL"
 *      8     4  version    u32 = 1
 *     12     4  reserved   u32 = 0
 *     16     8  firstLsn   u64, equal to the number in the file name
 *     24     4  crc32c     u32 of bytes 0..23
 *     28     4  padding    u32 = 0 (records start 8-byte aligned at 32)
 * </pre>
 *
 * The header is fdatasync'ed before any record is written into the segment, so a damaged header with a
 * valid record after it cannot be a torn creation: it is corruption.
 */
final class SegmentHeader {
    private SegmentHeader() {}

    static final int BYTES = 32;
    static final int VERSION = 1;
    private static final byte[] MAGIC = "TANDEMWL".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_OFFSET = 24;

    static ByteBuffer encode(long firstLsn) {
        ByteBuffer header = ByteBuffer.allocate(BYTES).order(WalRecord.ORDER);
        header.put(MAGIC).putInt(VERSION).putInt(0).putLong(firstLsn);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, CRC_OFFSET);
        header.putInt((int) crc.getValue()).putInt(0);
        return header.flip();
    }

    /**
     * Checks the header at the start of {@code segment} (whose length is the file's size) against the LSN in
     * the file name. Returns what is wrong, or null if the header is good.
     */
    static String problem(ByteBuffer segment, long nameLsn) {
        if (segment.limit() < BYTES) {
            return "segment is " + segment.limit() + " bytes, shorter than its " + BYTES + "-byte header";
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (segment.get(i) != MAGIC[i]) {
                return "bad segment magic (expected \"TANDEMWL\")";
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(segment.slice(0, CRC_OFFSET));
        int expected = (int) crc.getValue();
        int found = segment.getInt(CRC_OFFSET);
        if (expected != found) {
            return String.format("segment header CRC mismatch (expected 0x%08x, found 0x%08x)", expected, found);
        }
        int version = segment.getInt(8);
        if (version != VERSION) {
            return "unsupported segment format version " + version + " (this build reads " + VERSION + ")";
        }
        long firstLsn = segment.getLong(16);
        if (firstLsn != nameLsn) {
            return "segment header says first lsn " + firstLsn + " but the file name says " + nameLsn;
        }
        return null;
    }
}
