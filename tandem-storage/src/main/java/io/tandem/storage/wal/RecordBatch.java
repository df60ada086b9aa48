package io.tandem.storage.wal;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encoded records with consecutive LSNs, in a direct buffer so the kernel copies straight from it (a heap
 * buffer would first be copied into a temporary direct one). Bytes {@code [0, size)} hold whole records.
 * One thread owns a batch at a time: the appender fills it, the writer drains it (see {@link Handoff}).
 */
final class RecordBatch {
    static final int INITIAL_CAPACITY = 256 << 10;

    private ByteBuffer buffer;
    /**
     * A second view of {@link #buffer} for encoding payloads, kept instead of a new duplicate per record
     * (one allocation per write otherwise). Like a fresh duplicate it is big-endian: EntryCodec's order.
     */
    private ByteBuffer payloadView;
    private int size;
    private int records;
    private long firstLsn;
    private long lastLsn;
    /** Where the payload of the record {@link #append} added last starts, or -1 (see copyLastPayload). */
    private int lastPayloadAt = -1;
    private final CRC32C crc = new CRC32C();

    RecordBatch() {
        buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY).order(WalRecord.ORDER);
        payloadView = buffer.duplicate();
    }

    /** Encodes {@code entry} as an ENTRY record (without SYNC_MARK; the writer sets it) and returns its size. */
    int append(Entry entry, int payloadLength) {
        int recordBytes = WalRecord.recordBytes(payloadLength);
        ensureCapacity(size + recordBytes);
        int start = size;
        // Encode the payload first, at its final place, then fill in the header around it.
        // clear() first: the limit left by the previous record may lie before this one's start.
        ByteBuffer payload = payloadView.clear().limit(start + recordBytes).position(start + WalRecord.HEADER_BYTES);
        EntryCodec.encodePayload(entry, payload);
        if (payload.hasRemaining()) {
            throw new IllegalStateException("EntryCodec.payloadSize said " + payloadLength + " bytes but "
                    + payload.remaining() + " were left unused");
        }
        return finishRecord(entry, start, payloadLength);
    }

    /**
     * Appends an ENTRY record for {@code entry} whose payload is {@code source}'s bytes [offset, offset + length),
     * copied as they are: the caller vouches that they are EntryCodec's encoding of the entry (see
     * {@link Wal#appendEncoded}). Returns the record's size.
     */
    int appendEncoded(Entry entry, ByteBuffer source, int offset, int length) {
        int recordBytes = WalRecord.recordBytes(length);
        ensureCapacity(size + recordBytes);
        int start = size;
        buffer.put(start + WalRecord.HEADER_BYTES, source, offset, length);
        return finishRecord(entry, start, length);
    }

    /** The header around the payload at {@code start}, and the batch's counts; returns the record's size. */
    private int finishRecord(Entry entry, int start, int payloadLength) {
        int recordBytes = WalRecord.recordBytes(payloadLength);
        WalRecord.finishRecord(buffer, start, entry.term(), entry.lsn(), payloadLength, crc);
        noteRecords(entry.lsn(), entry.lsn(), 1);
        size += recordBytes;
        lastPayloadAt = start + WalRecord.HEADER_BYTES;
        return recordBytes;
    }

    /** Copies {@code length} bytes of the payload {@link #append} encoded last, from its byte {@code from}. */
    void copyLastPayload(int from, byte[] dst, int at, int length) {
        if (lastPayloadAt < 0) {
            throw new IllegalStateException("no entry appended to this batch since it was cleared");
        }
        buffer.get(lastPayloadAt + from, dst, at, length);
    }

    /**
     * Copies {@code count} whole, checked records with LSNs {@code first..last} from {@code records}
     * (positions 0..limit) after this batch's, clearing any SYNC_MARK they carry (the writer sets this
     * WAL's own; see {@link Wal#appendRaw}). Returns the bytes added.
     */
    int appendRaw(ByteBuffer records, int count, long first, long last) {
        int bytes = records.limit();
        ensureCapacity(size + bytes);
        buffer.put(size, records, 0, bytes);
        for (int at = size; at < size + bytes; at += WalRecord.recordBytesAt(buffer, at)) {
            WalRecord.clearSyncMark(buffer, at, crc);
        }
        size += bytes;
        noteRecords(first, last, count);
        lastPayloadAt = -1; // copyLastPayload is for append's entry only
        return bytes;
    }

    /** Moves {@code other}'s records after this batch's; the caller checked that the LSNs continue. */
    void appendAll(RecordBatch other) {
        ensureCapacity(size + other.size);
        buffer.put(size, other.buffer, 0, other.size);
        size += other.size;
        lastPayloadAt = -1;
        noteRecords(other.firstLsn, other.lastLsn, other.records);
    }

    private void noteRecords(long first, long last, int count) {
        if (records == 0) {
            firstLsn = first;
        }
        lastLsn = last;
        records += count;
    }

    private void ensureCapacity(int needed) {
        if (needed <= buffer.capacity()) {
            return;
        }
        int capacity = buffer.capacity();
        while (capacity < needed) {
            // Doubling stops at 1 GiB, where one more doubling would overflow an int.
            capacity = capacity >= (1 << 30) ? Integer.MAX_VALUE - 64 : capacity * 2;
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(WalRecord.ORDER);
        bigger.put(0, buffer, 0, size);
        buffer = bigger; // lastPayloadAt stays valid: the records keep their offsets
        payloadView = bigger.duplicate();
    }

    void clear() {
        lastPayloadAt = -1;
        size = 0;
        records = 0;
        firstLsn = 0;
        lastLsn = 0;
    }

    boolean isEmpty() {
        return records == 0;
    }

    int size() {
        return size;
    }

    int records() {
        return records;
    }

    long firstLsn() {
        return firstLsn;
    }

    long lastLsn() {
        return lastLsn;
    }

    /** The whole buffer (absolute indexes); records occupy {@code [0, size())}. */
    ByteBuffer buffer() {
        return buffer;
    }

    CRC32C crc() {
        return crc;
    }
}
