package io.tandem.sim.scenario;

import io.tandem.sim.sim.Operation;

/**
 * What a read showed, judged when its node answered: stale if the node had applied less than the leader had
 * logged at that moment (a write the leader accepted was not visible there yet).
 *
 * @param appliedLsn   what the answering node had applied
 * @param leaderLsn    the end of the leader's log at that moment
 * @param answerMicros when the node answered (the client hears it one hop later)
 */
public record ReadOutcome(Operation read, String node, long appliedLsn, long leaderLsn, long answerMicros) {
    public boolean stale() {
        return appliedLsn < leaderLsn;
    }
}
