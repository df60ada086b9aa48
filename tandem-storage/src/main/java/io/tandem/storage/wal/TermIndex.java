package io.tandem.storage.wal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The term of every LSN in the log, stored as the first LSN of each run of equal terms (terms change
 * rarely, so this stays tiny). Used by the appending thread only.
 *
 * <p>Worked example: entries 1..10 in term 1 and 11..15 in term 3 are stored as {1 -> 1, 11 -> 3};
 * termAt(10) finds the entry at 1 (term 1), termAt(11) the entry at 11 (term 3).
 */
final class TermIndex {
    private final TreeMap<Long, Long> starts = new TreeMap<>();

    void append(long lsn, long term) {
        Map.Entry<Long, Long> last = starts.lastEntry();
        if (last == null || last.getValue() != term) {
            starts.put(lsn, term);
        }
    }

    /** The term of {@code lsn}, which the caller has checked lies in the log. */
    long termAt(long lsn) {
        Map.Entry<Long, Long> run = starts.floorEntry(lsn);
        return run == null ? -1 : run.getValue();
    }

    /** Forgets LSNs after {@code lsn}. */
    void truncateAfter(long lsn) {
        starts.tailMap(lsn, false).clear();
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
    }
}
