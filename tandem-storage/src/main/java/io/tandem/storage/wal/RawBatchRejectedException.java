package io.tandem.storage.wal;

import java.io.IOException;

/**
 * A run of raw WAL records (a {@link RawBatch}) failed a check and was not appended: a damaged frame or
 * CRC, an unknown kind, an LSN that does not follow, or a term that goes down. The message names the byte
 * offset in the batch and the problem. The sender's bytes cannot be trusted; the receiver should ask again
 * (from its last LSN), not store them.
 */
public final class RawBatchRejectedException extends IOException {
    private final long offset;

    public RawBatchRejectedException(long offset, String problem) {
        super("raw wal records at offset " + offset + " refused: " + problem);
        this.offset = offset;
    }

    /** Byte offset in the batch of the record that failed. */
    public long offset() {
        return offset;
    }
}
