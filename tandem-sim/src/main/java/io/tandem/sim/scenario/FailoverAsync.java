package io.tandem.sim.scenario;

import static io.tandem.sim.scenario.Step.crash;
import static io.tandem.sim.scenario.Step.restart;
import static io.tandem.sim.scenario.Step.showLag;
import static io.tandem.sim.scenario.Step.write;
import static io.tandem.sim.scenario.Step.writeMany;

import io.tandem.core.model.Entry;
import io.tandem.sim.sim.Operation;
import io.tandem.core.quorum.AckLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * Automatic failover under async: the leader acknowledges writes no follower has yet, crashes, and a
 * follower is elected without them; when the old leader returns it is rewound, and those acknowledged
 * writes are gone (listed in its rollback file).
 */
final class FailoverAsync {
    static final int WRITES = 1000;
    static final long CRASH_MICROS = 100_000 + WRITES * 1_000L;
    static final long RESTART_MICROS = 2_500_000;

    private FailoverAsync() {}

    static Scenario scenario() {
        return new Scenario("failover-async",
                "async + failover: writes acked by the leader alone are lost when a follower is elected",
                List.of("n1 leads, n2 and n3 follow, both far from n1 (4 ms and 6 ms), close to each other. The ack"
                        + " policy is async at level durable: n1 acknowledges a write once it is on its own disk."
                        + " Failover is automatic, with an election timeout of 300 ms.",
                        "From 100 ms the client writes SET k1 v1 to SET k1000 v1000, one a millisecond, and n1"
                        + " acknowledges each about a millisecond later, while the followers are several entries"
                        + " behind. Right after the last write n1 crashes: the entries on their way to the followers"
                        + " die with its connections. A follower is elected without them. Then a write goes to the"
                        + " new leader, and n1 restarts: watch it find that its log differs from the leader's and"
                        + " drop what only it had, acknowledged writes among them."),
                QuietCluster.config("async", AckLevel.DURABLE, 3).withElectionTimeout(300),
                List.of(new Scenario.Link(1, 2, 4_000), new Scenario.Link(1, 3, 6_000)),
                List.of(writeMany(100_000, WRITES, 1_000, "k", "v"),
                        showLag(CRASH_MICROS, Millis.of(CRASH_MICROS) + ": the writes are sent, n1 is about to crash"),
                        crash(CRASH_MICROS, 1),
                        showLag(2_000_000, "2000 ms: after the election"),
                        write(2_000_000, "SET", "after", "failover"),
                        restart(RESTART_MICROS, 1),
                        showLag(3_000_000, "3000 ms: n1 is back")),
                3_100_000,
                FailoverAsync::summary);
    }

    private static List<String> summary(ScenarioRun run) {
        ScenarioRun.Crash crash = run.crashes().get(0);
        ScenarioRun.Election election = run.elections().get(0);
        int leader = election.node();
        List<Operation> acked = FailoverFacts.acknowledgedBulk(run);
        long lastAcked = acked.isEmpty() ? 0 : run.lsn(acked.get(acked.size() - 1));
        long[] n1 = crash.positions().get(1);
        long[] n2 = crash.positions().get(2);
        long[] n3 = crash.positions().get(3);
        List<String> text = new ArrayList<>();
        text.add("async: at the crash (" + Millis.of(crash.atMicros()) + ") n1 had logged up to LSN " + n1[0]
                + ", had " + n1[1] + " durable, and had acknowledged " + Prose.count(acked.size(), "write") + ", up to"
                + " LSN " + lastAcked + ": each once its own disk had it. n2's log ended at LSN " + n2[0] + " and n3's at"
                + " LSN " + n3[0] + ": the entries after those were in flight on the long links, and died with n1's"
                + " connections.");
        List<Operation> lost = FailoverFacts.lostOn(run, run.finalLeader());
        text.add("n" + leader + " was elected leader of term " + election.term() + " at " + Millis.of(election.atMicros())
                + " (" + Millis.of(election.atMicros() - crash.atMicros()) + " after the crash), its log ending at LSN "
                + election.lastLsn() + ": it lacked " + Prose.count(election.missing().size(), "acknowledged write")
                + ". Nothing stopped it: no node that was up had them, and a vote only compares the logs of the"
                + " nodes that vote. It opened term " + election.term() + " with an empty entry at LSN "
                + (election.lastLsn() + 1) + ", and the write after the failover went to LSN "
                + (election.lastLsn() + 2) + ": the LSNs where n1 had its own entries now hold others.");
        ScenarioRun.Rewind rewind = run.rewinds().stream().filter(r -> r.node() == 1).findFirst().orElse(null);
        if (rewind == null) {
            text.add("n1 was NOT rewound when it came back: " + Prose.count(lost.size(), "acknowledged write")
                    + " missing from the leader's log.");
            return text;
        }
        List<Entry> dropped = rewind.dropped();
        boolean same = dropped.size() == lost.size();
        for (int i = 0; same && i < dropped.size(); i++) {
            Entry entry = lost.get(i).entry();
            same = dropped.get(i).lsn() == entry.lsn() && dropped.get(i).term() == entry.term();
        }
        text.add("n1 restarted at " + Millis.of(RESTART_MICROS) + ", heard from n" + leader + ", found that its log"
                + " differs after LSN " + rewind.afterLsn() + " and at " + Millis.of(rewind.atMicros()) + " dropped "
                + EventText.lsns(rewind.afterLsn() + 1, rewind.lastLsn()) + ". So these "
                + Prose.count(lost.size(), "acknowledged write") + " are lost, though the client was told each"
                + " succeeded: " + Prose.writes(lost) + ". "
                + (same ? "They are exactly what n1's rollback file, " + rewind.rollbackFile() + ", lists (the entries"
                        + " it dropped): an operator can read them there and apply again what still matters."
                        : "n1's rollback file, " + rewind.rollbackFile() + ", lists " + dropped.size() + " entries (those it dropped), which are NOT exactly these."));
        text.add("Under quorum or semi-sync 1 (see failover-semi-sync) n1 would have acknowledged each of these only"
                + " once a follower had it durable, and the elected follower would have held it: none would have"
                + " been lost. Async saves that round trip on every write and pays for it here. At the end "
                + (FailoverFacts.converged(run, 3) ? "all three logs are the same " + run.finalLog(1).size()
                        + " entries." : "the logs still DIFFER."));
        return text;
    }
}
