package io.tandem.storage.wal;

import java.io.IOException;

/**
 * Told when the durable LSN advances, from whichever thread made it durable: the caller's own thread inside
 * {@link Wal#flush()} (ALWAYS, EVERYSEC, NEVER) or the WAL writer thread (BATCH, and EVERYSEC for records
 * its periodic sync wrote). Calls are made one at a time under the writer's lock, so LSNs arrive strictly
 * increasing; the callback must be quick (hand the LSN to the agent's queue) and must not call back into
 * the {@link Wal}.
 */
@FunctionalInterface
public interface DurableListener {
    /** Every record with an LSN up to and including {@code lsn} is durable under the fsync policy. */
    void onDurable(long lsn);

    /**
     * A write or fdatasync failed: nothing after the last reported LSN will ever be reported durable, and
     * the node must stop (after a failed fsync the kernel may have dropped the dirty pages, so retrying
     * could report data durable that is not; see PostgreSQL's "fsyncgate"). Called at most once.
     */
    default void onFailed(IOException failure) {}
}
