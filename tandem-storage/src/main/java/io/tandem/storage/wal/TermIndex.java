package io.tandem.storage.wal;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The term of every LSN in the log, stored as the first LSN of each run of equal terms (terms change
 * rarely, so this stays tiny). Changed by the appending thread only; looked up from any thread (the
 * {@link WalReader}s), which is why the map is a concurrent one. A reader on another thread must not trust
 * a lookup past the LSNs it may read: those can still be truncated (see {@link LogFence}).
 *
 * <p>Worked example: entries 1..10 in term 1 and 11..15 in term 3 are stored as {1 -> 1, 11 -> 3};
 * termAt(10) finds the entry at 1 (term 1), termAt(11) the entry at 11 (term 3).
 */
final class TermIndex {
    private final ConcurrentSkipListMap<Long, Long> starts = new ConcurrentSkipListMap<>();
    /** The term of the last run, or -1 when empty: saves a map lookup on every append. Appender only. */
    private long lastTerm = -1;

    void append(long lsn, long term) {
        if (term != lastTerm) {
            starts.put(lsn, term);
            lastTerm = term;
        }
    }

    /** The term of {@code lsn}, which the caller has checked lies in the log; -1 if none is known. */
    long termAt(long lsn) {
        Map.Entry<Long, Long> run = starts.floorEntry(lsn);
        return run == null ? -1 : run.getValue();
    }

    /** Forgets LSNs after {@code lsn}. */
    void truncateAfter(long lsn) {
        starts.tailMap(lsn, false).clear();
        resetLastTerm();
    }

    /** Forgets LSNs before {@code firstLsn}, keeping the run that covers it. */
    void trimBefore(long firstLsn) {
        Long covering = starts.floorKey(firstLsn);
        if (covering != null) {
            starts.headMap(covering, false).clear();
        }
    }

    void clear() {
        starts.clear();
        lastTerm = -1;
    }

    private void resetLastTerm() {
        Map.Entry<Long, Long> last = starts.lastEntry();
        lastTerm = last == null ? -1 : last.getValue();
    }
}
