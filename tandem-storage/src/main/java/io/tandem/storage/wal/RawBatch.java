package io.tandem.storage.wal;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Consecutive WAL records exactly as a log stores them, header and payload, CRC included (the layout is in
 * {@link WalRecord}), with what they hold: first and last LSN, count, and the last record's term. A leader
 * gets one from {@link WalReader#readRaw} and ships {@link #bytes()} without decoding; a follower rebuilds
 * it with {@link #parse} (which checks every CRC) and stores it with {@link Wal#appendRaw}.
 *
 * <p>The bytes are exactly the reading log's, SYNC_MARK bits included; {@link Wal#appendRaw} clears those,
 * since they describe the leader's fdatasyncs, not the follower's.
 *
 * <p>Immutable as far as this class goes: {@link #bytes()} hands out read-only views. A batch made by
 * {@link #parse} views the caller's buffer, which must not change afterwards (appendRaw checks the CRCs
 * again anyway).
 */
public final class RawBatch {
    private final ByteBuffer bytes;
    private final long firstLsn;
    private final long lastLsn;
    private final int count;
    private final long lastTerm;

    RawBatch(ByteBuffer bytes, long firstLsn, long lastLsn, int count, long lastTerm) {
        this.bytes = bytes.slice().order(WalRecord.ORDER).asReadOnlyBuffer().order(WalRecord.ORDER);
        this.firstLsn = firstLsn;
        this.lastLsn = lastLsn;
        this.count = count;
        this.lastTerm = lastTerm;
    }

    /** No records: the read started past the last readable LSN. firstLsn is where it started. */
    static RawBatch empty(long fromLsn) {
        return new RawBatch(ByteBuffer.allocate(0), fromLsn, fromLsn - 1, 0, -1);
    }

    /**
     * Checks and wraps records received as bytes ({@code records}' remaining bytes): every record's frame,
     * CRC32C and kind, consecutive LSNs and terms that never go down.
     *
     * @throws RawBatchRejectedException if anything is wrong; the message names the offset
     */
    public static RawBatch parse(ByteBuffer records) throws RawBatchRejectedException {
        Objects.requireNonNull(records, "records");
        ByteBuffer view = records.slice().order(WalRecord.ORDER);
        RawRecords.Summary summary = RawRecords.check(view, -1, Long.MIN_VALUE);
        if (summary.count() == 0) {
            return new RawBatch(view, 0, -1, 0, -1);
        }
        return new RawBatch(view, summary.firstLsn(), summary.lastLsn(), summary.count(), summary.lastTerm());
    }

    /** The records' bytes: a read-only, little-endian view, position 0, limit {@link #sizeBytes()}. */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(WalRecord.ORDER);
    }

    /** A copy of the records' bytes. */
    public byte[] toByteArray() {
        byte[] copy = new byte[bytes.limit()];
        bytes.get(0, copy);
        return copy;
    }

    /** LSN of the first record; for an empty batch read at some LSN, that LSN. */
    public long firstLsn() {
        return firstLsn;
    }

    /** LSN of the last record; firstLsn - 1 when empty. */
    public long lastLsn() {
        return lastLsn;
    }

    public int count() {
        return count;
    }

    /** Term of the last record; -1 when empty. */
    public long lastTerm() {
        return lastTerm;
    }

    public int sizeBytes() {
        return bytes.limit();
    }

    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public String toString() {
        return "RawBatch{lsn " + firstLsn + ".." + lastLsn + ", " + count + " records, " + sizeBytes() + " bytes}";
    }
}
