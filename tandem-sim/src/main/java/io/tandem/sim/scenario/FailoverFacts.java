package io.tandem.sim.scenario;

import io.tandem.core.model.Entry;
import io.tandem.sim.sim.Operation;
import java.util.List;

/** What the failover scenarios' summaries ask of a run: who lost what, and whether the logs converged. */
final class FailoverFacts {
    private FailoverFacts() {}

    /** The writes the leader acknowledged that node {@code node}'s final log does not hold. */
    static List<Operation> lostOn(ScenarioRun run, int node) {
        return run.acknowledged().stream().filter(w -> !run.finallyHolds(node, w)).toList();
    }

    /** The writes logged by a leader that got no reply (the leader crashed first). */
    static List<Operation> unanswered(ScenarioRun run) {
        return run.writes().stream().filter(w -> w.entry() != null && w.reply() == null).toList();
    }

    /** The writes of {@code writes} logged above {@code lsn}: what a log ending there lacks of them. */
    static List<Operation> above(List<Operation> writes, long lsn) {
        return writes.stream().filter(w -> w.entry().lsn() > lsn).toList();
    }

    /** The acknowledged writes of the script's WriteMany. */
    static List<Operation> acknowledgedBulk(ScenarioRun run) {
        return run.acknowledged().stream().filter(run::isBulk).toList();
    }

    /** The final logs of every node are one log: same length, same term at every LSN. */
    static boolean converged(ScenarioRun run, int nodes) {
        List<Entry> first = run.finalLog(1);
        for (int n = 2; n <= nodes; n++) {
            List<Entry> other = run.finalLog(n);
            if (other.size() != first.size()) {
                return false;
            }
            for (int i = 0; i < first.size(); i++) {
                if (other.get(i).term() != first.get(i).term()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first candidacy of node {@code node} before {@code micros}, or null. */
    static ScenarioRun.Candidacy firstCandidacy(ScenarioRun run, int node, long micros) {
        return run.candidacies().stream().filter(c -> c.node() == node && c.atMicros() < micros).findFirst()
                .orElse(null);
    }

    /** Did {@code voter} refuse {@code candidate} (any round) before {@code micros}? */
    static ScenarioRun.Answer refusal(ScenarioRun run, int voter, int candidate, long micros) {
        return run.answers().stream().filter(a -> a.voter() == voter && a.candidate() == candidate && !a.granted()
                && a.atMicros() < micros).findFirst().orElse(null);
    }
}
