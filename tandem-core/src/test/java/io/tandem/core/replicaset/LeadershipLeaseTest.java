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
import io.tandem.core.replicaset.ReplicaSetNodeTest.Harness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Check-quorum as a lease (elections 500 ms, heartbeats 100 ms, so a window of 450 ms): an async leader
 * acknowledges until 450 ms after the newest send time a majority echoed, however late the answers came back,
 * and checks it before every step, so that it never acknowledges a write after it. Then it holds
 * acknowledgements and asks again; a majority's fresh echo renews the lease, none within two heartbeats
 * steps it down. Voters keep the promise behind it.
 */
class LeadershipLeaseTest extends CoreCluster {
    static final NodeId N1 = ReplicaSetNodeTest.N1;
    static final NodeId N2 = ReplicaSetNodeTest.N2;
    static final NodeId N3 = ReplicaSetNodeTest.N3;
    static final long ELECTION_TIMEOUT_MILLIS = 500;
    static final long WINDOW_MILLIS = 450;
    static final long RENEWAL_MILLIS = 200;

    private ReplicaSetConfig config;
    /** When n1 sent what the followers last answered (set by {@link #cutOff}). */
    private long sent;

    /**
     * Three members under async, past the voters' start-up grace; then n1 is cut off from both followers, and
     * each has echoed {@link #sent} (the last send time they heard before the cut).
     */
    private void cutOff() {
        config = new ReplicaSetConfig(Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                MemberConfig.voter(N3)), new AckPolicy.Async(), AckLevel.DURABLE, 1000, OnAckTimeout.ERROR, 100,
                1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        startThree(config);
        advance(ELECTION_TIMEOUT_MILLIS);
        isolated.add(N2);
        isolated.add(N3);
        sent = now;
        answer(N2, sent, sent);
        answer(N3, sent, sent);
    }

    /** n1, at {@code atMillis} on its clock, receives an answer from {@code from} echoing {@code echoMillis}. */
    private void answer(NodeId from, long echoMillis, long atMillis) {
        Harness n1 = node(N1);
        n1.now = atMillis;
        long last = n1.log.lastLsn();
        n1.step(new Input.PeerMessage(new Message.AppendResponse(n1.node.term(), from, true, last, last, last, last,
                List.of(), 0, 0, echoMillis)));
    }

    private void tickAt(long atMillis) {
        node(N1).now = atMillis;
        node(N1).step(Input.TICK);
    }

    private boolean lostQuorum() {
        return node(N1).events.stream().anyMatch(e -> e instanceof Event.LostQuorum);
    }

    private boolean lapsed() {
        return node(N1).events.stream().anyMatch(e -> e instanceof Event.LeaseLapsed);
    }

    @Test
    void theLeaseRunsFromWhenTheRequestsWereSentNotFromWhenTheAnswersCameBack() {
        cutOff();
        // Both followers answer 400 ms after the cut, slowly, echoing a request sent before it: that answer is
        // fresh, but vouches only for what the followers heard then.
        answer(N2, sent, sent + 400);
        answer(N3, sent, sent + 400);
        tickAt(sent + WINDOW_MILLIS - 1);
        assertFalse(lapsed(), "within the window after the send time a majority echoed");
        tickAt(sent + WINDOW_MILLIS);
        assertTrue(lapsed(), "the followers may stop refusing votes 500 ms after " + sent);
        assertTrue(node(N1).node.isLeader(), "it asks again before it gives up");
        tickAt(sent + WINDOW_MILLIS + RENEWAL_MILLIS);
        assertFalse(node(N1).node.isLeader(), "no majority renewed the lease within two heartbeats");
        Event.LostQuorum lost = (Event.LostQuorum) node(N1).events.stream()
                .filter(e -> e instanceof Event.LostQuorum).findFirst().orElseThrow();
        assertEquals(1, lost.heard(), "itself only: " + lost);
        assertEquals(2, lost.needed());
        assertEquals(WINDOW_MILLIS, lost.windowMillis());
        assertFalse(lost.neverLeased(), "it held a lease, which lapsed: " + lost);
    }

    @Test
    void anEchoOfALaterSendTimeFromOneFollowerMakesAMajorityAndExtendsTheLease() {
        cutOff();
        answer(N2, sent + 300, sent + 310);
        tickAt(sent + 300 + WINDOW_MILLIS - 1);
        assertFalse(lapsed(), "n2 heard from n1 at " + (sent + 300) + ": with n1, a majority");
        tickAt(sent + 300 + WINDOW_MILLIS);
        assertTrue(lapsed());
        tickAt(sent + 300 + WINDOW_MILLIS + RENEWAL_MILLIS);
        assertFalse(node(N1).node.isLeader());
        assertTrue(lostQuorum());
    }

