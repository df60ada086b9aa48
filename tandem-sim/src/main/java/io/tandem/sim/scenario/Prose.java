package io.tandem.sim.scenario;

import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import java.util.List;

/** Phrases the scenarios' summaries share, built from a run's facts. */
final class Prose {
    private Prose() {}

    /** "22.000 ms on n2 returned (nil) (stale), 30.000 ms on n2 returned "v1" (fresh)". */
    static String reads(ScenarioRun run, List<Operation> reads) {
        StringBuilder text = new StringBuilder();
        for (Operation read : reads) {
            ReadOutcome outcome = run.outcome(read);
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(Millis.of(read.invokedMicros())).append(" on ").append(outcome.node()).append(" returned ")
                    .append(Describe.reply(read.reply())).append(outcome.stale() ? " (stale)" : " (fresh)");
        }
        return text.toString();
    }

    /** "SET k1 v1 (LSN 2), SET k2 v2 (LSN 3) and SET k3 v3 (LSN 4)", or "none". */
    static String writes(List<Operation> writes) {
        List<String> each = writes.stream()
                .map(w -> w.text() + (w.entry() == null ? "" : " (LSN " + w.entry().lsn() + ")")).toList();
        return and(each);
    }

    /** [a] -> "a", [a, b, c] -> "a, b and c", [] -> "none". */
    static String and(List<String> words) {
        int last = words.size() - 1;
        return last < 0 ? "none" : last == 0 ? words.get(0)
                : String.join(", ", words.subList(0, last)) + " and " + words.get(last);
    }

    /** "1 write", "3 writes". */
    static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }
}
