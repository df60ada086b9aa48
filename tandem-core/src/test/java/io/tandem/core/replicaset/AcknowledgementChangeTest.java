package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CONFIG SET ack-policy and its companions while writes wait: what a change releases, what it holds and for
 * how long, and that what was acknowledged stays so. A leader and two followers wired by hand
 * ({@link ReplicaSetNodeTest.Harness}); the followers are cut off by dropping what the leader sends.
 */
class AcknowledgementChangeTest {
    static final NodeId N1 = ReplicaSetNodeTest.N1;
    static final NodeId N2 = ReplicaSetNodeTest.N2;
    static final NodeId N3 = ReplicaSetNodeTest.N3;

    private final Map<NodeId, Harness> nodes = new LinkedHashMap<>();

    private Harness cluster(AckPolicy policy, OnAckTimeout onTimeout) {
        Map<NodeId, MemberConfig> members = Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                MemberConfig.voter(N3));
        ReplicaSetConfig config = new ReplicaSetConfig(members, policy, AckLevel.DURABLE, 500, onTimeout, 100, 1 << 20,
                1 << 16, 0, 1000);
        for (NodeId id : List.of(N1, N2, N3)) {
            nodes.put(id, new Harness(id, config));
        }
        Harness leader = nodes.get(N1);
        leader.node.becomeLeader(1, 0, leader);
        for (NodeId id : List.of(N2, N3)) {
            nodes.get(id).node.becomeFollower(1, N1, 0, nodes.get(id));
        }
        deliverAll();
        return leader;
    }

    private void deliverAll() {
        ReplicaSetNodeTest.deliverAll(nodes);
    }

    /** The followers hear nothing of what the leader sent so far. */
    private static void cutOff(Harness leader) {
        leader.outbox.clear();
        leader.outboxTo.clear();
    }

    private static void write(Harness leader, String client, String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        leader.step(new Input.ClientCommand(new Client(client), 1, bytes));
    }

    /**
     * Ticks the leader (its followers cut off) at a millisecond before {@code deadlineMillis}, when nothing may be
     * answered yet, and at it, when exactly one reply must go: returns that reply.
     */
    private static String onlyReplyAt(Harness leader, long deadlineMillis) {
        leader.now = deadlineMillis - 1;
        leader.step(Input.TICK);
        cutOff(leader);
        assertEquals(List.of(), leader.replies, "nothing answered before " + deadlineMillis + " ms");
        leader.now = deadlineMillis;
        leader.step(Input.TICK);
        assertEquals(1, leader.replies.size(), "one reply at " + deadlineMillis + " ms: " + leader.replies);
        return leader.replies.get(0);
    }

    private static Input.ChangeAcknowledgement change(AckPolicy policy, long timeoutMillis, OnAckTimeout onTimeout,
            int minReplicas) {
        return change(policy, AckLevel.DURABLE, timeoutMillis, onTimeout, minReplicas);
    }

    private static Input.ChangeAcknowledgement change(AckPolicy policy, AckLevel level, long timeoutMillis,
            OnAckTimeout onTimeout, int minReplicas) {
        return new Input.ChangeAcknowledgement(policy, level, timeoutMillis, onTimeout, minReplicas, 1000);
    }

    @Test
    void aLooserPolicyReleasesWhatWaitedAtOnce() {
        Harness leader = cluster(new AckPolicy.SemiSync(1), OnAckTimeout.ERROR);
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        cutOff(leader);
        assertEquals(List.of(), leader.replies, "semi-sync 1: no follower has it");
        leader.now = 100;
        leader.step(change(new AckPolicy.Async(), 500, OnAckTimeout.ERROR, 0));
        assertEquals(List.of("c1 +OK"), leader.replies, "async: durable on the leader is enough, from now on");
        assertEquals("async", leader.node.config().ackPolicy().toString());
        assertTrue(leader.events.stream().anyMatch(e -> e instanceof Event.AcknowledgementChanged c
                && c.policy().equals("async") && c.lsn() == 1), leader.events.toString());
        leader.now = 1000;
        leader.step(Input.TICK);
        assertEquals(List.of("c1 +OK"), leader.replies, "its old deadline, met, fails nothing later");
    }

    @Test
    void aStricterPolicyHoldsNewWritesAndTimesOutUnderItsOwnTimeout() {
        Harness leader = cluster(new AckPolicy.Async(), OnAckTimeout.ERROR);
        leader.step(change(new AckPolicy.SemiSync(2), 200, OnAckTimeout.ERROR, 0));
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        cutOff(leader);
        assertEquals(List.of(), leader.replies, "semi-sync 2 now: the write waits for both followers");
        String timedOut = onlyReplyAt(leader, 200);
        assertTrue(timedOut.startsWith("c1 -NOREPLICAS Timed out after 200 ms: 0 of 2 required replicas"
                + " acknowledged (semi-sync 2, durable)"), timedOut);
    }

    /** Under async a write gets no deadline; made stricter before it commits, it must not wait for ever. */
    @Test
    void aWriteMadeUnderAsyncThatTheChangeHoldsGetsTheNewTimeout() {
        Harness leader = cluster(new AckPolicy.Async(), OnAckTimeout.ERROR);
        write(leader, "c1", "SET", "k", "v"); // not durable on the leader yet: not acknowledged under async either
        leader.now = 50;
        leader.step(change(new AckPolicy.All(), 300, OnAckTimeout.ERROR, 0));
        leader.sync();
        cutOff(leader);
        assertEquals(List.of(), leader.replies, "all: both followers must hold it now");
        String timedOut = onlyReplyAt(leader, 350); // 300 ms after the change
        assertTrue(timedOut.startsWith("c1 -NOREPLICAS"), timedOut);
    }

    @Test
    void whatWasAcknowledgedStaysAcknowledgedUnderAStricterPolicy() {
        Harness leader = cluster(new AckPolicy.Async(), OnAckTimeout.ERROR);
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        cutOff(leader);
        assertEquals(List.of("c1 +OK"), leader.replies);
        long committed = leader.node.commitLsn();
        leader.step(change(new AckPolicy.All(), 300, OnAckTimeout.ERROR, 0));
        assertEquals(committed, leader.node.commitLsn(), "the commit point does not move back");
        write(leader, "c2", "GET", "k");
        assertEquals(List.of("c1 +OK", "c2 \"v\""), leader.replies, "a read of committed data goes at once");
    }

    @Test
    void leavingDegradeEndsADegradedModeAtOnce() {
        Harness leader = cluster(new AckPolicy.SemiSync(1), OnAckTimeout.DEGRADE);
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        cutOff(leader);
        leader.now = 600;
        leader.step(Input.TICK);
        cutOff(leader);
        assertTrue(leader.node.degraded(), "the followers were silent past the timeout");
        assertEquals(List.of("c1 +OK"), leader.replies);
        leader.step(change(new AckPolicy.SemiSync(1), 500, OnAckTimeout.ERROR, 0));
        assertFalse(leader.node.degraded(), "under error there is no degraded mode");
        assertTrue(leader.events.stream().anyMatch(e -> e instanceof Event.PolicyRestored));
        write(leader, "c2", "SET", "k", "w");
        leader.sync();
        cutOff(leader);
        assertEquals(List.of("c1 +OK"), leader.replies, "the policy applies again: c2 waits for a follower");
    }

    @Test
    void minReplicasToWriteTakesEffectAtOnce() {
        Harness leader = cluster(new AckPolicy.Async(), OnAckTimeout.ERROR);
        leader.now = 2000; // the followers were last heard from at 0
        leader.step(change(new AckPolicy.Async(), 500, OnAckTimeout.ERROR, 1));
        write(leader, "c1", "SET", "k", "v");
        assertEquals(List.of("c1 -NOREPLICAS Not enough good replicas to write."), leader.replies);
        assertEquals(0, leader.log.lastLsn(), "refused before it ran");
        leader.step(change(new AckPolicy.Async(), 500, OnAckTimeout.ERROR, 0));
        write(leader, "c2", "SET", "k", "v");
        leader.sync();
        assertEquals("c2 +OK", leader.replies.get(1));
    }

    @Test
    void aFollowerKeepsTheSettingsForWhenItLeads() {
        cluster(new AckPolicy.Async(), OnAckTimeout.ERROR);
        Harness n2 = nodes.get(N2);
        n2.step(change(new AckPolicy.SemiSync(1), 500, OnAckTimeout.ERROR, 0));
        assertEquals("semi-sync 1", n2.node.config().ackPolicy().toString());
        n2.node.becomeLeader(2, 0, n2);
        nodes.get(N1).node.becomeFollower(2, N2, 0, nodes.get(N1));
        nodes.get(N3).node.becomeFollower(2, N2, 0, nodes.get(N3));
        deliverAll();
        write(n2, "c1", "SET", "k", "v");
        n2.sync();
        cutOff(n2);
        assertEquals(List.of(), n2.replies, "semi-sync 1 on the new leader");
    }

    @Test
    void followersAnswerAtReceiptWhenTheLeaderAloneCountsAtLevelReceived() {
        Harness leader = cluster(new AckPolicy.SemiSync(1), OnAckTimeout.ERROR);
        // CONFIG SET ack-level received on the leader only: the followers keep durable in their own settings.
        leader.step(change(new AckPolicy.SemiSync(1), AckLevel.RECEIVED, 500, OnAckTimeout.ERROR, 0));
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        deliverAll(); // the followers append the entry; neither syncs it
        assertEquals(List.of("c1 +OK"), leader.replies, "acknowledged once a follower received it");
    }

    @Test
    void followersAnswerOnlyOnceDurableWhenTheLeaderCountsAtLevelDurable() {
        Harness leader = cluster(new AckPolicy.SemiSync(1), OnAckTimeout.ERROR);
        // The converse: ack-level received on the followers alone counts for nothing while n1 leads.
        for (NodeId id : List.of(N2, N3)) {
            nodes.get(id).step(change(new AckPolicy.SemiSync(1), AckLevel.RECEIVED, 500, OnAckTimeout.ERROR, 0));
        }
        write(leader, "c1", "SET", "k", "v");
        leader.sync();
        Harness n2 = nodes.get(N2);
        while (!leader.outbox.isEmpty()) { // the batch (and nothing else) reaches the followers
            Message message = leader.outbox.remove(0)[0];
            nodes.get(leader.outboxTo.remove(0)).step(new Input.PeerMessage(message));
        }
        assertEquals(List.of(), n2.outbox, "no answer before the entry is durable: the leader could not count it");
        n2.sync();
        assertEquals(1, n2.outbox.size(), "one answer, once durable");
        Message.AppendResponse answer = (Message.AppendResponse) n2.outbox.get(0)[0];
        assertEquals(1, answer.durableLsn());
        deliverAll();
        assertEquals(List.of("c1 +OK"), leader.replies, "n2 answered once its entry was durable");
    }
}
