package io.tandem.storage.wal;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the WAL counts, for the server to export. Counters only grow. "Data syncs" are the fdatasyncs that
 * make records durable (one per group-commit batch, per ALWAYS flush, per EVERYSEC tick with something to
 * sync, per segment roll); "metadata syncs" are those for segment creation, truncation and deletion.
 */
public final class WalMetrics {
    final LongAdder dataSyncs = new LongAdder();
    final LongAdder writebacks = new LongAdder();
    final LongAdder metadataSyncs = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder recordsWritten = new LongAdder();
    final LongAdder writeCalls = new LongAdder();
    final LongAdder segmentsCreated = new LongAdder();
    final LongAdder segmentsPreallocatedUsed = new LongAdder();
    final LongAdder segmentsDeleted = new LongAdder();
    final Histogram syncMicros = new Histogram();
    final Histogram recordsPerSync = new Histogram();
    final Histogram bytesPerSync = new Histogram();
    final LongAdder readCalls = new LongAdder();
    final LongAdder recordsRead = new LongAdder();
    final LongAdder bytesReadFromFiles = new LongAdder();
    final LongAdder readRetries = new LongAdder();

    /** fdatasyncs that made records durable. */
    public long dataSyncs() {
        return dataSyncs.sum();
    }

    /** Background fdatasyncs under NEVER that keep the kernel's dirty pages few (see WritebackThread). */
    public long writebacks() {
        return writebacks.sum();
    }

    public long metadataSyncs() {
        return metadataSyncs.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long recordsWritten() {
        return recordsWritten.sum();
    }

    /** Batches handed to the kernel (each one or more write() calls). */
    public long writeCalls() {
        return writeCalls.sum();
    }

    public long segmentsCreated() {
        return segmentsCreated.sum();
    }

    public long segmentsPreallocatedUsed() {
        return segmentsPreallocatedUsed.sum();
    }

    public long segmentsDeleted() {
        return segmentsDeleted.sum();
    }

    /** Calls to {@link WalReader#read} and {@link WalReader#readRaw}. */
    public long readCalls() {
        return readCalls.sum();
    }

    /** Records returned by WalReaders (decoded or raw). */
    public long recordsRead() {
        return recordsRead.sum();
    }

    /** Bytes WalReaders read from segment files, including what they skipped to reach an LSN. */
    public long bytesReadFromFiles() {
        return bytesReadFromFiles.sum();
    }

    /** Reads run again because a truncation or segment deletion overlapped them (see LogFence). */
    public long readRetries() {
        return readRetries.sum();
    }

    /** Latency of each data fdatasync in microseconds. */
    public Histogram syncMicros() {
        return syncMicros;
    }

    /** Records made durable by each data fdatasync (the group-commit batch size). */
    public Histogram recordsPerSync() {
        return recordsPerSync;
    }

    /** Bytes made durable by each data fdatasync. */
    public Histogram bytesPerSync() {
        return bytesPerSync;
    }

    @Override
    public String toString() {
        return "WalMetrics{dataSyncs=" + dataSyncs() + ", metadataSyncs=" + metadataSyncs()
                + ", recordsWritten=" + recordsWritten() + ", bytesWritten=" + bytesWritten()
                + ", syncMicros p50<=" + syncMicros.quantileUpperBound(0.5)
                + " p99<=" + syncMicros.quantileUpperBound(0.99)
                + ", recordsPerSync p50<=" + recordsPerSync.quantileUpperBound(0.5)
                + " mean=" + (recordsPerSync.count() == 0 ? 0 : recordsPerSync.sum() / recordsPerSync.count())
                + "}";
    }
}
