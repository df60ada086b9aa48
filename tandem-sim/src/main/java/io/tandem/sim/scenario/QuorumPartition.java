package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.heal;
import static io.tandem.sim.scenario.Step.isolate;
import static io.tandem.sim.scenario.Step.read;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Operation;
import java.util.List;

/**
 * Quorum with one follower cut off: a majority (n1 and n2) still acknowledges writes; the cut-off follower
 * falls behind and catches up from the leader's log once the network heals.
 */
final class QuorumPartition {
    static final long HEAL_MICROS = 120_000;

    private QuorumPartition() {}

    static Scenario scenario() {
        return new Scenario("quorum-partition",
                "quorum: a follower cut off, writes still acknowledged; it catches up after the heal",
                List.of("n1 leads, n2 and n3 follow. The ack policy is quorum at level durable: a write is"
                        + " acknowledged once a majority of the three voters (n1 and one follower) has it durable.",
                        "At 20 ms n3 is cut off from the others. The client writes twice; both writes are"
                        + " acknowledged with n2 alone. A read on n3 shows the old state: n3 cannot even know it is"
                        + " behind. At 120 ms the network heals, and n3 catches up from n1's log: watch how (n1"
                        + " sends the unacknowledged entries again, or n3, having heard nothing for a while,"
                        + " subscribes again)."),
                QuietCluster.config("quorum", AckLevel.DURABLE, 3),
                List.of(new Scenario.Link(1, 2, 2_000), new Scenario.Link(1, 3, 2_000)),
                List.of(isolate(20_000, 3),
                        write(30_000, "SET", "k", "v1"),
                        write(40_000, "SET", "k", "v2"),
                        read(50_000, 3, "GET", "k"),
                        showLag(60_000, "60 ms: n3 is still cut off"),
                        heal(HEAL_MICROS, 3),
                        read(400_000, 3, "GET", "k"),
                        showLag(410_000, "410 ms: after the heal")),
                420_000,
                QuorumPartition::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        List<Operation> writes = run.writes();
        Operation first = writes.get(0);
        Operation last = writes.get(writes.size() - 1);
        long lastLsn = run.lsn(last);
        long caughtUp = run.appliedMicros(3, lastLsn);
        List<Operation> reads = run.reads();
        return List.of(
                "quorum: with n3 cut off, the writes were acknowledged at " + Millis.of(run.repliedMicros(first))
                        + " and " + Millis.of(run.repliedMicros(last)) + ", each once n2 had it durable (at "
                        + Millis.of(run.durableMicros(2, run.lsn(first))) + " and "
                        + Millis.of(run.durableMicros(2, lastLsn)) + "): n1 and n2 are a majority of three.",
                "n3 kept serving its old state while cut off, without knowing it was behind: the read at "
                        + Prose.reads(run, reads.subList(0, 1)) + "; after catching up, the read at "
                        + Prose.reads(run, reads.subList(1, 2)) + ".",
                "After the heal at " + Millis.of(HEAL_MICROS) + ", n3 applied LSN " + lastLsn + " at "
                        + Millis.of(caughtUp) + ", " + Millis.of(caughtUp - HEAL_MICROS) + " later: the leader keeps"
                        + " its log for followers that fall behind, and one that comes back catches up from where"
                        + " its own log ends. Most of the wait after the heal is timers: n1 heard n3 again on"
                        + " the next heartbeat, but sent the missing entries only when its resend timer fired"
                        + " (entries unacknowledged for 3 heartbeats).");
    }
}
