package io.tandem.storage.wal;

import java.io.IOException;

/**
 * The log no longer holds the LSN asked for: the segments holding it were deleted once a snapshot covered
 * them (possibly while the read ran). The caller falls back to sending a snapshot, then reads on from
 * {@link #firstAvailableLsn()} or the snapshot's LSN + 1.
 */
public final class LsnNotAvailableException extends IOException {
    private final long requestedLsn;
    private final long firstAvailableLsn;

    public LsnNotAvailableException(long requestedLsn, long firstAvailableLsn) {
        super("wal: lsn " + requestedLsn + " is no longer in the log, which starts at lsn " + firstAvailableLsn
                + " (older entries were deleted after a snapshot)");
        this.requestedLsn = requestedLsn;
        this.firstAvailableLsn = firstAvailableLsn;
    }

    public long requestedLsn() {
        return requestedLsn;
    }

    /** The first LSN the log held when the read was refused. */
    public long firstAvailableLsn() {
        return firstAvailableLsn;
    }
}
