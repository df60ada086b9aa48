package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Event;
import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Cascading through elections: four voters, n4 configured to stream from n2 (upstream n2). After an election
 * the new leader streams to every member directly; n4 goes back to n2 as soon as n2 follows the new leader in
 * its term, follows the new leader directly meanwhile (and while n2 cannot reach it), and follows n2 directly
 * when n2 is the one elected. Quorum at durable: with n1 gone, a write needs n4 too, as n2 reports it.
 */
class CascadingAfterElectionTest extends CoreCluster {
    static final NodeId N1 = ReplicaSetNodeTest.N1;
    static final NodeId N2 = ReplicaSetNodeTest.N2;
    static final NodeId N3 = ReplicaSetNodeTest.N3;
    static final NodeId N4 = NodeId.of("n4");
    static final NodeId N5 = NodeId.of("n5");
    static final long ELECTION_TIMEOUT_MILLIS = 500;

    /**
     * n1 leads term 1, n2 and n3 follow it, n4 follows through n2. Only {@code standing} stand for election
     * (priority 0 for the others), so that each test decides who wins.
     */
    private void cluster(NodeId... standing) {
        cluster(List.of(N1, N2, N3, N4), standing);
    }

    /** The same with these members (n5 follows n1 directly). */
    private void cluster(List<NodeId> ids, NodeId... standing) {
        Map<NodeId, MemberConfig> members = new LinkedHashMap<>();
        for (NodeId id : ids) {
            members.put(id, new MemberConfig(id, true, 0, List.of(standing).contains(id) ? 1 : 0));
        }
        ReplicaSetConfig config = new ReplicaSetConfig(members, new AckPolicy.Quorum(), AckLevel.DURABLE, 1000,
                OnAckTimeout.ERROR, 100, 1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        for (NodeId id : members.keySet()) {
            nodes.put(id, new ReplicaSetNodeTest.Harness(id, config));
        }
        node(N4).node.upstream(N2); // as the runtime sets it from the upstream config key
        node(N1).node.becomeLeader(1, now, node(N1));
        node(N2).node.becomeFollower(1, N1, now, node(N2));
        node(N3).node.becomeFollower(1, N1, now, node(N3));
        node(N4).node.becomeFollower(1, N2, now, node(N4));
        if (nodes.containsKey(N5)) {
            node(N5).node.becomeFollower(1, N1, now, node(N5));
        }
        settle();
        write(N1, "a", "k", "v1");
        advance(300);
        assertEquals(N2, node(N4).node.leader(), "n4 streams from n2 as the replica set starts");
        assertEquals(N2, node(N1).node.progress().get(N4).relayedBy(), "and n1 knows n4 through n2");
        assertEquals("reader \"v1\"", get(N4, "k"));
    }

    @Test
    void afterAnElectionTheCascadedMemberStreamsFromItsUpstreamAgain() {
        cluster(N3);
        isolated.add(N1);
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertEquals(N3, leaderAmong(N2, N3, N4), node(N3).events.toString());
        long term = node(N3).node.term();
        assertEquals(N3, node(N2).node.leader(), "n2 follows the new leader");
        assertEquals(N2, node(N4).node.leader(), "n4 streams from n2 again, not from the new leader");
        assertEquals(N2, node(N3).node.progress().get(N4).relayedBy(), "the new leader knows n4 through n2");
        // With n1 gone, n3 needs n4's echoes (relayed by n2) to keep its lease, and n4 hears from n3 through n2
        // only: neither the lease nor n4's election timer may run out. No election for many timeouts.
        advance(8 * ELECTION_TIMEOUT_MILLIS);
        assertTrue(node(N3).node.isLeader(), "n3 lost its lease: " + node(N3).events);
        assertEquals(term, node(N4).node.term(), "n4 stood for election: " + node(N4).events);
        assertEquals(N2, node(N4).node.leader());
        // A quorum of 3 of 4 without n1: n3, n2 and n4 through n2.
        write(N3, "b", "k", "v2");
        advance(200);
        assertTrue(node(N3).replies.contains("b +OK"), node(N3).replies.toString());
        assertEquals("reader \"v2\"", get(N4, "k"));
    }

    /** FAILOVER TO target on the leader: an election in the next term that {@code target} wins. */
    private void handOver(NodeId from, NodeId target) {
        assertNull(node(from).node.failover(target, 2000, false, now, node(from)));
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertEquals(target, leaderAmong(N1, N2, N3, N4), node(target).events.toString());
    }

    @Test
    void itFollowsItsUpstreamDirectlyWhenElectedAndTheLeaderWhileItsUpstreamCannotReachIt() {
        cluster(N1, N2, N3);
        handOver(N1, N2);
        assertEquals(N2, node(N4).node.leader(), "n2 leads: n4 follows it, directly");
        assertNull(node(N2).node.progress().get(N4).relayedBy());
        // n2 loses its link to n4, and hands leadership to n3: n3 probes n4, which follows it directly (its
        // requests to n2 are lost), never no one.
        cut.add(Set.of(N2, N4));
        handOver(N2, N3);
        assertEquals(N3, node(N2).node.leader(), "n2 follows the new leader");
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertEquals(N3, node(N4).node.leader(), "n2 cannot reach n4: n4 follows the leader directly");
        write(N3, "c", "k", "v3");
        advance(300);
        assertTrue(node(N3).replies.contains("c +OK"), node(N3).replies.toString());
        assertEquals("reader \"v3\"", get(N4, "k"));
        // The link heals: n4 asks n2 again within a few heartbeats and moves to it.
        cut.clear();
        advance(600);
        assertEquals(N2, node(N4).node.leader(), "n4 went back to n2");
        assertEquals(N2, node(N3).node.progress().get(N4).relayedBy());
        write(N3, "d", "k", "v4");
        advance(300);
        assertTrue(node(N3).replies.contains("d +OK"), node(N3).replies.toString());
        assertEquals("reader \"v4\"", get(N4, "k"));
    }

    @Test
    void whenItsRelayGoesAwayTheMemberFollowsTheLeaderDirectlyUntilTheRelayIsBack() {
        // Five voters, so that n1 keeps a majority without n2 and n4 and nothing is elected meanwhile.
        cluster(List.of(N1, N2, N3, N4, N5), N1);
        isolated.add(N2);
        // n2 stops reporting n4: n1 streams to n4 directly; n4, hearing nothing from n2 for five heartbeats,
        // follows n1, in the same term (no election), rather than no one.
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertTrue(node(N1).node.isLeader());
        assertEquals(1, node(N4).node.term(), "no election: " + node(N4).events);
        assertEquals(N1, node(N4).node.leader(), "n4 follows the leader directly while n2 is away");
        assertNull(node(N1).node.progress().get(N4).relayedBy());
        write(N1, "e", "k", "v5");
        advance(300);
        assertTrue(node(N1).replies.contains("e +OK"), node(N1).replies.toString());
        assertEquals("reader \"v5\"", get(N4, "k"));
        // n2 is back: it follows n1 again, and n4 goes back to it.
        isolated.clear();
        advance(2 * ELECTION_TIMEOUT_MILLIS);
        assertEquals(N2, node(N4).node.leader(), "n4 went back to n2");
        assertEquals(N2, node(N1).node.progress().get(N4).relayedBy());
        assertEquals(1, node(N4).node.term());
    }

    @Test
    void aChainOfTwoRelaysIsFedAndReportedToTheLeaderWhole() {
        cluster(List.of(N1, N2, N3, N4, N5), N1);
        node(N5).node.upstream(N4); // n5 from n4, which streams from n2, which streams from n1
        advance(1000);
        assertEquals(N4, node(N5).node.leader(), node(N5).events.toString());
        write(N1, "a", "k", "v2");
        advance(300);
        assertEquals("reader \"v2\"", get(N5, "k"));
        Progress n5 = node(N1).node.progress().get(N5);
        assertEquals(N4, n5.relayedBy(), "the leader knows n5 streams from n4 (reported through n2)");
        assertEquals(N2, node(N1).node.progress().get(N4).relayedBy());
        assertEquals(node(N1).node.lastLsn(), n5.durableLsn(), "n4's report, passed on by n2, reached the leader");
    }

    @Test
    void upstreamsConfiguredInALoopDoNotFormOne() {
        cluster(List.of(N1, N2, N3, N4, N5), N1);
        // n4 from n2 (the set-up), n5 from n4, n2 from n5: a loop n2 -> n5 -> n4 -> n2 that no leader would feed.
        node(N5).node.upstream(N4);
        node(N2).node.upstream(N5);
        advance(3000);
        assertEquals(N1, node(N2).node.leader(), "n5's stream passes through n2: n5 refuses it, n2 stays on n1");
        assertEquals(N4, node(N5).node.leader());
        assertEquals(N2, node(N4).node.leader());
        write(N1, "a", "k", "v3");
        advance(300);
        for (NodeId id : List.of(N2, N3, N4, N5)) {
            assertEquals("reader \"v3\"", get(id, "k"), id + " is fed");
        }
        assertTrue(node(N1).node.isLeader());
    }

    @Test
    void whenTheRelayOfAVoterTheLeaderNeedsDiesTheLeaderKeepsLeading() {
        // Four voters: n1 needs three, so n4's echoes, relayed by n2, count. n2 dies: n4 hears nothing for five
        // heartbeats before it follows n1's probes directly, and n1's lease (an election timeout less half a
        // heartbeat) lapses first. It holds its replies and asks again; n4's first answer renews it.
        cluster(N1);
        long term = node(N1).node.term();
        isolated.add(N2);
        advance(3 * ELECTION_TIMEOUT_MILLIS);
        assertTrue(node(N1).node.isLeader(), node(N1).events.toString());
        assertEquals(term, node(N1).node.term(), "no election");
        assertTrue(node(N1).events.stream().anyMatch(e -> e instanceof Event.LeaseLapsed),
                "its lease lapsed (n4's echoes stopped with n2): " + node(N1).events);
        assertTrue(node(N1).events.stream().anyMatch(e -> e instanceof Event.LeaseRenewed),
                "and n4's answer, once it followed n1 directly, renewed it: " + node(N1).events);
        assertEquals(N1, node(N4).node.leader(), "n4 follows the leader directly");
        write(N1, "b", "k", "v2");
        advance(300);
        assertTrue(node(N1).replies.contains("b +OK"), node(N1).replies.toString());
    }
}
