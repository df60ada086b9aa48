package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.read;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import java.util.List;

/**
 * Semi-sync 1: the acknowledgement waits until one follower has the write durable. The nearer follower
 * answers first; the farther one may still be stale after the client has its acknowledgement.
 */
final class SemiSync {
    private SemiSync() {}

    static Scenario scenario() {
        return new Scenario("semi-sync",
                "semi-sync 1: the ack waits for one follower's disk; the other follower may still be stale",
                List.of("n1 leads, n2 and n3 follow; n3 is much farther away than n2. The ack policy is semi-sync 1"
                        + " at level durable: n1 acknowledges a write once it is durable on n1 and on at least one"
                        + " follower (MySQL's semi-synchronous replication).",
                        "At 50 ms (once both followers are streaming) the client writes k=v1 to n1, and at 52 ms"
                        + " reads k on n1 itself. After the"
                        + " acknowledgement it reads k on n2 and n3, and on n3 again once it has caught up. Watch"
                        + " when n1 learns that n2 has LSN 1 durable: that is when the commit point moves and both"
                        + " replies go out."),
                QuietCluster.config("semi-sync 1", AckLevel.DURABLE, 3),
                List.of(new Scenario.Link(1, 2, 2_000), new Scenario.Link(1, 3, 10_000)),
                List.of(write(50_000, "SET", "k", "v1"),
                        read(52_000, 1, "GET", "k"),
                        showLag(57_000, "57 ms: the client has its +OK"),
                        read(57_000, 2, "GET", "k"),
                        read(57_000, 3, "GET", "k"),
                        read(70_000, 3, "GET", "k"),
                        showLag(75_000, "75 ms: both followers have caught up")),
                80_000,
                SemiSync::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        List<Operation> reads = run.reads();
        Operation leaderRead = reads.get(0);
        return List.of(
                "semi-sync 1: n1 had LSN 1 durable at " + Millis.of(run.durableMicros(1, lsn))
                        + ", but the client was acknowledged only at " + Millis.of(run.repliedMicros(write))
                        + ": after n2 had made it durable (at " + Millis.of(run.durableMicros(2, lsn))
                        + ") and told n1 so. When the client hears +OK, at least two disks hold the write.",
                "The price is latency: the write took " + Millis.of(run.repliedMicros(write) - write.invokedMicros())
                        + ", a round trip to the nearest follower plus its fsync more than async (compare"
                        + " async-stale-reads).",
                "The read on n1 at " + Millis.of(leaderRead.invokedMicros()) + " returned "
                        + Describe.reply(leaderRead.reply()) + " only at "
                        + Millis.of(leaderRead.completedMicros()) + ": a leader holds a read that shows a write until"
                        + " the write is acknowledged, so no client sees data a failover could lose.",
                "Only one follower is waited for: n3 made LSN 1 durable at " + Millis.of(run.durableMicros(3, lsn))
                        + " and was stale for " + Millis.of(run.staleAfterAckMicros(3, write))
                        + " after the acknowledgement (n3's stream only starts once n1 has the entry durable, and its link is"
                        + " long). The reads at " + Prose.reads(run, reads.subList(1, 4))
                        + ".");
    }
}
