package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.crash;
import static io.tandem.sim.scenario.Step.restart;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;
import static io.tandem.sim.scenario.Step.writeMany;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * Automatic failover under semi-sync 1: the leader crashes in the middle of a stream of writes. The sync
 * follower holds every acknowledged write and is elected; the async one, behind, is refused; no
 * acknowledged write is lost, and the old leader rejoins as a follower.
 */
final class FailoverSemiSync {
    static final int WRITES = 1000;
    static final long CRASH_MICROS = 100_000 + WRITES * 1_000L;
    static final long RESTART_MICROS = 2_500_000;

    private FailoverSemiSync() {}

    static Scenario scenario() {
        return new Scenario("failover-semi-sync",
                "semi-sync 1 + failover: the leader crashes, the follower with every acked write is elected",
                List.of("n1 leads, n2 and n3 follow; n2 is near n1 (1 ms), n3 far (5 ms). The ack policy is semi-sync 1"
                        + " at level durable, and failover is automatic: a follower that hears from no leader for"
                        + " 300 ms (plus a random part of as much again) stands for election.",
                        "From 100 ms the client writes SET k1 v1 to SET k1000 v1000, one a millisecond. n2, the"
                        + " nearer, confirms each write first, so it is the follower each acknowledgement waits for;"
                        + " n3 trails by a few entries. Right after the last write n1 crashes. Watch who stands for"
                        + " election, who refuses whom and why (the LSN each log ends at), and the empty entry the"
                        + " new leader opens its term with. Then a write goes to the new leader, and n1 restarts,"
                        + " follows it and drops what only it had."),
                QuietCluster.config("semi-sync 1", AckLevel.DURABLE, 3).withElectionTimeout(300),
                List.of(new Scenario.Link(1, 2, 1_000), new Scenario.Link(1, 3, 5_000), new Scenario.Link(2, 3, 5_000)),
                List.of(writeMany(100_000, WRITES, 1_000, "k", "v"),
                        showLag(CRASH_MICROS, Millis.of(CRASH_MICROS) + ": the writes are sent, n1 is about to crash"),
                        crash(CRASH_MICROS, 1),
                        showLag(2_000_000, "2000 ms: after the election"),
                        write(2_000_000, "SET", "after", "failover"),
                        restart(RESTART_MICROS, 1),
                        showLag(3_000_000, "3000 ms: n1 is back")),
                3_100_000,
                FailoverSemiSync::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        ScenarioRun.Crash crash = run.crashes().get(0);
        ScenarioRun.Election election = run.elections().get(0);
        int leader = election.node();
        int other = leader == 2 ? 3 : 2;
        List<Operation> acked = FailoverFacts.acknowledgedBulk(run);
        long lastAcked = acked.isEmpty() ? 0 : run.lsn(acked.get(acked.size() - 1));
        long[] n1 = crash.positions().get(1);
        long[] sync = crash.positions().get(2);
        long[] far = crash.positions().get(3);
        List<Operation> n3Lacks = FailoverFacts.above(acked, far[0]);
        List<String> text = new ArrayList<>();
        text.add("At the crash (" + Millis.of(crash.atMicros()) + ") n1 had logged up to LSN " + n1[0] + " and"
                + " acknowledged " + Prose.count(acked.size(), "write") + ", up to LSN " + lastAcked + " (LSN 1 is the"
                + " empty entry that opened term 1): semi-sync 1 released each reply once n2 reported the write"
                + " durable. n2, the sync follower, had LSN " + sync[0] + " in its log and " + sync[1] + " durable: "
                + (FailoverFacts.above(acked, sync[1]).isEmpty() ? "every acknowledged write" : "NOT every acknowledged write")
                + ". n3, the far one, had its log end at LSN " + far[0] + (n3Lacks.isEmpty()
                        ? ": it happened to hold every acknowledged write too."
                        : ": it lacked " + Prose.count(n3Lacks.size(), "acknowledged write") + ", "
                                + Prose.writes(n3Lacks) + "."));
        ScenarioRun.Candidacy otherStood = FailoverFacts.firstCandidacy(run, other, election.atMicros());
        ScenarioRun.Answer refused = FailoverFacts.refusal(run, leader, other, election.atMicros());
        if (otherStood != null && refused != null) {
            text.add("n" + other + " stood first, at " + Millis.of(otherStood.atMicros()) + ", with its log ending at"
                    + " LSN " + otherStood.lastLsn() + ". n" + leader + " refused it: a vote goes only to a candidate"
                    + " whose log is at least as up to date as the voter's, and n1 was down, so n" + other
                    + " could not win." + (n3Lacks.isEmpty() || other != 3 ? "" : " Had it won, the acknowledged"
                    + " writes it lacked would have been lost."));
        }
        ScenarioRun.Candidacy stood = FailoverFacts.firstCandidacy(run, leader, election.atMicros());
        text.add("n" + leader + " stood at " + Millis.of(stood.atMicros()) + " (" + Millis.of(stood.atMicros()
                - crash.atMicros()) + " after the crash: the election timeout of 300 ms plus its random part) and was"
                + " elected leader of term " + election.term() + " at " + Millis.of(election.atMicros()) + " with "
                + election.votes() + " votes, after a pre-vote and a vote round trip. When it won, its log held "
                + (election.missing().isEmpty() ? "all " + election.acknowledgedBefore().size()
                        + " writes acknowledged so far" : "NOT all writes acknowledged so far: it lacked "
                        + Prose.writes(election.missing())) + ".");
        List<Operation> lost = FailoverFacts.lostOn(run, run.finalLeader());
        List<Operation> unanswered = FailoverFacts.unanswered(run);
        List<Operation> unansweredKept = unanswered.stream().filter(w -> run.finallyHolds(run.finalLeader(), w)).toList();
        text.add((lost.isEmpty() ? "No acknowledged write was lost: all " + run.acknowledged().size()
                + " writes the client was told succeeded (those before the crash and the one after) are in n"
                + run.finalLeader() + "'s log at the end, at the LSN and in the term they were acknowledged with."
                : "Acknowledged writes were LOST: " + Prose.writes(lost) + ".")
                + " The " + Prose.count(unanswered.size(), "write") + " n1 had logged but not acknowledged ("
                + Prose.writes(unanswered) + ") got no reply: such a write may go either way, and here "
                + (unansweredKept.isEmpty() ? "none survived" : Prose.writes(unansweredKept) + " survived") + ".");
        long opening = election.lastLsn() + 1;
        ScenarioRun.Rewind rewind = run.rewinds().isEmpty() ? null : run.rewinds().get(0);
        text.add("n" + other + " caught up from n" + leader + ": it applied LSN " + opening + ", the entry that"
                + " opened term " + election.term() + ", at " + Millis.of(run.appliedMicros(other, opening)) + ". n1"
                + " restarted at " + Millis.of(RESTART_MICROS) + " with what its disk held, followed n" + leader
                + " once it heard from it" + (rewind == null ? "" : ", and dropped " + EventText.lsns(rewind.afterLsn()
                        + 1, rewind.lastLsn()) + ", which it had logged in term 1 and never acknowledged (a real node"
                        + " lists them in " + rewind.rollbackFile() + ")") + ". At the end "
                + (FailoverFacts.converged(run, 3) ? "all three logs are the same " + run.finalLog(1).size()
                        + " entries." : "the logs still DIFFER."));
        return text;
    }
}
