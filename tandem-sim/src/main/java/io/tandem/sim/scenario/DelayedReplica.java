package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.read;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.sim.sim.Operation;
import java.util.List;

/**
 * A delayed replica (apply-delay-millis): n3 receives and persists each entry at once but applies it only
 * 100 ms after it was written, so a mistake (here a DEL) stays undone there for that long.
 */
final class DelayedReplica {
    static final long APPLY_DELAY_MILLIS = 100;

    private DelayedReplica() {}

    static Scenario scenario() {
        return new Scenario("delayed-replica",
                "apply-delay-millis: a replica shows each write 100 ms late, a mistaken DEL too",
                List.of("n1 leads, n2 and n3 follow with async acknowledgement. n3 is a delayed replica"
                        + " (apply-delay-millis " + APPLY_DELAY_MILLIS + "): it logs and syncs each entry as soon as"
                        + " it arrives, but applies it only " + APPLY_DELAY_MILLIS + " ms after the entry was"
                        + " written, checking on its 10 ms tick (MySQL's SOURCE_DELAY, PostgreSQL's"
                        + " recovery_min_apply_delay).",
                        "At 20 ms the client writes k=v1; at 150 ms it deletes k by mistake. Reads on n2 and n3"
                        + " show n3 holding the past: its log has the DEL, its keyspace does not yet."),
                QuietCluster.config("async", AckLevel.DURABLE, List.of(MemberConfig.voter(NodeId.of("n1")),
                        MemberConfig.voter(NodeId.of("n2")), new MemberConfig(NodeId.of("n3"), true, APPLY_DELAY_MILLIS)),
                        OnAckTimeout.ERROR),
                List.of(),
                List.of(write(20_000, "SET", "k", "v1"),
                        read(50_000, 3, "GET", "k"),
                        showLag(50_000, "50 ms: n3 has LSN 1 durable but not applied"),
                        write(150_000, "DEL", "k"),
                        read(170_000, 2, "GET", "k"),
                        read(170_000, 3, "GET", "k"),
                        showLag(170_000, "170 ms: n3 still shows k"),
                        read(300_000, 3, "GET", "k")),
                310_000,
                DelayedReplica::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        Operation set = run.writes().get(0);
        Operation del = run.writes().get(1);
        long setLsn = run.lsn(set);
        long delLsn = run.lsn(del);
        List<Operation> reads = run.reads();
        return List.of(
                "n3 had LSN " + setLsn + " (SET) durable at " + Millis.of(run.durableMicros(3, setLsn))
                        + " but applied it only at " + Millis.of(run.appliedMicros(3, setLsn)) + ", "
                        + Millis.of(run.appliedMicros(3, setLsn) - run.receivedMicros(1, setLsn))
                        + " after n1 logged it; n2, not delayed, applied it at " + Millis.of(run.appliedMicros(2, setLsn))
                        + ".",
                "The DEL (LSN " + delLsn + ") was acknowledged at " + Millis.of(run.repliedMicros(del))
                        + " and applied on n2 at " + Millis.of(run.appliedMicros(2, delLsn)) + ", but on n3 only at "
                        + Millis.of(run.appliedMicros(3, delLsn)) + ": until then n3 still had the deleted value,"
                        + " which an operator could copy back. The reads at " + Prose.reads(run, reads) + ".",
                "A delayed replica lags by design: at 170 ms n3 was 1 entry behind although its log and disk"
                        + " held everything. Lag shown per level (log, durable, applied) tells that apart from a"
                        + " follower that is cut off or slow.");
    }
}
