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
}
