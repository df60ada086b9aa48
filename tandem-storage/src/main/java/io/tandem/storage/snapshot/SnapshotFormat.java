package io.tandem.storage.snapshot;

import io.tandem.storage.files.LsnFileName;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The snapshot file layout (little-endian, like the WAL):
 *
 * <pre>
 * header   magic "TANDEMSN" (8) | version u32 = 1 | reserved u32 = 0 | term u64 | lsn u64 | timeMillis u64
 *          | configLength u32 | configuration bytes | headerCrc u32 (CRC32C of every header byte before it)
 * block*   length u32 (1 .. MAX_BLOCK_BYTES) | crc32c u32 of the payload | payload
 *          payload = record*, record = varint length | bytes   (a record never spans blocks)
 * trailer  0xFFFFFFFF u32 | crc32c u32 of the next 16 bytes | recordCount u64 | blockCount u64
 *          and then the end of the file
 * </pre>
 *
 * <p>Blocks hold about {@link #TARGET_BLOCK_BYTES} of records, so a damaged byte is pinned to a 64 KiB
 * block and the CRC runs over data still in the CPU cache; a record larger than that gets a block of its
 * own. The trailer's length field is all ones so that a file cut or zero-filled after a block is never
 * mistaken for a complete snapshot, and its counts catch a block that vanished whole.
 *
 * <p>Worked example of the header size: with a 10-byte configuration the header is 8 + 4 + 4 + 8 + 8 + 8 + 4
 * = 44 fixed bytes, then 10, then the 4-byte CRC: 58 bytes, so the first block starts at offset 58.
 */
final class SnapshotFormat {
    private SnapshotFormat() {}

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final byte[] MAGIC = "TANDEMSN".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    /** Header bytes before the configuration. */
    static final int FIXED_HEADER_BYTES = 44;
    static final int BLOCK_HEADER_BYTES = 8;
    static final int TARGET_BLOCK_BYTES = 64 << 10;
    /** A single record may be up to 1 GiB; its block adds at most a 5-byte varint. */
    static final int MAX_RECORD_BYTES = 1 << 30;
    static final int MAX_BLOCK_BYTES = MAX_RECORD_BYTES + 5;
    static final int TRAILER_MARK = 0xFFFFFFFF;
    static final int TRAILER_BYTES = 8 + 16;

    static final String SUFFIX = ".tsnap";
    static final String TMP_SUFFIX = ".tmp";
    private static final LsnFileName NAME = new LsnFileName("snapshot-", SUFFIX);

    /** {@code snapshot-<lsn, 20 digits>.tsnap}: names sort by LSN. */
    static String fileName(long lsn) {
        return NAME.of(lsn);
    }

    /** The LSN in a snapshot file name, or -1 if the name is not one. */
    static long lsnOf(String fileName) {
        return NAME.lsnOf(fileName);
    }

    static int varintSize(int value) {
        int size = 1;
        while ((value & ~0x7f) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }
}
