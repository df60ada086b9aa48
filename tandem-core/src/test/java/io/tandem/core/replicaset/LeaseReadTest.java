package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.replicaset.ReplicaSetNodeTest.Harness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lease reads (read-lease-millis 400, elections 500 ms, heartbeats 100 ms): the leader answers reads without
 * a round trip while a majority confirmed a round it began less than 400 ms ago, and voters keep the promise
 * that makes it safe.
 */
class LeaseReadTest extends CoreCluster {
    static final NodeId N1 = ReplicaSetNodeTest.N1;
    static final NodeId N2 = ReplicaSetNodeTest.N2;
    static final NodeId N3 = ReplicaSetNodeTest.N3;
    static final long ELECTION_TIMEOUT_MILLIS = 500;
    static final long LEASE_MILLIS = 400;

    private ReplicaSetConfig config;

    private void cluster() {
        config = new ReplicaSetConfig(Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                MemberConfig.voter(N3)), new AckPolicy.Quorum(), AckLevel.DURABLE, 1000, OnAckTimeout.ERROR, 100,
                1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS).withReadLease(LEASE_MILLIS);
        startThree(config);
        advance(ELECTION_TIMEOUT_MILLIS); // past the voters' start-up grace; the lease is renewed each heartbeat
    }

    /** A read on the leader with nothing delivered: answered from the lease, or not at all. */
    private String readWithoutMessages(String client) {
        Harness h = node(N1);
        int before = h.replies.size();
        h.step(new Input.ClientCommand(new ReplicaSetNodeTest.Client(client), 1, new byte[][] {"GET".getBytes(),
                "k".getBytes()}));
        return h.replies.subList(before, h.replies.size()).stream().filter(r -> r.startsWith(client + " "))
                .findFirst().orElse("(waiting)");
    }

    @Test
    void theLeaderAnswersReadsAtOnceWithinItsLeaseAndWaitsForARoundAfterIt() {
        cluster();
        write(N1, "w", "k", "v");
        settle();
        isolated.add(N2);
        isolated.add(N3);
        // The last round a majority confirmed began at most a heartbeat ago: the lease holds.
        assertEquals("lease \"v\"", readWithoutMessages("lease"), "no round trip within the lease");
        now += LEASE_MILLIS;
        node(N1).now = now;
        assertTrue(node(N1).node.isLeader(), "still leading: check-quorum waits an election timeout");
        assertEquals("(waiting)", readWithoutMessages("index"), "past the lease, a read waits for a round");
    }

    @Test
    void aVoterThatHeardFromALeaderRefusesVotesForAnElectionTimeoutWhateverItBelievesSince() {
        cluster();
        Harness n2 = node(N2);
        // A newer term from a node that does not lead it: n2 follows no one now (stepDown), but it echoed the
        // leader's rounds moments ago, and n1 may still be answering reads on the strength of that.
        n2.step(new Input.PeerMessage(new Message.AppendResponse(5, N3, false, 0, 0, 0, 0)));
        assertEquals(null, n2.node.leader());
        n2.step(new Input.PeerMessage(new Message.VoteRequest(6, N3, 100, 5, false)));
        Message.VoteResponse answer = (Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0];
        assertFalse(answer.granted(), n2.events.toString());
        assertTrue(n2.events.stream().anyMatch(e -> e instanceof Event.VoteRefused refused
                && refused.reason().startsWith("this node heard from a leader")), n2.events.toString());
        // Once an election timeout has passed since it last heard from a leader, it votes again.
        now += ELECTION_TIMEOUT_MILLIS;
        n2.now = now;
        n2.step(new Input.PeerMessage(new Message.VoteRequest(7, N3, 100, 5, false)));
        assertTrue(((Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0]).granted(), n2.events.toString());
    }

    @Test
    void aRestartedVoterGrantsNoVoteBeforeAnElectionTimeoutHasPassed() {
        cluster();
        // n3 restarts (a new core over the same log): it may have echoed a round just before it crashed.
        Harness restarted = new Harness(N3, config);
        restarted.now = now;
        restarted.node.becomeFollower(1, null, now, restarted);
        restarted.step(new Input.PeerMessage(new Message.VoteRequest(2, N2, 100, 1, true)));
        assertFalse(((Message.VoteResponse) restarted.outbox.get(restarted.outbox.size() - 1)[0]).granted(),
                restarted.events.toString());
    }

    @Test
    void aLeaseMustBeShorterThanTheElectionTimeoutAndNeedsElections() {
        ReplicaSetConfig base = ReplicaSetConfig.of(Map.of(N1, MemberConfig.voter(N1)), new AckPolicy.Async(),
                AckLevel.DURABLE);
        IllegalArgumentException noElections = assertThrows(IllegalArgumentException.class,
                () -> base.withReadLease(100));
        assertTrue(noElections.getMessage().startsWith("read-lease-millis must be 0"), noElections.getMessage());
        assertThrows(IllegalArgumentException.class, () -> base.withElectionTimeout(500).withReadLease(500));
        assertEquals(499, base.withElectionTimeout(500).withReadLease(499).readLeaseMillis());
    }
}
