package io.tandem.storage.wal;

import java.util.Optional;

/**
 * What {@link WalRecovery#open} found.
 *
 * @param firstLsn first LSN the log holds after recovery (lastLsn + 1 if it holds none)
 * @param lastLsn last LSN the log holds, or the snapshot's LSN if the log ends before it
 * @param lastTerm term of the entry at lastLsn (0 if the log holds none after the snapshot)
 * @param entriesReplayed entries handed to the consumer (those after the snapshot's LSN)
 * @param recordsRead every whole record read, replayed or not
 * @param bytesRead bytes of whole records read
 * @param segments segment files in the log after recovery
 * @param elapsedNanos time recovery took
 * @param tornTail the torn tail that was cut, or null
 */
public record RecoveryReport(long firstLsn, long lastLsn, long lastTerm, long entriesReplayed, long recordsRead,
                             long bytesRead, int segments, long elapsedNanos, TornTail tornTail) {

    public Optional<TornTail> torn() {
        return Optional.ofNullable(tornTail);
    }

    /** Replayed entries per second of recovery time. */
    public double entriesPerSecond() {
        return elapsedNanos == 0 ? 0 : entriesReplayed * 1e9 / elapsedNanos;
    }
}
