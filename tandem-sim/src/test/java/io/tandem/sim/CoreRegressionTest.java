package io.tandem.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.replicaset.Progress;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNode;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the tandem-core bugs the simulator found, all fixed (BUG-1 by 3989f50, the others by
 * d99d812): each is the bug's minimal reproduction, a hand-written scenario on a quiet cluster that states
 * the correct behaviour and failed while the bug was there.
 */
class CoreRegressionTest {
    private static final NodeId N2 = NodeId.of("n2");

    /**
     * A lost batch is sent again while heartbeats keep flowing. The go-back-N resend once counted from the
     * last send of any kind, and heartbeats go out every interval, so a lost batch was never sent again
     * (BUG-1, fixed by 3989f50; the three-node test found it at the same time).
     */
    @Test
    void lostAppendRequestIsResent() {
        Scripted s = new Scripted("async", AckLevel.DURABLE, 3);
        s.cluster.start();
        s.runFor(100);
        // Lose the one AppendRequest that carries entry 1 to n2; nothing else is lost, no other write follows.
        s.cluster.network().dropOnce((to, m) -> to.equals(N2) && m instanceof Message.AppendRequest r
                && !r.entries().isEmpty());
        Operation write = s.write("SET", "k", "v");
        s.runFor(10_000);
        assertTrue(write.succeeded());
        assertEquals(1, s.node(3).core().lastLsn(), "n3 received entry 1");
        // Before the fix: n2 answered every heartbeat (prev = its match point 0) and was never silent, so it
        // never resubscribed, and the leader's go-back-N never fired (each heartbeat reset lastSentMillis).
        assertEquals(1, s.node(2).core().lastLsn(), "n2 is still without entry 1 after 10 s of heartbeats");
    }

    /**
     * A batch lost right after a follower's restart is sent again. A follower's resubscribe once left its
     * old received position at the leader, hiding a lost batch: the re-streamed batch's sentLsn was not above
     * the stale receivedLsn, so the resend rule never fired, and the follower, answering heartbeats, never
     * resubscribed; without new writes it never caught up (BUG-2, fixed by d99d812).
     */
    @Test
    void lostBatchAfterAFollowerCrashIsResent() {
        Scripted s = new Scripted("async", AckLevel.RECEIVED, 3);
        s.cluster.start();
        s.runFor(100);
        SimNode n2 = s.node(2);
        n2.disk().setLatencyFactor(10_000);
        s.write("SET", "k", "v");
        s.runFor(50);
        assertEquals(1, progressOf(s, N2).receivedLsn());
        n2.crash(false); // loses entry 1, which it had only received
        n2.disk().setLatencyFactor(1);
        // The leader re-streams from n2's Subscribe(last=0): lose that one batch. No other write follows.
        s.cluster.network().dropOnce((to, m) -> to.equals(N2) && m instanceof Message.AppendRequest r
                && !r.entries().isEmpty());
        n2.start();
        s.runFor(10_000);
        // Before the fix: sentLsn = 1 was not above the stale receivedLsn = 1, so the resend rule never fired,
        // and n2, answering heartbeats, never resubscribed: it stayed without entry 1.
        assertEquals(1, n2.core().lastLsn(), "n2 is still without entry 1 after 10 s");
    }

    /**
     * A follower's Subscribe lowers its positions at the leader to where its log now ends. The leader once
     * kept a follower's received/durable/applied positions across its resubscribe (positions only grew), so
     * after a crash that took back received but undurable entries, lag monitoring overstated the follower
     * and inflight bytes were undercounted (BUG-2, fixed by d99d812).
     */
    @Test
    void resubscribeResetsTheFollowersPositions() {
        Scripted s = new Scripted("async", AckLevel.RECEIVED, 3);
        s.cluster.start();
        s.runFor(100);
        SimNode n2 = s.node(2);
        n2.disk().setLatencyFactor(10_000); // n2 receives entry 1 but cannot make it durable for seconds
        s.write("SET", "k", "v");
        s.runFor(50);
        assertEquals(1, progressOf(s, N2).receivedLsn(), "n2 acknowledged receiving entry 1");
        n2.crash(false); // entry 1 was never durable on n2: gone
        n2.disk().setLatencyFactor(1);
        s.cluster.network().cut(0, 1, true); // n1 -> n2 cut: the leader hears n2's Subscribe, cannot answer
        n2.start();
        s.runFor(100);
        assertEquals(0, n2.disk().log().lastLsn());
        // Before the fix: the leader handled Subscribe(last=0/0) but still said n2 received 1.
        assertEquals(0, progressOf(s, N2).receivedLsn(), "n2's Subscribe said its log ends at 0");
    }

