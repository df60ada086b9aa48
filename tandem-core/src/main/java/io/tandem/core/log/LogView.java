package io.tandem.core.log;

import io.tandem.core.model.Entry;
import java.util.List;

/**
 * The protocol's read-only view of its own log, provided by whoever stores it (the runtime's WAL, the
 * simulator's disk). The protocol writes only through {@code Output.persist} and
 * {@code Output.truncateLog}; the view reflects those at once (entries persisted in a step are readable
 * in the next call), whether or not they are durable yet.
 */
public interface LogView {
    /** The first LSN still held (older ones were dropped after a snapshot), or lastLsn() + 1 if empty. */
    long firstLsn();

    long lastLsn();

    /** The term of the entry at lsn; 0 for lsn 0 (the empty prefix); -1 when lsn is not held. */
    long term(long lsn);

    /**
     * Consecutive entries from fromLsn, at least one if fromLsn is held, stopping before maxBytes of
     * payload would be exceeded or at the end of the log. Empty if fromLsn &gt; lastLsn.
     */
    List<Entry> entries(long fromLsn, long maxBytes);

    /**
     * Payload bytes of the entries after lsn up to the log's end (EntryCodec.payloadSize each): how far
     * behind, in bytes, a replica whose log ends at lsn is. Exact for recent entries; a view may estimate
     * older ones from an average entry size, and says so.
     */
    long bytesAfter(long lsn);
}
