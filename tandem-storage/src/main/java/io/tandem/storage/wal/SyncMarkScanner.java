package io.tandem.storage.wal;

import io.tandem.storage.wal.SegmentName.SegmentFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * After a bad record, looks for evidence that it had been synced: a whole, CRC-valid record further on
 * (in this segment or any later one) carrying SYNC_MARK with a higher LSN. Such a record was written only
 * after an fdatasync covering everything before it had completed, so the bad record was once durable and
 * was damaged later. Without such a record the bad one is a torn tail: the crash came before it reached
 * the disk whole.
 *
 * <p>The structure after a bad record cannot be trusted, so the scan tries every byte offset, with cheap
 * filters before the CRC: the kind byte (one compare), a plausible length that fits in the file, and an
 * LSN above the expected one yet within what the remaining bytes could hold. Random data passes all of
 * them about once in 2^40 offsets, and then fails the CRC.
 */
final class SyncMarkScanner {
    private SyncMarkScanner() {}

    /** A record that proves something: where it is and its LSN. */
    record Found(Path file, long offset, long lsn) {}

    /**
     * Scans from {@code fromOffset} in {@code segments.get(fromIndex)} to the end of the log for a valid
     * record with an LSN above {@code afterLsn}; with {@code requireSyncMark}, only one carrying SYNC_MARK.
     */
    static Found find(List<SegmentFile> segments, int fromIndex, long fromOffset, long afterLsn,
                      boolean requireSyncMark) throws IOException {
        long remaining = -fromOffset;
        for (int i = fromIndex; i < segments.size(); i++) {
            remaining += java.nio.file.Files.size(segments.get(i).path());
        }
        // Every record takes at least MIN_RECORD_BYTES, so the bytes left bound the LSNs that can follow.
        // Worked example: the bad record was expected to be lsn 100 and 2,500 bytes follow it: at most
        // 2,500 / 25 = 100 records fit there, so a genuine later record has lsn 101..200 (bound 201 for slack).
        long bound = afterLsn + Math.max(0, remaining) / WalRecord.MIN_RECORD_BYTES + 1;
        CRC32C crc = new CRC32C();
        for (int i = fromIndex; i < segments.size(); i++) {
            Path path = segments.get(i).path();
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                        .order(WalRecord.ORDER);
                int start = i == fromIndex ? (int) Math.min(fromOffset, mapped.limit()) : 0;
                int at = scan(mapped, start, afterLsn, bound, requireSyncMark, crc);
                if (at >= 0) {
                    return new Found(path, at, WalRecord.lsnAt(mapped, at));
                }
            }
        }
        return null;
    }

    private static int scan(ByteBuffer buf, int start, long afterLsn, long bound, boolean requireSyncMark,
                            CRC32C crc) {
        int size = buf.limit();
        for (int p = start; p <= size - WalRecord.HEADER_BYTES; p++) {
            int kind = buf.get(p + WalRecord.KIND_OFFSET) & 0xff;
            if (!WalRecord.isKnownType(kind) || (requireSyncMark && (kind & WalRecord.SYNC_MARK) == 0)) {
                continue;
            }
            int length = buf.getInt(p + WalRecord.LENGTH_OFFSET);
            if (length < WalRecord.MIN_LENGTH || length > size - p - WalRecord.FRAME_BYTES) {
                continue;
            }
            long lsn = buf.getLong(p + WalRecord.LSN_OFFSET);
            if (lsn <= afterLsn || lsn > bound) {
                continue;
            }
            if (WalRecord.crcOf(buf, p, length, crc) == buf.getInt(p + WalRecord.CRC_OFFSET)) {
                return p;
            }
        }
        return -1;
    }
}
