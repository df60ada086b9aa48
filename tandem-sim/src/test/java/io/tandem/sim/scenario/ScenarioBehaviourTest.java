package io.tandem.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sim.sim.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What each scenario is there to show, as a user would notice it, independent of the exact transcript: when
 * the client was acknowledged compared with when the followers had the write, and what reads returned.
 */
class ScenarioBehaviourTest {

    @Test
    void asyncAcknowledgesBeforeAnyFollowerHasTheWriteDurable() {
        ScenarioRun run = ScenarioRunner.run(AsyncStaleReads.scenario());
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        assertTrue(write.succeeded());
        assertTrue(run.durableMicros(1, lsn) <= run.repliedMicros(write), "the leader's own disk comes first");
        assertTrue(run.repliedMicros(write) < run.durableMicros(2, lsn), "acked before n2 had it durable");
        assertTrue(run.repliedMicros(write) < run.durableMicros(3, lsn), "acked before n3 had it durable");
        List<Operation> reads = run.reads();
        assertTrue(run.outcome(reads.get(0)).stale(), "the read on n2 right after the ack misses the write");
        assertEquals("(nil)", describe(reads.get(0)));
        assertFalse(run.outcome(reads.get(2)).stale(), "n2 has caught up later");
        assertEquals("\"v1\"", describe(reads.get(2)));
    }

    @Test
    void semiSyncAcknowledgesOnlyOnceOneFollowerHasTheWriteDurableWhileTheOtherMayBeStale() {
        ScenarioRun run = ScenarioRunner.run(SemiSync.scenario());
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        long acked = run.repliedMicros(write);
        long firstFollowerDurable = Math.min(run.durableMicros(2, lsn), run.durableMicros(3, lsn));
        assertTrue(write.succeeded());
        assertTrue(firstFollowerDurable < acked, "the ack waited for a follower's disk");
        assertTrue(acked < run.durableMicros(3, lsn), "but not for n3's");
        Operation leaderRead = run.reads().get(0);
        assertTrue(leaderRead.completedMicros() > firstFollowerDurable, "the leader's read waited for the commit too");
        Operation n3AfterAck = run.reads().get(2);
        assertTrue(n3AfterAck.invokedMicros() > acked);
        assertTrue(run.outcome(n3AfterAck).stale(), "n3 is stale after the client's ack");
    }

    @Test
    void aWriteWaitingForAFollowerThatIsDownIsAcknowledgedWhenTheOperatorLoosensThePolicy() {
        ScenarioRun run = ScenarioRunner.run(PolicyChange.scenario());
        Operation first = run.writes().get(0);
        Operation second = run.writes().get(1);
        long lsn = run.lsn(first);
        assertTrue(first.succeeded());
        assertTrue(run.durableMicros(2, lsn) < 100_000, "n2 had it durable long before");
        assertTrue(run.repliedMicros(first) >= 120_000, "but semi-sync 2 held it until the CONFIG SET at 120 ms");
        assertTrue(run.repliedMicros(first) < 121_000, "and semi-sync 1 released it at once");
        assertTrue(second.succeeded());
        assertTrue(run.repliedMicros(second) - second.invokedMicros() < 10_000, "the next write waits for n2 alone");
    }

    @Test
    void aCascadedReplicaGetsTheWriteAfterItsRelayHasItDurableAndAllWaitsForIt() {
        ScenarioRun run = ScenarioRunner.run(Cascading.scenario());
        Operation write = run.writes().get(0);
        long lsn = run.lsn(write);
        assertTrue(write.succeeded());
        assertTrue(run.durableMicros(2, lsn) <= run.receivedMicros(3, lsn), "n2 relays only what it has durable");
        assertTrue(run.durableMicros(3, lsn) < run.repliedMicros(write), "all waited for n3, known through n2");
        assertTrue(run.outcome(run.reads().get(0)).stale(), "n3 before the relay reached it");
        assertEquals("\"v1\"", describe(run.reads().get(1)));
    }