    @Test
    void aWriteThatBecomesDurableAfterTheLeaseRanOutIsNeverAcknowledged() {
        cutOff();
        node(N1).now = sent + WINDOW_MILLIS - 10;
        write(N1, "a", "k", "v"); // async: acknowledged once durable here, which it is not yet
        assertTrue(node(N1).replies.isEmpty(), node(N1).replies.toString());
        node(N1).now = sent + WINDOW_MILLIS; // the fsync completes just as the lease runs out: no tick between
        node(N1).sync();
        assertTrue(node(N1).replies.isEmpty(), "checked before the step that would have acknowledged it: "
                + node(N1).replies);
        write(N1, "b", "k", "v2");
        node(N1).sync();
        assertTrue(node(N1).replies.isEmpty(), "held too: " + node(N1).replies);
        tickAt(sent + WINDOW_MILLIS + RENEWAL_MILLIS);
        assertFalse(node(N1).node.isLeader());
        assertTrue(node(N1).replies.stream().anyMatch(r -> r.startsWith("a -TRYAGAIN")), node(N1).replies.toString());
        assertTrue(node(N1).replies.stream().anyMatch(r -> r.startsWith("b -TRYAGAIN")), node(N1).replies.toString());
        write(N1, "c", "k", "v");
        assertTrue(node(N1).replies.contains("c -READONLY You can't write against a read only replica."));
    }

    @Test
    void aLeaderThatStalledPastItsLeaseIsRenewedByTheFollowersAnswersAndAcknowledgesWhatItHeld() {
        cutOff();
        // n1 stalls (a GC pause) for 600 ms: no step in between. Its followers, whose timers run 500 ms plus a
        // random part of as much again, have not stood yet.
        node(N1).now = sent + 600;
        write(N1, "a", "k", "v");
        node(N1).sync();
        assertTrue(lapsed(), node(N1).events.toString());
        assertTrue(node(N1).replies.isEmpty(), "nothing acknowledged on a lapsed lease: " + node(N1).replies);
        assertTrue(node(N1).outbox.stream().anyMatch(m -> m[0] instanceof Message.AppendRequest r
                && r.leaderTimeMillis() == sent + 600), "it asks every follower at once");
        // n2 answers the heartbeat sent after the stall: with n1, a majority heard from it at sent + 600.
        answer(N2, sent + 600, sent + 602);
        assertTrue(node(N1).replies.contains("a +OK"), node(N1).replies.toString());
        assertTrue(node(N1).events.stream().anyMatch(e -> e instanceof Event.LeaseRenewed r && r.lapsedMillis() == 2),
                node(N1).events.toString());
        tickAt(sent + 600 + WINDOW_MILLIS - 1);
        assertTrue(node(N1).node.isLeader(), "no failover: " + node(N1).events);
        assertFalse(lostQuorum());
    }

    @Test
    void aVoterThatHeardFromALeaderRefusesEveryVoteForAnElectionTimeoutWhateverItBelievesSince() {
        cutOff();
        Harness n2 = node(N2);
        long heard = n2.now;
        // A newer term from a node that does not lead it: n2 follows no one now, but it echoed n1's send times
        // moments ago, and n1 may still be acknowledging on the strength of that.
        n2.step(new Input.PeerMessage(new Message.AppendResponse(5, N3, false, 0, 0, 0, 0)));
        assertEquals(null, n2.node.leader());
        n2.step(new Input.PeerMessage(new Message.VoteRequest(6, N3, 100, 5, false)));
        assertFalse(((Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0]).granted(), n2.events.toString());
        n2.now = heard + ELECTION_TIMEOUT_MILLIS;
        n2.step(new Input.PeerMessage(new Message.VoteRequest(7, N3, 100, 5, false)));
        assertTrue(((Message.VoteResponse) n2.outbox.get(n2.outbox.size() - 1)[0]).granted(), n2.events.toString());
    }