    /**
     * A restarted leader does not serve reads of entries no replica holds. It once took its whole recovered
     * log as committed (commitLsn = lastLsn on construction, kept by becomeLeader), so an entry durable on
     * the leader alone, whose writer got no reply, was shown at once to a read under quorum or all (BUG-3,
     * fixed by d99d812).
     */
    @Test
    void restartedLeaderDoesNotServeUncommittedReads() {
        Scripted s = new Scripted("quorum", AckLevel.DURABLE, 3);
        s.cluster.start();
        s.runFor(100);
        s.cluster.network().cut(0, 1, false);
        s.cluster.network().cut(0, 2, false);
        Operation write = s.write("SET", "k", "v1");
        s.runFor(50);
        assertNull(write.reply(), "v1 is durable on the leader only: not committed under quorum");
        s.cluster.leader().crash(false);
        s.cluster.leader().start();
        Operation read = s.read(s.cluster.leader(), "GET", "k");
        s.runFor(50);
        // Before the fix: the read returned "v1" at once, though no replica held it (a failover would lose it).
        assertNull(read.reply(), "the read shows v1, which is still not committed, yet it got "
                + (read.reply() == null ? "" : Describe.reply(read.reply())));
    }

    /**
     * An acknowledgement timeout (on-ack-timeout error) fails the reads queued behind the timed-out write
     * too. It once released them with their replies, showing uncommitted data; and since the timeout also
     * fires when the leader's own disk is slow, a client could read a value that was not durable even on the
     * leader, which the leader's crash then lost (BUG-4, fixed by d99d812).
     */
    @Test
    void ackTimeoutDoesNotReleaseReadsOfUndurableData() {
        Scripted s = new Scripted("quorum", AckLevel.DURABLE, 3); // ack timeout 1000 ms, on-timeout error
        s.cluster.start();
        s.runFor(100);
        s.cluster.leader().disk().setLatencyFactor(5_000); // the leader's own fsync takes 5 s
        Operation write = s.write("SET", "k", "v1");
        s.runFor(1);
        Operation read = s.read(s.cluster.leader(), "GET", "k");
        s.runFor(1_100);
        assertTrue(write.reply() instanceof Reply.Error, "the write timed out: NOREPLICAS");
        assertEquals(0, s.cluster.leader().disk().durableLsn(), "v1 is not even durable on the leader");
        // Before the fix: the timeout released the read with "v1"; the leader crash then lost v1 for good.
        boolean sawV1 = read.reply() instanceof Reply.Bulk;
        s.cluster.leader().crash(false);
        s.cluster.leader().start();
        Operation after = s.read(s.cluster.leader(), "GET", "k");
        s.runFor(10);
        assertTrue(!sawV1 || !(after.reply() instanceof Reply.NullBulk), "a client read v1 ("
                + Describe.reply(read.reply()) + "), then the leader restarted without it ("
                + Describe.reply(after.reply()) + ")");
    }

    /**
     * Followers whose clocks run behind the leader's do not delay acknowledgements at applied. With
     * apply-delay 0 such a follower once waited for its clock to pass the entry's time before applying, and
     * what it then applied on a tick was not reported until the next leader message (BUG-5, fixed by
     * d99d812).
     */
    @Test
    void clockSkewDoesNotDelayAppliedAcknowledgements() {
        Scripted inSync = new Scripted("all", AckLevel.APPLIED, 3);
        Scripted skewed = new Scripted("all", AckLevel.APPLIED, 3, new long[] {0, -40, -40});
        long inSyncMillis = writeLatencyMillis(inSync);
        long skewedMillis = writeLatencyMillis(skewed);
        assertTrue(inSyncMillis < 10, "in sync: " + inSyncMillis + " ms");
        // Before the fix: ~40 ms waiting for the followers' clocks to pass the entry's time, then up to a
        // heartbeat (50 ms) until the next leader message made them report what they applied on a tick.
        assertTrue(skewedMillis < 10, "followers' clocks 40 ms behind: " + skewedMillis + " ms");
    }

    private static long writeLatencyMillis(Scripted s) {
        s.cluster.start();
        s.runFor(100);
        Operation write = s.write("SET", "k", "v");
        s.runFor(500);
        assertTrue(write.succeeded());
        return (write.completedMicros() - write.invokedMicros()) / 1000;
    }

    private static Progress progressOf(Scripted s, NodeId follower) {
        return s.cluster.leader().core().progress().get(follower);
    }
}
