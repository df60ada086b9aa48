package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.replicaset.ReplicaSetNodeTest.Client;
import io.tandem.core.replicaset.ReplicaSetNodeTest.Harness;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Automatic failover in the core: three members with an election timeout of 500 ms and heartbeats every
 * 100 ms, messages delivered by hand, time moved by ticks. The simulator checks the same rules under
 * random faults; these show each rule once, by name.
 */
class ElectionTest extends CoreCluster {
    static final NodeId N1 = ReplicaSetNodeTest.N1;
    static final NodeId N2 = ReplicaSetNodeTest.N2;
    static final NodeId N3 = ReplicaSetNodeTest.N3;
    static final long ELECTION_TIMEOUT_MILLIS = 500;

    private void cluster(AckPolicy policy, MemberConfig n3) {
        Map<NodeId, MemberConfig> members = Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3, n3);
        ReplicaSetConfig config = new ReplicaSetConfig(members, policy, AckLevel.DURABLE, 1000, OnAckTimeout.ERROR, 100,
                1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        startThree(config);
    }

    @Test
    void whenTheLeaderGoesSilentAFollowerIsElectedInANewTermAndOpensItWithItsOwnEntry() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        write(N1, "a", "k", "v1");
        settle();
        assertTrue(node(N1).replies.contains("a +OK"), node(N1).replies.toString());
        isolated.add(N1);
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null, "no leader after the old one went silent: " + node(N2).events + node(N3).events);
        Harness h = node(leader);
        assertEquals(2, h.node.term(), "the pre-vote raised no term; the vote raised it once");
        assertEquals(3, h.log.lastLsn(), "term 1's opening entry, the write, then term 2's opening entry");
        assertEquals(2, h.log.term(3));
        assertTrue(h.log.entries(3, Long.MAX_VALUE).get(0).effects().isEmpty(), "an opening entry changes nothing");
        assertTrue(h.events.stream().anyMatch(e -> e instanceof Event.Elected won && won.term() == 2), h.events.toString());
        assertEquals(2, h.persistedTerm, "the term was made durable");
        assertEquals(leader, h.persistedVote, "and the vote for itself with it");
        write(leader, "b", "k", "v2");
        settle();
        assertTrue(h.replies.contains("b +OK"), "two of three members are a quorum: " + h.replies);
        assertEquals("reader \"v2\"", get(leader, "k"));
    }

    /**
     * Found by the simulator (seed 25004284, with a build whose message timing differed): a leader elected
     * again kept the commit point of its earlier term, which lay past entries a rewind had dropped since
     * (async commits on the leader's own fsync), and answered its next writes at once: before they were
     * durable anywhere, and after its lease had lapsed.
     */
    @Test
    void aLeaderElectedAgainStartsItsCommitPointAfreshNotFromItsEarlierTerm() {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        isolated.add(N1);
        for (int i = 0; i < 4; i++) {
            write(N1, "w" + i, "k", "only-on-n1-" + i);
        }
        node(N1).sync(); // async: acknowledged on n1's own fsync, commit point 5 (term 1's opening entry, 4 writes)
        assertEquals(5, node(N1).node.commitLsn());
        assertTrue(node(N1).replies.contains("w3 +OK"), node(N1).replies.toString());
        advance(3 * ELECTION_TIMEOUT_MILLIS); // n2 or n3 is elected for term 2; n1 steps down
        NodeId second = leaderAmong(N2, N3);
        assertTrue(second != null, node(N2).events.toString());
        isolated.clear();
        advance(200); // n1 follows the new leader, which has no entry 2..5 of term 1: n1 rewinds
        if (node(N1).node.rewinding()) {
            node(N1).finishRewind();
        }
        advance(200);
        assertEquals(2, node(N1).log.lastLsn(), "term 1's opening entry and term 2's: " + node(N1).events);
        // n1 leads again (term 3): its opening entry is LSN 3, the next write LSN 4, both below the old commit
        // point of 5.
        node(N1).node.becomeLeader(3, now, node(N1));
        write(N1, "again", "k", "v");
        assertFalse(node(N1).replies.stream().anyMatch(r -> r.startsWith("again ")),
                "acknowledged before it was durable: " + node(N1).replies);
        node(N1).sync();
        // Led by hand, with no votes, it has no lease until a majority echoes it (becomeLeader): then the write
        // is acknowledged.
        settle();
        assertTrue(node(N1).replies.contains("again +OK"), "acknowledged once durable and echoed: "
                + node(N1).replies);
    }

    @Test
    void theLeaderCutOffFromTheMajorityStepsDownAndFailsWhatItHadNotAcknowledged() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        isolated.add(N1);
        write(N1, "a", "k", "lost");
        // Its lease (450 ms from the last send time a majority echoed) lapses, and no one renews it in 200 ms.
        advance(ELECTION_TIMEOUT_MILLIS + 200);
        assertFalse(node(N1).node.isLeader(), "check-quorum: heard from no majority for an election timeout");
        assertTrue(node(N1).events.stream().anyMatch(e -> e instanceof Event.LostQuorum), node(N1).events.toString());
        assertTrue(node(N1).replies.stream().anyMatch(r -> r.startsWith("a -TRYAGAIN")),
                "a deposed leader never acknowledges: " + node(N1).replies);
        write(N1, "c", "k", "refused");
        assertTrue(node(N1).replies.contains("c -READONLY You can't write against a read only replica."));
    }

    @Test
    void aDeposedLeaderNamesTheNewLeaderInTheErrorsOfWhatItHeld() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        for (NodeId id : List.of(N1, N2, N3)) {
            node(id).node.announce("127.0.0.1:700" + id.name().substring(1));
        }
        node(N2).node.becomeFollower(1, N1, now, node(N2)); // subscribing again tells n1 their addresses
        node(N3).node.becomeFollower(1, N1, now, node(N3));
        settle();
        isolated.add(N1);
        write(N1, "a", "k", "held");
        // n1 is frozen (no ticks: it cannot notice it lost its majority) while the others elect one of them.
        for (long end = now + 3 * ELECTION_TIMEOUT_MILLIS; now < end; ) {
            now += 50;
            for (NodeId id : List.of(N2, N3)) {
                node(id).now = now;
                node(id).step(Input.TICK);
            }
            settle();
        }
        NodeId elected = leaderAmong(N2, N3);
        assertTrue(elected != null, node(N2).events.toString());
        isolated.clear();
        now += 100; // the new leader's next heartbeat reaches n1, which still believes it leads term 1
        node(elected).now = now;
        node(elected).step(Input.TICK);
        settle();
        String expected = "a -TRYAGAIN this node stopped leading before the write was acknowledged; it may or may not"
                + " survive: check, then retry on the new leader, " + elected + " at 127.0.0.1:700"
                + elected.name().substring(1);
        assertTrue(node(N1).replies.contains(expected), node(N1).replies.toString());
    }

    @Test
    void aReturningNodeThatWasCutOffDoesNotDisruptTheLeaderItCannotReach() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        isolated.add(N3);
        advance(6 * ELECTION_TIMEOUT_MILLIS); // n3 stands again and again, but its pre-votes reach no one
        assertEquals(1, node(N3).node.term(), "pre-votes raise no term");
        isolated.clear();
        advance(ELECTION_TIMEOUT_MILLIS);
        assertTrue(node(N1).node.isLeader(), "the leader keeps leading");
        assertEquals(1, node(N1).node.term());
        assertEquals(N1, node(N3).node.leader());
    }

    @Test
    void aVoteGoesOnlyToACandidateAtLeastAsUpToDateAndOncePerTerm() {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        Harness n2 = node(N2);
        isolated.add(N1);
        now += ELECTION_TIMEOUT_MILLIS; // n2 no longer hears from the leader: out of its lease
        n2.now = now;
        write(N1, "a", "k", "v"); // n1's log: term 1's opening entry, then (1, 2), nowhere else
        // n3 asks with a log as long as n2's: (term 1, LSN 1) on both -- granted.
        n2.step(new Input.PeerMessage(new Message.VoteRequest(2, N3, 1, 1, false)));
        Message.VoteResponse first = (Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0];
        assertTrue(first.granted());
        assertEquals(N3, n2.persistedVote, "the vote is made durable before the answer leaves");
        // n1 asks in the same term with a longer log: n2 already voted in term 2.
        n2.step(new Input.PeerMessage(new Message.VoteRequest(2, N1, 2, 1, false)));
        assertFalse(((Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0]).granted(), "one vote per term");
        // In term 3, a candidate behind n2 is refused: n2's log ends at (term 1, LSN 1), the candidate's at
        // (term 1, LSN 0).
        n2.step(new Input.PeerMessage(new Message.VoteRequest(3, N3, 0, 1, false)));
        assertFalse(((Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0]).granted(), "not up to date");
    }

    @Test
    void theOnlyVoterElectsItselfAtItsFirstTickWithoutWaitingForATimeout() {
        ReplicaSetConfig alone = new ReplicaSetConfig(Map.of(N1, MemberConfig.voter(N1)), new AckPolicy.Async(),
                AckLevel.DURABLE, 1000, OnAckTimeout.ERROR, 100, 1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        Harness n1 = new Harness(N1, alone);
        nodes.put(N1, n1);
        n1.node.becomeFollower(1, null, now, n1); // restarted: with elections, a node starts following no one
        n1.step(Input.TICK);
        assertTrue(n1.node.isLeader(), "no one else can lead, no one needs waiting for: " + n1.events);
        assertEquals(2, n1.node.term(), "in a term of its own, as an election gives");
    }

    @Test
    void aMemberWithPriorityZeroNeverStands() {
        cluster(new AckPolicy.Async(), new MemberConfig(N3, true, 0, 0));
        isolated.add(N1);
        isolated.add(N2);
        advance(6 * ELECTION_TIMEOUT_MILLIS);
        assertTrue(node(N3).events.stream().noneMatch(e -> e instanceof Event.ElectionStarted),
                node(N3).events.toString());
    }

    @Test
    void aDeposedLeaderRewindsWhatItWroteAloneAndConvergesWithTheNewLeader() {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        write(N1, "a", "k", "kept");
        settle();
        isolated.add(N1);
        write(N1, "b", "k", "rolled-back"); // async: acknowledged by n1 alone, and lost with it
        node(N1).sync();
        assertTrue(node(N1).replies.contains("b +OK"), node(N1).replies.toString());
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null);
        write(leader, "c", "other", "x");
        settle();
        isolated.clear();
        advance(300);
        Harness old = node(N1);
        assertFalse(old.node.isLeader());
        assertEquals(List.of(2L), old.rewinds, "n1 applied LSN 3 as leader; the new leader's LSN 3 differs");
        assertTrue(old.node.rewinding());
        assertEquals("reader -LOADING this replica is rebuilding its dataset after it diverged from the leader (a"
                + " failover); retry shortly", get(N1, "k"));
        old.finishRewind();
        advance(300);
        assertEquals("reader \"kept\"", get(N1, "k"));
        assertEquals(node(leader).log.lastLsn(), old.log.lastLsn());
        assertEquals(KeyspaceDigest.of(node(leader).node.keyspace()), KeyspaceDigest.of(old.node.keyspace()));
    }

    /**
     * Async: "k" = "kept" reaches everyone; then n1, cut off, writes {@code keysAlone} = "rolled-back" and
     * snapshots its keys at its log's end, its own writes included, dropping its log; another is elected, the
     * network heals. Returns the new leader.
     */
    private NodeId deposeN1WhoseSnapshotHoldsWhatItWroteAlone(String... keysAlone) {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        write(N1, "a", "k", "kept");
        settle();
        isolated.add(N1);
        for (String key : keysAlone) {
            write(N1, "b", key, "rolled-back");
        }
        node(N1).sync();
        node(N1).log.compactUpTo(node(N1).log.lastLsn());
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null);
        isolated.clear();
        advance(300);
        return leader;
    }

    @Test
    void aDeposedLeaderWhoseSnapshotHoldsWhatItWroteAloneDropsEverythingAndIsBootstrapped() {
        NodeId leader = deposeN1WhoseSnapshotHoldsWhatItWroteAlone("k", "k2"); // n1's snapshot ends at LSN 4
        Harness old = node(N1);
        assertEquals(List.of(0L), old.rewinds, "its snapshot's last entry (LSN 4) is not in the new leader's log"
                + " (which ends at 3): nothing of n1's can be kept");
        old.finishRewind();
        advance(300);
        assertEquals(node(leader).log.lastLsn(), old.log.lastLsn(), "then streamed the leader's whole log from LSN 1");
        assertEquals("reader \"kept\"", get(N1, "k"));
        assertEquals("reader (nil)", get(N1, "k2"));
    }

    @Test
    void aFollowerThatStalledPastItsTimerWaitsTwoHeartbeatsForWhatQueuedBeforeItStands() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        advance(100);
        Harness n2 = node(N2);
        // n2 stalls for 1.2 s (its process got no core): its next tick comes long after the previous one, and
        // past its timer (500 ms plus up to as much again). The leader's heartbeats may be waiting unread.
        long stalledUntil = now + 1200;
        n2.now = stalledUntil;
        n2.step(Input.TICK);
        assertFalse(n2.events.stream().anyMatch(e -> e instanceof Event.ElectionStarted), n2.events.toString());
        n2.now = stalledUntil + 150;
        n2.step(Input.TICK);
        assertFalse(n2.events.stream().anyMatch(e -> e instanceof Event.ElectionStarted), "within two heartbeats");
        // Nothing came in those two heartbeats (isolated, say): it stands.
        n2.now = stalledUntil + 200;
        n2.step(Input.TICK);
        assertTrue(n2.events.stream().anyMatch(e -> e instanceof Event.ElectionStarted started && started.preVote()),
                n2.events.toString());
    }

    /**
     * hz 1: ticks a second apart, longer than half the election timeout. Each of them is as late as the one
     * before, so none is a stall of the node's own, and the followers of a silent leader elect another.
     */
    @Test
    void withTicksASecondApartAFollowerOfASilentLeaderStillStands() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        for (int tick = 0; tick < 12 && (tick < 2 || leaderAmong(N2, N3) == null); tick++) {
            if (tick == 2) {
                isolated.add(N1); // after two ticks of steady heartbeats, the leader goes silent
            }
            now += 1000;
            for (Harness h : nodes.values()) {
                h.now = now;
                h.step(Input.TICK);
            }
            settle();
        }
        assertTrue(leaderAmong(N2, N3) != null,
                "no election in 10 s of ticks a second apart after the leader went silent: " + node(N2).events);
    }

    @Test
    void aNodeThatDroppedItsWholeLogVotesByTheLogItHadUntilItCatchesUp() {
        deposeN1WhoseSnapshotHoldsWhatItWroteAlone("k"); // its log ended at (term 1, LSN 3), its own write
        Harness old = node(N1);
        assertEquals(List.of(0L), old.rewinds, "nothing of n1's can be kept: it waits for the leader's snapshot");
        assertEquals(0, old.node.lastLsn());
        // The new leader dies before n1 caught up; a candidate whose log ends at (term 1, LSN 1) asks n1. With
        // its empty log n1 would grant, though the entry at LSN 2 may be an acknowledged write it held.
        old.now = now + 2 * ELECTION_TIMEOUT_MILLIS; // past every lease
        long term = old.node.term();
        old.step(new Input.PeerMessage(new Message.VoteRequest(term + 1, N3, 1, 1, false)));
        assertFalse(((Message.VoteResponse) old.outbox.get(old.outbox.size() - 1)[0]).granted(), old.events.toString());
        assertTrue(old.events.stream().anyMatch(e -> e instanceof Event.VoteRefused r
                && r.reason().endsWith("behind ours at (term 1, LSN 3)")), old.events.toString());
        // A candidate of the new leader's term is ahead of what n1 had: granted.
        old.step(new Input.PeerMessage(new Message.VoteRequest(term + 2, N3, 3, 2, false)));
        assertTrue(((Message.VoteResponse) old.outbox.get(old.outbox.size() - 1)[0]).granted(), old.events.toString());
    }

    @Test
    void theVoteFloorIsMadeDurableBeforeTheRewindAndARestartedNodeVotesByIt() {
        deposeN1WhoseSnapshotHoldsWhatItWroteAlone("k"); // its log ended at (term 1, LSN 3)
        Harness old = node(N1);
        assertArrayEquals(new long[] {1, 3}, old.persistedFloor, "made durable in the step that asked for the rewind");
        // n1 crashes before the leader's snapshot reaches it and restarts with its empty log (a new core over an
        // empty log), the floor restored from its vote file, as the runtimes do.
        Harness restarted = new Harness(N1, node(N2).node.config());
        restarted.node.restoreVoteFloor(old.persistedFloor[0], old.persistedFloor[1]);
        restarted.now = now;
        restarted.node.becomeFollower(old.node.term(), null, restarted.now, restarted);
        restarted.step(Input.TICK); // its start
        restarted.now += 2 * ELECTION_TIMEOUT_MILLIS; // past the refusal of votes that follows a start
        restarted.step(new Input.PeerMessage(new Message.VoteRequest(old.node.term() + 1, N3, 1, 1, false)));
        assertFalse(((Message.VoteResponse) restarted.outbox.get(restarted.outbox.size() - 1)[0]).granted(),
                "behind the log it had before the rewind: refused, as before the crash " + restarted.events);
        assertTrue(restarted.events.stream().anyMatch(e -> e instanceof Event.VoteRefused r
                && r.reason().endsWith("behind ours at (term 1, LSN 3)")), restarted.events.toString());
        restarted.step(new Input.PeerMessage(new Message.VoteRequest(old.node.term() + 2, N3, 3, 1, false)));
        assertTrue(((Message.VoteResponse) restarted.outbox.get(restarted.outbox.size() - 1)[0]).granted(),
                restarted.events.toString());
    }

    @Test
    void aLeaderAnswersAReadOnlyOnceAMajorityConfirmedItStillLeads() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        write(N1, "a", "k", "v1");
        settle();
        isolated.add(N1); // n1 does not know yet: it still believes it leads
        Harness n1 = node(N1);
        int before = n1.replies.size();
        n1.step(new Input.ClientCommand(new Client("reader"), 1, new byte[][] {"GET".getBytes(StandardCharsets.UTF_8),
                "k".getBytes(StandardCharsets.UTF_8)}));
        settle();
        assertEquals(before, n1.replies.size(), "no majority echoed a round begun after the read: no answer yet");
        advance(ELECTION_TIMEOUT_MILLIS + 200); // check-quorum deposes n1; the others elect a new leader
        assertTrue(n1.replies.contains("reader -TRYAGAIN this node stopped leading; retry the read on the new leader"),
                n1.replies.toString());
        isolated.clear();
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null);
        assertEquals("reader \"v1\"", get(leader, "k"), "the new leader answers once its own round is confirmed");
    }

    @Test
    void aNewLeaderLearnsTheClientAddressOfFollowersThatFoundItByItsProbes() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        int port = 7379;
        for (Harness h : nodes.values()) {
            h.node.announce("127.0.0.1:" + port++);
        }
        isolated.add(N1);
        advance(3 * ELECTION_TIMEOUT_MILLIS); // the winner found the other by probing: no Subscribe, no address
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null);
        advance(1000); // its heartbeats list the addresses it knows; the follower missing from them subscribes
        NodeId other = leader.equals(N2) ? N3 : N2;
        assertEquals(node(other).node.memberAddresses().get(other), node(leader).node.memberAddresses().get(other),
                "INFO and SENTINEL REPLICAS show followers by the address they announce");
    }

    @Test
    void aSwitchoverHandsLeadershipToACaughtUpTargetAndLosesNothingEvenUnderAsync() {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        Harness n1 = node(N1);
        write(N1, "a", "k", "v1");
        n1.sync(); // async: acknowledged once durable on n1 alone, before any follower has it
        assertTrue(n1.replies.contains("a +OK"), n1.replies.toString());
        assertEquals(null, n1.node.failover(N3, 5_000, false, now, n1));
        assertEquals("waiting-for-sync", n1.node.failoverState());
        assertEquals("ERR FAILOVER already in progress.", n1.node.failover(N2, 5_000, false, now, n1));
        write(N1, "b", "k", "v2");
        assertTrue(n1.replies.contains("b -TRYAGAIN FAILOVER in progress: leadership is moving to n3; retry the write"
                + " on the new leader"), n1.replies.toString());
        settle(); // n3 catches up, is told to stand, and wins at once: voters grant a transfer despite the lease
        assertTrue(node(N3).node.isLeader(), node(N3).events.toString());
        assertEquals(2, node(N3).node.term());
        assertFalse(n1.node.isLeader());
        assertEquals("no-failover", n1.node.failoverState());
        assertEquals("reader \"v1\"", get(N3, "k"), "the write acknowledged before the switchover is on the new leader");
        assertTrue(n1.rewinds.isEmpty(), "the old leader held nothing the new one lacks");
        assertEquals("ERR FAILOVER is not valid when server is a replica.", n1.node.failover(null, 0, false, now, n1));
    }

    @Test
    void aSwitchoverWhoseTargetCannotCatchUpIsGivenUpAndWritesResume() {
        cluster(new AckPolicy.Async(), MemberConfig.voter(N3));
        Harness n1 = node(N1);
        assertEquals("ERR FAILOVER is not in progress.", n1.node.abortFailover(n1));
        isolated.add(N3);
        write(N1, "a", "k", "v1");
        settle();
        assertEquals(null, n1.node.failover(N3, 300, false, now, n1));
        advance(400);
        assertEquals("no-failover", n1.node.failoverState());
        assertTrue(n1.events.stream().anyMatch(e -> e instanceof Event.SwitchoverAborted aborted
                && aborted.reason().startsWith("n3 did not catch up in time")), n1.events.toString());
        assertTrue(n1.node.isLeader());
        write(N1, "b", "k", "v2");
        settle();
        assertTrue(n1.replies.contains("b +OK"), "writes resume: " + n1.replies);
    }

    @Test
    void aFollowerFurtherBehindThanMaxLagOnFailoverDoesNotStand() {
        Map<NodeId, MemberConfig> members = Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                MemberConfig.voter(N3));
        ReplicaSetConfig config = new ReplicaSetConfig(members, new AckPolicy.Async(), AckLevel.DURABLE, 1000,
                OnAckTimeout.ERROR, 100, 1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS).withMaxLagOnFailover(2);
        startThree(config);
        isolated.add(N3); // n3 hears the leader's commit point move on, but nothing else: it falls behind
        for (int i = 0; i < 5; i++) {
            write(N1, "a", "k" + i, "v");
            settle();
        }
        isolated.remove(N3);
        Harness n3 = node(N3);
        // Only heartbeats reach n3 now, telling it the commit point; its log stays where it was.
        n3.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 0, 0, List.of(), 6, now, "", "")));
        n3.outbox.clear();
        n3.outboxTo.clear();
        isolated.add(N1);
        isolated.add(N3);
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertTrue(n3.events.stream().anyMatch(e -> e instanceof Event.StandingAside aside && aside.behindEntries() == 5
                && aside.maxLagEntries() == 2), n3.events.toString());
        assertTrue(n3.events.stream().noneMatch(e -> e instanceof Event.ElectionStarted), n3.events.toString());
        assertTrue(node(N2).events.stream().anyMatch(e -> e instanceof Event.ElectionStarted),
                "n2, caught up, stands: " + node(N2).events);
    }

    @Test
    void aCandidateAsksTheVotersInIdOrderWhateverOrderTheConfigurationListedThem() {
        // Map.copyOf's order changes from one JVM run to the next: a simulator seed then replayed differently.
        Map<NodeId, MemberConfig> listed = new LinkedHashMap<>();
        for (NodeId id : List.of(N3, N1, N2)) {
            listed.put(id, MemberConfig.voter(id));
        }
        ReplicaSetConfig config = new ReplicaSetConfig(listed, new AckPolicy.Async(), AckLevel.DURABLE, 1000,
                OnAckTimeout.ERROR, 100, 1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        assertEquals(List.of(N1, N2, N3), List.copyOf(config.members().keySet()));
        Harness n3 = new Harness(N3, config);
        n3.node.becomeFollower(1, null, 0, n3);
        for (n3.now = 0; n3.outboxTo.isEmpty() && n3.now < 3 * ELECTION_TIMEOUT_MILLIS; n3.now += 50) {
            n3.step(Input.TICK); // no leader heard: the election timer runs out and n3 asks for pre-votes
        }
        assertEquals(List.of(N1, N2), n3.outboxTo, "pre-vote requests, in id order");
    }

    @Test
    void aNewLeaderCountsNothingOfAnOlderTermCommittedBeforeItsOwnEntryIs() {
        cluster(new AckPolicy.Quorum(), MemberConfig.voter(N3));
        isolated.add(N1);
        isolated.add(N3);
        advance(3 * ELECTION_TIMEOUT_MILLIS); // n2 cannot win alone; n1 steps down
        isolated.remove(N3);
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        NodeId leader = leaderAmong(N2, N3);
        assertTrue(leader != null);
        Harness h = node(leader);
        long opening = h.log.lastLsn();
        assertEquals(h.node.term(), h.log.term(opening), "the last entry is the new term's own");
        assertTrue(h.node.commitLsn() >= opening, "committed once a majority holds the opening entry");
    }
}
