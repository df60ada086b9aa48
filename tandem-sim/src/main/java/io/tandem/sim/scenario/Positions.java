package io.tandem.sim.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * When one node first reached each LSN at one level (in its log, durable, applied): the facts a scenario's
 * summary and its tests read ("n2 had LSN 1 durable at 14.6 ms"). A position that moves back (a crash, a
 * truncation) keeps the first times: the question is when a node first had an entry.
 */
final class Positions {
    /** firstMicros.get(lsn - 1): when the position first reached lsn. */
    private final List<Long> firstMicros = new ArrayList<>();
    private long current;

    long current() {
        return current;
    }

    /** Records the position; returns the previous one. */
    long moveTo(long lsn, long nowMicros) {
        long previous = current;
        while (firstMicros.size() < lsn) {
            firstMicros.add(nowMicros);
        }
        current = lsn;
        return previous;
    }

    /** When the position first reached {@code lsn}, or -1 if it never did. */
    long firstMicros(long lsn) {
        return lsn >= 1 && lsn <= firstMicros.size() ? firstMicros.get((int) (lsn - 1)) : -1;
    }
}
