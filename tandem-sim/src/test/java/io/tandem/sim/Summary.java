package io.tandem.sim;

import java.util.List;

/** One line summing a batch of runs: enough to see that the schedules exercised something. */
final class Summary {
    private Summary() {}

    static String of(List<SimulationResult> results) {
        long events = 0;
        long ops = 0;
        long succeeded = 0;
        long acked = 0;
        long promises = 0;
        long degraded = 0;
        long dropped = 0;
        long faults = 0;
        long crashes = 0;
        long snapshots = 0;
        long leaderships = 0;
        long rolledBack = 0;
        long changesLogged = 0;
        long changesAcknowledged = 0;
        for (SimulationResult r : results) {
            changesLogged += r.membershipChangesLogged();
            changesAcknowledged += r.membershipChangesAcknowledged();
            leaderships += r.leaderships();
            rolledBack += r.rolledBackEntries();
            events += r.events();
            ops += r.operations();
            succeeded += r.succeeded();
            acked += r.ackedWritesChecked();
            promises += r.promisesChecked();
            degraded += r.degradedReleases();
            dropped += r.messagesDropped();
            faults += r.faults();
            crashes += r.crashes();
            snapshots += r.snapshotsInstalled();
        }
        String what = results.isEmpty() ? "-" : results.get(0).policyAndLevel();
        return String.format("%-28s %d runs: %d events, %d ops (%d ok), %d acked writes kept, %d promises checked,"
                + " %d degraded releases, %d messages dropped, %d faults (%d crashes), %d snapshots installed", what,
                results.size(), events, ops, succeeded, acked, promises, degraded, dropped, faults, crashes, snapshots)
                + (leaderships > results.size() ? String.format(", %d leaderships, %d entries rolled back", leaderships,
                        rolledBack) : "")
                + (changesLogged > 0 ? String.format(", %d membership changes logged (%d acknowledged)", changesLogged,
                        changesAcknowledged) : "");
    }
}
