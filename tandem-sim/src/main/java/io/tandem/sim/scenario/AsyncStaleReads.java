package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.read;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Operation;
import java.util.List;

/**
 * Seed scenario 1: one leader, two followers, async. A write is acknowledged as soon as the leader has it
 * durable; reads on the followers miss it until the stream reaches them, the far one last.
 */
final class AsyncStaleReads {
    private AsyncStaleReads() {}

    static Scenario scenario() {
        return new Scenario("async-stale-reads",
                "async: acknowledged before any follower has the write; follower reads stale until it arrives",
                List.of("n1 leads, n2 and n3 follow; n3 is farther away than n2. The ack policy is async: n1"
                        + " acknowledges a write as soon as it is durable on n1's own disk, and streams it to the"
                        + " followers after that.",
                        "At 20 ms the client writes k=v1 to n1. Right after its acknowledgement it reads k on n2, a"
                        + " little later on n3, then on both again once they have caught up. Watch when each node has"
                        + " LSN 1 in its log, durable and applied, and what each read returns."),
                QuietCluster.config("async", AckLevel.DURABLE, 3),
                List.of(new Scenario.Link(1, 2, 2_000), new Scenario.Link(1, 3, 5_000)),
                List.of(write(20_000, "SET", "k", "v1"),
                        showLag(22_000, "22 ms: the client has its +OK"),
                        read(22_000, 2, "GET", "k"),
                        read(24_500, 3, "GET", "k"),
                        read(30_000, 2, "GET", "k"),
                        read(30_000, 3, "GET", "k"),
                        showLag(35_000, "35 ms: both followers have caught up")),
                40_000,
                AsyncStaleReads::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        long acked = run.repliedMicros(write);
        List<Operation> reads = run.reads();
        return List.of(
                "async: the client was acknowledged at " + Millis.of(acked) + ", when only n1 had LSN 1 durable (at "
                        + Millis.of(run.durableMicros(1, lsn)) + "); n2 made it durable at "
                        + Millis.of(run.durableMicros(2, lsn)) + " and n3 at " + Millis.of(run.durableMicros(3, lsn))
                        + ", both after the acknowledgement. Had n1's disk been lost in between, an acknowledged"
                        + " write would have been on no other node.",
                "After the acknowledgement n2 was stale for " + Millis.of(run.staleAfterAckMicros(2, write))
                        + " and n3 for " + Millis.of(run.staleAfterAckMicros(3, write)) + " (until each applied LSN "
                        + lsn + "): the reads at " + Prose.reads(run, reads.subList(0, 2)) + ".",
                "Once the stream reached them, the same reads were fresh: " + Prose.reads(run, reads.subList(2, 4))
                        + ". Async replication converges, but a client reading a follower may not see its own"
                        + " acknowledged write: use TANDEM.WAITLSN or read from the leader for read-your-writes.");
    }
}