    @Test
    void quorumAcknowledgesWithOneFollowerCutOffWhichCatchesUpAfterTheHeal() {
        ScenarioRun run = ScenarioRunner.run(QuorumPartition.scenario());
        for (Operation write : run.writes()) {
            assertTrue(write.succeeded(), write.toString());
            assertTrue(run.receivedMicros(3, run.lsn(write)) > QuorumPartition.HEAL_MICROS,
                    "n3 got the write only after the heal");
        }
        long lastLsn = run.lsn(run.writes().get(run.writes().size() - 1));
        assertTrue(run.appliedMicros(3, lastLsn) > QuorumPartition.HEAL_MICROS, "n3 caught up after the heal");
        assertTrue(run.outcome(run.reads().get(0)).stale());
        assertFalse(run.outcome(run.reads().get(1)).stale());
    }

    @Test
    void aDelayedReplicaAppliesOnlyAfterItsDelayButHasTheEntryDurableAtOnce() {
        ScenarioRun run = ScenarioRunner.run(DelayedReplica.scenario());
        long lsn = run.lsn(run.writes().get(0));
        long logged = run.receivedMicros(1, lsn);
        assertTrue(run.durableMicros(3, lsn) - logged < 10_000, "durable within a few ms");
        // The delay counts from the entry's time in whole milliseconds of the leader's clock: up to 1 ms early.
        assertTrue(run.appliedMicros(3, lsn) - logged >= (DelayedReplica.APPLY_DELAY_MILLIS - 1) * 1000,
                "applied after the delay");
        Operation n3AfterDel = run.reads().get(2);
        assertEquals("\"v1\"", describe(n3AfterDel), "n3 still shows the deleted value");
    }

    @Test
    void failoverUnderSemiSyncElectsTheSyncFollowerAndLosesNoAcknowledgedWrite() {
        ScenarioRun run = ScenarioRunner.run(FailoverSemiSync.scenario());
        ScenarioRun.Crash crash = run.crashes().get(0);
        List<Operation> acked = FailoverFacts.acknowledgedBulk(run);
        long lastAcked = run.lsn(acked.get(acked.size() - 1));
        assertTrue(acked.size() > FailoverSemiSync.WRITES - 10, "nearly every write was acknowledged before the crash");
        assertTrue(crash.positions().get(2)[1] >= lastAcked, "the sync follower had every acknowledged write durable");
        assertTrue(crash.positions().get(3)[0] < lastAcked, "the far follower lacked some acknowledged writes");
        assertEquals(1, run.elections().size());
        ScenarioRun.Election election = run.elections().get(0);
        assertEquals(2, election.node(), "the sync follower is elected");
        assertTrue(election.missing().isEmpty(), "its log held every acknowledged write when it won");
        assertTrue(run.answers().stream().anyMatch(a -> a.voter() == 2 && a.candidate() == 3 && !a.granted()),
                "n2 refused the far follower, which is behind");
        assertEquals(2, run.finalLeader());
        assertTrue(FailoverFacts.lostOn(run, 2).isEmpty(), "no acknowledged write lost");
        assertTrue(FailoverFacts.converged(run, 3), "n3 caught up and n1 rejoined");
        for (ScenarioRun.Rewind rewind : run.rewinds()) {
            assertTrue(rewind.afterLsn() >= lastAcked, "a rewind drops only unacknowledged entries");
        }
    }

    @Test
    void failoverUnderAsyncLosesTheAcknowledgedWritesTheOldLeaderAloneHadAndItsRewindListsThem() {
        ScenarioRun run = ScenarioRunner.run(FailoverAsync.scenario());
        ScenarioRun.Election election = run.elections().get(0);
        assertTrue(election.node() != 1);
        List<Operation> lost = FailoverFacts.lostOn(run, run.finalLeader());
        assertFalse(lost.isEmpty(), "acknowledged writes lost");
        assertEquals(lost, election.missing(), "exactly those the new leader lacked when it won");
        ScenarioRun.Rewind rewind = run.rewinds().stream().filter(r -> r.node() == 1).findFirst().orElseThrow();
        assertEquals(lost.stream().map(w -> w.entry().lsn()).toList(),
                rewind.dropped().stream().map(io.tandem.core.model.Entry::lsn).toList(),
                "n1's rollback file lists exactly the lost acknowledged writes");
        assertTrue(FailoverFacts.converged(run, 3));
    }

    private static String describe(Operation op) {
        return io.tandem.sim.sim.Describe.reply(op.reply());
    }
}
