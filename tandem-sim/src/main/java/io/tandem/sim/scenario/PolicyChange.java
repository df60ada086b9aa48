package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.crash;
import static io.tandem.sim.scenario.Step.setAckPolicy;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import java.util.List;

/**
 * Semi-sync 2 with a follower down: a write waits for a second follower that is not there, until an operator
 * loosens the policy on the leader (CONFIG SET), which acknowledges it at once.
 */
final class PolicyChange {
    private PolicyChange() {}

    static Scenario scenario() {
        return new Scenario("policy-change",
                "semi-sync 2 with n3 down: a write waits until the operator sets semi-sync 1 on the leader",
                List.of("n1 leads, n2 and n3 follow. The ack policy is semi-sync 2 at level durable: n1 acknowledges"
                        + " a write once both followers have it durable, and waits up to ack-timeout-millis (1000 ms)"
                        + " for them.",
                        "At 30 ms n3's process dies. At 50 ms the client writes k=v1: n2 has it durable soon after,"
                        + " n3 never. At 120 ms an operator runs CONFIG SET ack-policy \"semi-sync 1\" on n1; at 140 ms"
                        + " the client writes k=v2. Watch when each write is acknowledged, and what n1's commit point"
                        + " says it met."),
                QuietCluster.config("semi-sync 2", AckLevel.DURABLE, 3),
                List.of(),
                List.of(crash(30_000, 3),
                        write(50_000, "SET", "k", "v1"),
                        showLag(100_000, "100 ms: the write still waits, semi-sync 2 needs n3"),
                        setAckPolicy(120_000, 1, "semi-sync 1"),
                        write(140_000, "SET", "k", "v2")),
                160_000,
                PolicyChange::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        Operation first = run.writes().get(0);
        Operation second = run.writes().get(1);
        long lsn = run.lsn(first);
        return List.of(
                "The first write could not be acknowledged under semi-sync 2: n2 had LSN " + lsn + " durable at "
                        + Millis.of(run.durableMicros(2, lsn)) + ", and n3 was down. It waited until the operator's"
                        + " CONFIG SET at 120 ms; n1 then acknowledged it at once (the client heard "
                        + Describe.reply(first.reply()) + " at " + Millis.of(run.repliedMicros(first)) + "), since"
                        + " n2 already held what semi-sync 1 asks for. Without the change it would have failed"
                        + " ack-timeout-millis (1000 ms) after it was logged, with -NOREPLICAS (the entry staying in"
                        + " the log).",
                "The second write was acknowledged " + Millis.of(run.repliedMicros(second) - second.invokedMicros())
                        + " after it was sent: n1's disk and n2's, a round trip to n2 and its fsync.",
                "What each write promises is the policy in force when it was acknowledged: both are on two disks,"
                        + " n1's and n2's. The change is n1's alone: n2 keeps semi-sync 2 and would use it if it led."
                        + " An operator sets it on every member, and in each configuration (CONFIG SET is not kept"
                        + " across a restart).");
    }
}