    /**
     * n1 alone, leading term 1 as configured with no votes (a replica set's birth, or n1 restarted on an empty
     * data directory while n2 and n3 may have elected another since), with a write durable on its disk.
     */
    private void leadingByConfigurationWithAWrite() {
        config = new ReplicaSetConfig(Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                MemberConfig.voter(N3)), new AckPolicy.Async(), AckLevel.DURABLE, 1000, OnAckTimeout.ERROR, 100,
                1 << 20, 1 << 16, 0, 1000, ELECTION_TIMEOUT_MILLIS);
        nodes.put(N1, new Harness(N1, config));
        isolated.add(N2);
        isolated.add(N3);
        node(N1).node.becomeLeader(1, now, node(N1));
        write(N1, "a", "k", "v");
        node(N1).sync();
        settle();
    }

    @Test
    void aLeaderWithNoVotesAcknowledgesNothingUntilAMajorityEchoesIt() {
        leadingByConfigurationWithAWrite();
        assertTrue(node(N1).replies.isEmpty(), "async, durable here, but no voter vouched for n1 yet: "
                + node(N1).replies);
        // n2 answers n1's first heartbeat: with n1, a majority heard from it in its term.
        isolated.remove(N2);
        nodes.put(N2, new Harness(N2, config));
        node(N2).node.becomeFollower(1, N1, now, node(N2));
        tickAt(now + 100);
        settle();
        assertTrue(node(N1).replies.contains("a +OK"), node(N1).replies.toString());
        assertFalse(lapsed(), "a replica set being born is not a lease lapsing: " + node(N1).events);
        assertFalse(node(N1).events.stream().anyMatch(e -> e instanceof Event.LeaseRenewed),
                node(N1).events.toString());
    }

    @Test
    void aLeaderWithNoVotesThatNoOneEchoesStepsDownAfterFourElectionTimeouts() {
        long started = now;
        leadingByConfigurationWithAWrite();
        long wait = CheckQuorum.FIRST_LEASE_ELECTION_TIMEOUTS * ELECTION_TIMEOUT_MILLIS;
        for (long t = started + 100; t < started + wait; t += 100) {
            tickAt(t); // heartbeats no one answers
        }
        tickAt(started + wait - 1);
        assertTrue(node(N1).node.isLeader(), "the followers may still be starting: " + node(N1).events);
        assertTrue(node(N1).replies.isEmpty(), node(N1).replies.toString());
        tickAt(started + wait);
        assertFalse(node(N1).node.isLeader());
        Event.LostQuorum lost = (Event.LostQuorum) node(N1).events.stream()
                .filter(e -> e instanceof Event.LostQuorum).findFirst().orElseThrow();
        assertTrue(lost.neverLeased(), lost.toString());
        assertEquals(wait, lost.windowMillis(), "how long it waited, not the lease window: " + lost);
        assertTrue(node(N1).replies.stream().anyMatch(r -> r.startsWith("a -TRYAGAIN")), node(N1).replies.toString());
    }

    /** The answer {@code h} sent last, to a vote request. */
    private static Message.VoteResponse lastVoteAnswer(Harness h) {
        return (Message.VoteResponse) h.outbox.get(h.outbox.size() - 1)[0];
    }

    @Test
    void aVoterThatGrantedACandidateGrantsNoOtherForAnElectionTimeout() {
        cutOff();
        Harness n3 = node(N3);
        long lastLsn = n3.log.lastLsn();
        // n3 last heard from n1 at `sent`; an election timeout later it may vote again.
        long granted = sent + ELECTION_TIMEOUT_MILLIS;
        n3.now = granted;
        n3.step(new Input.PeerMessage(new Message.VoteRequest(2, N1, lastLsn, 1, false)));
        assertTrue(lastVoteAnswer(n3).granted(), n3.events.toString());
        // n1's first heartbeat in term 2 is lost. 78 ms later n2 asks, in a newer term (seed 1351372): n1 leads
        // on the strength of n3's grant, so n3 must not help elect another.
        n3.now = granted + 78;
        n3.step(new Input.PeerMessage(new Message.VoteRequest(3, N2, lastLsn, 1, true)));
        assertFalse(lastVoteAnswer(n3).granted(), "pre-vote: " + n3.events);
        n3.step(new Input.PeerMessage(new Message.VoteRequest(3, N2, lastLsn, 1, false)));
        assertFalse(lastVoteAnswer(n3).granted(), "vote: " + n3.events);
        assertTrue(n3.events.stream().anyMatch(e -> e instanceof Event.VoteRefused r && r.candidate().equals(N2)
                && r.reason().contains("voted for another candidate")), n3.events.toString());
        // The candidate it granted may have it again: it asks in a later term only if it did not win the first.
        n3.step(new Input.PeerMessage(new Message.VoteRequest(4, N1, lastLsn, 1, false)));
        assertTrue(lastVoteAnswer(n3).granted(), n3.events.toString());
        n3.now = granted + 78 + ELECTION_TIMEOUT_MILLIS;
        n3.step(new Input.PeerMessage(new Message.VoteRequest(5, N2, lastLsn, 1, false)));
        assertTrue(lastVoteAnswer(n3).granted(), "an election timeout after its last grant: " + n3.events);
    }

    @Test
    void aNewLeaderCountsItsLeaseFromWhenItAskedAndOnlyOnTheVotersThatElectedIt() {
        cutOff();
        // n2, cut off from n1 too, stands once its timer runs out (at most two election timeouts after `sent`).
        Harness n2 = node(N2);
        for (long t = sent + 50; n2.events.stream().noneMatch(e -> e instanceof Event.ElectionStarted); t += 50) {
            assertTrue(t <= sent + 3 * ELECTION_TIMEOUT_MILLIS, "n2 never stood: " + n2.events);
            n2.now = t;
            n2.step(Input.TICK);
        }
        long preVoteTerm = n2.node.term() + 1;
        // n3 grants the pre-vote: n2 raises its term and asks for votes now.
        long asked = n2.now;
        n2.step(new Input.PeerMessage(new Message.VoteResponse(preVoteTerm, N3, true, true)));
        assertEquals(preVoteTerm, n2.node.term(), n2.events.toString());
        // n3's vote comes back 80 ms later: n2 leads, with n3's vote and n1's refusal (or silence).
        n2.now = asked + 80;
        n2.step(new Input.PeerMessage(new Message.VoteResponse(preVoteTerm, N3, true, false)));
        assertTrue(n2.node.isLeader(), n2.events.toString());
        // No follower answers n2's heartbeats. Its lease ran from `asked` on n3's grant: n3 answered after it,
        // and refuses any other candidate for an election timeout from its grant. It did not run from the
        // election, nor on n1, which never voted for n2 and may be standing itself.
        n2.now = asked + WINDOW_MILLIS - 1;
        n2.step(Input.TICK);
        assertFalse(n2.events.stream().anyMatch(e -> e instanceof Event.LeaseLapsed), n2.events.toString());
        n2.now = asked + WINDOW_MILLIS;
        n2.step(Input.TICK);
        assertTrue(n2.events.stream().anyMatch(e -> e instanceof Event.LeaseLapsed l && l.heard() == 1),
                n2.events.toString());
    }

    @Test
    void aRestartedVoterGrantsNoVoteForAnElectionTimeoutAfterItStarts() {
        cutOff();
        // n3 restarts (a new core over the same log): it may have echoed n1 just before it crashed, and
        // remembers nothing of it.
        Harness restarted = new Harness(N3, config);
        restarted.now = now;
        restarted.node.becomeFollower(1, null, now, restarted);
        restarted.step(new Input.PeerMessage(new Message.VoteRequest(2, N2, 100, 1, false)));
        assertFalse(((Message.VoteResponse) restarted.outbox.get(restarted.outbox.size() - 1)[0]).granted(),
                restarted.events.toString());
        restarted.now = now + ELECTION_TIMEOUT_MILLIS;
        restarted.step(new Input.PeerMessage(new Message.VoteRequest(3, N2, 100, 1, false)));
        assertTrue(((Message.VoteResponse) restarted.outbox.get(restarted.outbox.size() - 1)[0]).granted(),
                restarted.events.toString());
    }

    @Test
    void aFollowerEchoesTheNewestSendTimeOfItsLeaderAndForgetsItWithTheTerm() {
        cutOff();
        isolated.clear();
        tickAt(sent + 100); // a heartbeat sent at sent + 100
        settle();
        Harness n2 = node(N2);
        n2.outbox.clear();
        n2.outboxTo.clear();
        node(N1).now = sent + 200;
        node(N1).step(Input.TICK);
        Message.AppendRequest heartbeat = null;
        for (int i = 0; i < node(N1).outbox.size(); i++) {
            if (node(N1).outboxTo.get(i).equals(N2) && node(N1).outbox.get(i)[0] instanceof Message.AppendRequest r) {
                heartbeat = r;
            }
        }
        assertTrue(heartbeat != null, "n1 sends n2 a heartbeat each 100 ms");
        assertEquals(sent + 200, heartbeat.leaderTimeMillis());
        node(N1).outbox.clear();
        node(N1).outboxTo.clear();
        n2.step(new Input.PeerMessage(heartbeat));
        Message.AppendResponse answer = (Message.AppendResponse) n2.outbox.get(n2.outbox.size() - 1)[0];
        assertEquals(sent + 200, answer.leaderMillis(), "the newest send time n2 heard: " + answer);
        n2.outbox.clear();
        n2.outboxTo.clear();
        // A newer term: n2 follows no one, and echoes nothing of n1's any more.
        n2.step(new Input.PeerMessage(new Message.AppendResponse(5, N3, false, 0, 0, 0, 0)));
        n2.node.becomeFollower(5, N3, n2.now, n2);
        n2.step(new Input.PeerMessage(new Message.AppendRequest(5, N3, heartbeat.prevLsn(), heartbeat.prevTerm(),
                List.of(), 0, 0, "", "")));
        Message.AppendResponse toN3 = (Message.AppendResponse) n2.outbox.get(n2.outbox.size() - 1)[0];
        assertEquals(0, toN3.leaderMillis(), "nothing of the old leader's clock: " + toN3);
    }
}
