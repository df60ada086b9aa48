package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.read;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Operation;
import java.util.List;
import java.util.Map;

/**
 * Cascading under "all": n3 streams from n2 (upstream n2), not from n1. n2 relays only what it holds
 * durable, and n1 learns n3's position through n2's answers, so the acknowledgement waits for both hops.
 */
final class Cascading {
    private Cascading() {}

    static Scenario scenario() {
        return new Scenario("cascading",
                "cascading: n3 streams from n2, which relays; under all the ack waits for both hops",
                List.of("n1 leads; n2 follows n1; n3 follows through n2 (upstream n2), like a Redis replica of a"
                        + " replica. n2 relays what it holds durable, with n1's commit point, and reports n3's"
                        + " positions to n1 with its own. The ack policy is all at level durable: a write is"
                        + " acknowledged once n1, n2 and n3 have it on disk.",
                        "At 50 ms the client writes k=v1 to n1; it reads k on n3 before and after the acknowledgement."
                        + " Watch LSN 1 reach n3 only after n2's fsync, and n1 learn n3's position from n2."),
                QuietCluster.config("all", AckLevel.DURABLE, 3),
                List.of(new Scenario.Link(1, 2, 2_000), new Scenario.Link(2, 3, 2_000), new Scenario.Link(1, 3, 2_000)),
                List.of(write(50_000, "SET", "k", "v1"),
                        read(54_000, 3, "GET", "k"),
                        showLag(54_000, "54 ms: n2 has the write; n3 not yet"),
                        read(70_000, 3, "GET", "k"),
                        showLag(75_000, "75 ms: all caught up")),
                80_000,
                Cascading::summary,
                Map.of(3, 2));
    }

    private static List<String> summary(ScenarioRun run) {
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        long relayed = run.durableMicros(3, lsn) - run.durableMicros(2, lsn);
        return List.of(
                "n2 made LSN 1 durable at " + Millis.of(run.durableMicros(2, lsn)) + " and only then passed it on:"
                        + " n3 received it at " + Millis.of(run.receivedMicros(3, lsn)) + " and made it durable at "
                        + Millis.of(run.durableMicros(3, lsn)) + ", " + Millis.of(relayed) + " after n2 (a link and"
                        + " n3's own fsync). A relay never passes on what a crash of its own could take back.",
                "Under all, the client was acknowledged at " + Millis.of(run.repliedMicros(write)) + ", once n1 had heard"
                        + " through n2 that n3 had LSN 1 durable: the write took "
                        + Millis.of(run.repliedMicros(write) - write.invokedMicros()) + " for two hops, each a link"
                        + " and an fsync.",
                "The reads on n3: " + Prose.reads(run, run.reads()) + ". Cascading spares the leader a stream per"
                        + " replica (n1 sends to n2 only) at the price of one more hop of lag for n3.");
    }
}
