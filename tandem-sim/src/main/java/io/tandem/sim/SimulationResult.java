package io.tandem.sim;

/**
 * What a passing run did, for the test's summary line and for judging whether the schedules exercise
 * anything: events run, simulated time, operations, acknowledgements checked, faults.
 */
public record SimulationResult(
        long seed,
        String policyAndLevel,
        long events,
        long simulatedMillis,
        long operations,
        long succeeded,
        long ackedWritesChecked,
        long promisesChecked,
        long degradedReleases,
        long messagesSent,
        long messagesDropped,
        int faults,
        int crashes,
        long finalLsn,
        long snapshotsInstalled,
        long leaderships,
        long rolledBackEntries,
        long membershipChangesLogged,
        long membershipChangesAcknowledged) {

    /** A failover run without membership changes. */
    public SimulationResult(long seed, String policyAndLevel, long events, long simulatedMillis, long operations,
            long succeeded, long ackedWritesChecked, long promisesChecked, long degradedReleases, long messagesSent,
            long messagesDropped, int faults, int crashes, long finalLsn, long snapshotsInstalled, long leaderships,
            long rolledBackEntries) {
        this(seed, policyAndLevel, events, simulatedMillis, operations, succeeded, ackedWritesChecked, promisesChecked,
                degradedReleases, messagesSent, messagesDropped, faults, crashes, finalLsn, snapshotsInstalled,
                leaderships, rolledBackEntries, 0, 0);
    }

    /** A run with failover by hand: the configured leader leads throughout. */
    public SimulationResult(long seed, String policyAndLevel, long events, long simulatedMillis, long operations,
            long succeeded, long ackedWritesChecked, long promisesChecked, long degradedReleases, long messagesSent,
            long messagesDropped, int faults, int crashes, long finalLsn, long snapshotsInstalled) {
        this(seed, policyAndLevel, events, simulatedMillis, operations, succeeded, ackedWritesChecked, promisesChecked,
                degradedReleases, messagesSent, messagesDropped, faults, crashes, finalLsn, snapshotsInstalled, 1, 0);
    }
}
