package io.tandem.storage.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Checks a run of WAL records received as bytes (absolute positions 0..limit, little-endian) before they are
 * trusted: each record's frame, CRC32C and kind, LSNs that follow one another from an expected first one,
 * and terms that never go down. It never decodes payloads: the CRC is what vouches for them.
 */
final class RawRecords {
    private RawRecords() {}

    /** What a checked run holds. For an empty run, count is 0 and firstLsn is the expected LSN. */
    record Summary(int count, long firstLsn, long lastLsn, long lastTerm) {}

    /**
     * Checks {@code records}; the first must carry {@code expectedLsn} (or any LSN when it is -1) and a term
     * of at least {@code minTerm}.
     *
     * @throws RawBatchRejectedException naming the offset in the run and what is wrong
     */
    static Summary check(ByteBuffer records, long expectedLsn, long minTerm) throws RawBatchRejectedException {
        CRC32C crc = new CRC32C();
        int size = records.limit();
        int at = 0;
        int count = 0;
        long firstLsn = expectedLsn;
        long lsn = expectedLsn;
        long term = minTerm;
        while (at < size) {
            int left = size - at;
            if (left < WalRecord.HEADER_BYTES) {
                throw new RawBatchRejectedException(at, "incomplete record: " + left + " bytes left");
            }
            int length = records.getInt(at + WalRecord.LENGTH_OFFSET);
            if (length < WalRecord.MIN_LENGTH || length > WalRecord.MAX_RECORD_BYTES - WalRecord.FRAME_BYTES) {
                throw new RawBatchRejectedException(at, "implausible record length " + Integer.toUnsignedString(length));
            }
            if (length > left - WalRecord.FRAME_BYTES) {
                throw new RawBatchRejectedException(at, "incomplete record: length " + length + " needs "
                        + (length + WalRecord.FRAME_BYTES) + " bytes but " + left + " are left");
            }
            int stored = records.getInt(at + WalRecord.CRC_OFFSET);
            int computed = WalRecord.crcOf(records, at, length, crc);
            if (stored != computed) {
                throw new RawBatchRejectedException(at, String.format(
                        "record CRC mismatch (expected 0x%08x, found 0x%08x)", stored, computed));
            }
            int kind = WalRecord.kindAt(records, at);
            if (!WalRecord.isKnownType(kind)) {
                throw new RawBatchRejectedException(at, String.format("unknown record kind 0x%02x", kind));
            }
            long recordLsn = WalRecord.lsnAt(records, at);
            long recordTerm = WalRecord.termAt(records, at);
            if (count == 0 && expectedLsn < 0) {
                firstLsn = recordLsn;
                lsn = recordLsn;
            }
            // Is this the entry that comes next? A follower whose log ends at 99 takes a run from 100 only.
            if (recordLsn != lsn) {
                throw new RawBatchRejectedException(at, "record has lsn " + recordLsn + ", expected lsn " + lsn);
            }
            if (recordLsn < 1) {
                throw new RawBatchRejectedException(at, "record has lsn " + recordLsn + ", below 1");
            }
            if (recordTerm < term) {
                throw new RawBatchRejectedException(at, "record lsn " + recordLsn + " has term " + recordTerm
                        + ", below the previous term " + term);
            }
            term = recordTerm;
            lsn++;
            count++;
            at += WalRecord.FRAME_BYTES + length;
        }
        return new Summary(count, firstLsn, lsn - 1, term);
    }

    @FunctionalInterface
    interface TermSink {
        void accept(long lsn, long term);
    }

    /** Calls {@code sink} with (lsn, term) for every record of a checked run. */
    static void forEachTerm(ByteBuffer records, TermSink sink) {
        for (int at = 0; at < records.limit(); at += WalRecord.recordBytesAt(records, at)) {
            sink.accept(WalRecord.lsnAt(records, at), WalRecord.termAt(records, at));
        }
    }
}
