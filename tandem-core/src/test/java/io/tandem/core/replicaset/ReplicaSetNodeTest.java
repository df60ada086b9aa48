package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.keyspace.KeyspaceDigest;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A leader and two followers wired by hand, every message delivered explicitly, so each test can say
 * exactly what is in flight: when a write's reply is released under each policy, what a follower does
 * with a batch that does not fit, fencing by term.
 */
class ReplicaSetNodeTest {
    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final NodeId N3 = NodeId.of("n3");

    record Client(String name) implements ClientRef {}

    /** One node with its log and what its steps asked for. */
    static final class Harness implements Output {
        final NodeId id;
        final MemoryLog log = new MemoryLog();
        final ReplicaSetNode node;
        final List<Message[]> outbox = new ArrayList<>(); // {to-as-Subscribe-placeholder, message}
        final List<NodeId> outboxTo = new ArrayList<>();
        final List<String> replies = new ArrayList<>();
        final List<Event> events = new ArrayList<>();
        long now;

        Harness(NodeId id, ReplicaSetConfig config) {
            this(id, config, new MembershipLog(ReplicaSetNode.membershipOf(config), 0));
        }

        /** A node starting from these memberships (a node joining starts from none that names it). */
        Harness(NodeId id, ReplicaSetConfig config, MembershipLog memberships) {
            this.id = id;
            // Each node its own generator, as on real nodes: SPOP picks differently on each.
            this.node = new ReplicaSetNode(id, config, new Keyspace(7), log, 1, null, memberships,
                    new SplittableRandom(id.name().hashCode()));
        }

        void step(Input input) {
            node.step(now, input, this);
        }

        /** Everything appended is durable now. */
        void sync() {
            step(new Input.Persisted(log.lastLsn()));
        }

        @Override
        public void persist(Entry entry) {
            log.append(entry);
        }

        @Override
        public void truncateLog(long afterLsn) {
            log.truncateAfter(afterLsn);
        }

        @Override
        public void reply(ClientRef client, long requestId, Reply reply) {
            replies.add(((Client) client).name() + " " + show(reply));
        }

        @Override
        public void sendNow(NodeId to, Message message) {
            outboxTo.add(to);
            outbox.add(new Message[] {message});
        }

        @Override
        public void event(Event event) {
            events.add(event);
        }

        final List<NodeId> snapshotsSent = new ArrayList<>();
        final List<Message.SnapshotChunk> chunksReceived = new ArrayList<>();
        final List<Message.SnapshotAck> snapshotAcks = new ArrayList<>();

        @Override
        public void sendSnapshot(NodeId to) {
            snapshotsSent.add(to);
        }

        @Override
        public void receiveSnapshotChunk(Message.SnapshotChunk chunk) {
            chunksReceived.add(chunk);
        }

        @Override
        public void snapshotAcked(Message.SnapshotAck ack) {
            snapshotAcks.add(ack);
        }

        long persistedTerm = 1;
        NodeId persistedVote;
        final List<Long> rewinds = new ArrayList<>();

        long[] persistedFloor = {0, 0};

        @Override
        public void persistVote(long term, NodeId votedFor) {
            persistedTerm = term;
            persistedVote = votedFor;
        }

        @Override
        public void persistVoteFloor(long term, long lsn) {
            persistedFloor = new long[] {term, lsn};
        }

        /** Drops the suffix; the test answers with Input.Rewound itself ({@link #finishRewind}). */
        @Override
        public void rewind(long afterLsn) {
            rewinds.add(afterLsn);
            if (afterLsn < log.firstLsn() - 1) {
                log.restartAfter(0, 0); // nothing reaches back: everything goes (the keys too, see finishRewind)
            } else {
                log.truncateAfter(afterLsn);
            }
        }

        /** What a runtime does for a rewind: the keyspace again from the (uncompacted) log up to its end. */
        void finishRewind() {
            Keyspace rebuilt = new Keyspace(7);
            EntryApplier applier = new EntryApplier(rebuilt, new SplittableRandom(1));
            for (Entry entry : log.entries(1, Long.MAX_VALUE)) {
                applier.apply(entry);
            }
            step(new Input.Rewound(log.lastLsn(), log.term(log.lastLsn()), rebuilt));
        }
    }

    private final Map<NodeId, Harness> nodes = new LinkedHashMap<>();

    private void cluster(AckPolicy policy, AckLevel level, OnAckTimeout onTimeout) {
        cluster(policy, level, onTimeout, 0, 0);
    }

    private void cluster(AckPolicy policy, AckLevel level, OnAckTimeout onTimeout, int minReplicasToWrite,
            long n3ApplyDelayMillis) {
        Map<NodeId, MemberConfig> members = Map.of(N1, MemberConfig.voter(N1), N2, MemberConfig.voter(N2), N3,
                new MemberConfig(N3, true, n3ApplyDelayMillis));
        ReplicaSetConfig config = new ReplicaSetConfig(members, policy, level, 500, onTimeout, 100, 1 << 20, 1 << 16,
                minReplicasToWrite, 1000);
        for (NodeId id : List.of(N1, N2, N3)) {
            nodes.put(id, new Harness(id, config));
        }
        Harness leader = nodes.get(N1);
        leader.node.becomeLeader(1, 0, leader);
        for (NodeId id : List.of(N2, N3)) {
            Harness h = nodes.get(id);
            h.node.becomeFollower(1, N1, 0, h);
        }
        deliverAll();
    }

    /** Delivers every message in flight (and the ones they cause) until none is left. */
    private void deliverAll() {
        deliverAll(nodes);
    }

    /** Delivers every message in flight among {@code nodes} (and the ones they cause) until none is left. */
    static void deliverAll(Map<NodeId, Harness> nodes) {
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (Harness from : nodes.values()) {
                while (!from.outbox.isEmpty()) {
                    Message message = from.outbox.remove(0)[0];
                    NodeId to = from.outboxTo.remove(0);
                    nodes.get(to).step(new Input.PeerMessage(message));
                    any = true;
                }
            }
            if (!any) {
                return;
            }
        }
        throw new AssertionError("messages never stopped");
    }

    private void drop(NodeId from) {
        nodes.get(from).outbox.clear();
        nodes.get(from).outboxTo.clear();
    }

    private void write(String client, String... args) {
        Harness leader = nodes.get(N1);
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        leader.step(new Input.ClientCommand(new Client(client), 1, bytes));
    }

    @Test
    void asyncAcknowledgesOnceTheLeaderHasItDurable() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        assertEquals(List.of(), leader.replies, "not durable on the leader yet");
        leader.sync();
        assertEquals(List.of("c1 +OK"), leader.replies);
    }

    @Test
    void semiSyncWaitsForOneFollowerAtTheLevel() {
        cluster(new AckPolicy.SemiSync(1), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        assertEquals(List.of(), leader.replies, "no follower has it yet");
        deliverAll(); // the entry reaches n2 and n3: received, not durable
        assertEquals(List.of(), leader.replies, "received is not durable");
        nodes.get(N2).sync();
        deliverAll();
        assertEquals(List.of("c1 +OK"), leader.replies);
        assertEquals(1, leader.node.progress().get(N2).durableLsn());
        assertEquals(0, leader.node.progress().get(N3).durableLsn());
    }

    @Test
    void aReadAfterAnUncommittedWriteWaitsForItsCommit() {
        cluster(new AckPolicy.Quorum(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        write("c2", "GET", "k");
        leader.sync();
        deliverAll();
        assertEquals(List.of(), leader.replies, "the GET shows a write a failover could still lose");
        nodes.get(N3).sync();
        deliverAll();
        assertEquals(List.of("c1 +OK", "c2 \"v\""), leader.replies);
    }

    @Test
    void followersApplyDurableEntriesServeReadsAndRefuseWrites() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        write("c1", "SADD", "s", "a", "b");
        leader.sync();
        deliverAll();
        Harness follower = nodes.get(N2);
        follower.step(new Input.ClientCommand(new Client("r"), 1, new byte[][] {"GET".getBytes(), "k".getBytes()}));
        assertEquals(List.of("r (nil)"), follower.replies, "received but not durable: not applied yet");
        follower.sync();
        follower.step(new Input.ClientCommand(new Client("r"), 2, new byte[][] {"GET".getBytes(), "k".getBytes()}));
        follower.step(new Input.ClientCommand(new Client("w"), 3, new byte[][] {"SET".getBytes(), "k".getBytes(),
                "x".getBytes()}));
        assertEquals(List.of("r (nil)", "r \"v\"", "w -READONLY You can't write against a read only replica."),
                follower.replies);
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(follower.node.keyspace()));
        assertEquals(2, follower.node.appliedLsn());
    }

    @Test
    void aFollowerBehindIsProbedBackToWhereItsLogEnds() {
        cluster(new AckPolicy.All(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "a", "1");
        leader.sync();
        drop(N1); // n2 and n3 never see LSN 1
        write("c1", "SET", "b", "2");
        write("c1", "SET", "c", "3");
        leader.sync();
        deliverAll(); // batches 2..3 do not fit after prev=1: mismatch, step back, resend from 1
        nodes.get(N2).sync();
        nodes.get(N3).sync();
        deliverAll();
        assertEquals(List.of("c1 +OK", "c1 +OK", "c1 +OK"), leader.replies);
        for (NodeId id : List.of(N2, N3)) {
            assertEquals(3, nodes.get(id).log.lastLsn());
            assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(nodes.get(id).node.keyspace()));
        }
    }

    @Test
    void aFollowerBehindTheLogsStartIsBootstrappedFromASnapshotThenStreamed() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        Harness n3 = nodes.get(N3);
        for (int i = 0; i < 10; i++) {
            write("c1", "SET", "k" + i, "v" + i);
        }
        leader.sync();
        drop(N1); // n2 and n3 never see LSNs 1..10
        Keyspace atTen = new Keyspace(7); // what the leader's snapshot at LSN 10 holds
        for (Entry entry : leader.log.entries) {
            entry.effects().forEach(atTen::apply);
        }
        leader.log.compactUpTo(10); // a snapshot covers them: the log now starts at 11
        write("c1", "SET", "after", "snapshot");
        leader.sync();
        drop(N1);
        // n3 subscribes: its log ends at 0, before the leader's first LSN (11), so it needs the snapshot.
        n3.node.becomeFollower(1, N1, 0, n3);
        deliverAll();
        assertEquals(List.of(N3), leader.snapshotsSent, "the leader asks its runtime to stream the snapshot");
        assertTrue(leader.node.progress().get(N3).receivingSnapshot());
        assertTrue(leader.events.contains(new Event.FollowerNeedsSnapshot(N3, 1, 11)), leader.events.toString());
        // During the transfer the leader keeps n3 alive with heartbeats and starts no second transfer.
        // (n2, probed on this tick too, needs one as well.)
        leader.now += 1_000;
        leader.step(Input.TICK);
        deliverAll();
        assertEquals(1, leader.snapshotsSent.stream().filter(N3::equals).count(), leader.snapshotsSent.toString());
        // The runtime's chunks reach n3's core, which hands them to its runtime to store.
        Message.SnapshotChunk chunk = new Message.SnapshotChunk(1, N1, 10, 1, 0, 3, new byte[] {1, 2, 3}, 0);
        n3.step(new Input.PeerMessage(chunk));
        assertEquals(List.of(chunk), n3.chunksReceived);
        leader.step(new Input.PeerMessage(new Message.SnapshotAck(1, N3, 10, 3, false)));
        assertEquals(1, leader.snapshotAcks.size(), "acknowledged bytes go to the leader's runtime");
        // n3's runtime installed it: n3 adopts the keys and subscribes from LSN 10, the leader streams 11.
        n3.log.restartAfter(10, 1);
        n3.step(new Input.SnapshotLoaded(10, 1, atTen));
        assertTrue(n3.events.contains(new Event.SnapshotInstalled(10, 1, 10)), n3.events.toString());
        deliverAll();
        n3.sync();
        deliverAll();
        assertEquals(11, n3.node.appliedLsn());
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(n3.node.keyspace()));
        assertFalse(leader.node.progress().get(N3).receivingSnapshot());
    }

    @Test
    void aFollowerThatCompactedItsLogAnswersABatchBehindItsSnapshotWithItsEnd() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        Harness n2 = nodes.get(N2);
        for (int i = 0; i < 5; i++) {
            write("c1", "SET", "k" + i, "v");
        }
        leader.sync();
        deliverAll();
        n2.sync();
        deliverAll();
        n2.log.compactUpTo(4); // n2 took a snapshot at 4 and dropped 1..4
        // A stale batch after LSN 1 (a duplicate, or a resend from a stale position) reaches n2.
        n2.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 1, 1, List.of(leader.log.entries.get(1)), 5,
                0, "", "")));
        Message.AppendResponse answer = (Message.AppendResponse) n2.outbox.get(n2.outbox.size() - 1)[0];
        assertFalse(answer.matched());
        assertEquals(5, answer.lastLsn(), "the hint is n2's end, not a step back into its snapshot");
        // A batch after LSN 0 (every log holds it) carrying entries n2 compacted: those are skipped.
        n2.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 0, 0, List.copyOf(leader.log.entries), 5, 0, "",
                "")));
        assertEquals(5, n2.node.lastLsn());
        deliverAll();
        write("c1", "SET", "after", "v");
        leader.sync();
        deliverAll();
        n2.sync();
        deliverAll();
        assertEquals(6, n2.node.appliedLsn());
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(n2.node.keyspace()));
    }

    @Test
    void aSnapshotTransferTheFollowerGivesUpStartsAgain() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        Harness n3 = nodes.get(N3);
        write("c1", "SET", "k", "v");
        leader.sync();
        drop(N1);
        leader.log.compactUpTo(1);
        n3.node.becomeFollower(1, N1, 0, n3);
        deliverAll();
        leader.step(new Input.PeerMessage(new Message.SnapshotAck(1, N3, 1, 0, true)));
        assertTrue(leader.events.stream().anyMatch(e -> e instanceof Event.SnapshotTransferFailed), leader.events.toString());
        leader.now += 100; // the next heartbeat probes again, and the probe needs the snapshot again
        leader.step(Input.TICK);
        assertEquals(List.of(N3, N3), leader.snapshotsSent);
    }

    @Test
    void aLostBatchIsSentAgainWhileHeartbeatsKeepFlowing() {
        cluster(new AckPolicy.All(), AckLevel.RECEIVED, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        drop(N1); // the batch is lost on the way to both followers
        for (long now = 100; now <= 600 && leader.replies.isEmpty(); now += 100) {
            leader.now = now;
            leader.step(Input.TICK); // heartbeats reach the followers and are answered, every 100 ms
            deliverAll();
        }
        assertEquals(List.of("c1 +OK"), leader.replies, "the batch went out again after 3 silent heartbeats");
    }

    /**
     * Every node's clock to now and a tick on each but the held one (a stopped process); what the leader sent
     * the held one is kept in heldFor (it waits in that node's socket), the rest is dropped.
     */
    private void tickAllBut(NodeId held, long now, List<Message> heldFor) {
        for (Harness h : nodes.values()) {
            h.now = now;
            if (!h.id.equals(held)) {
                h.step(Input.TICK);
            }
        }
        Harness leader = nodes.get(N1);
        for (int i = 0; i < leader.outbox.size(); i++) {
            if (leader.outboxTo.get(i).equals(held)) {
                heldFor.add(leader.outbox.get(i)[0]);
            }
        }
        drop(N1);
    }

    private static boolean subscribed(Harness follower) {
        return follower.outbox.stream().anyMatch(m -> m[0] instanceof Message.Subscribe);
    }

    @Test
    void aFollowerThatStalledReadsWhatWaitsBeforeItSubscribesAgain() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        Harness n2 = nodes.get(N2);
        for (long now = 100; now <= 300; now += 100) { // steady ticks on every node, heartbeats answered
            for (Harness h : nodes.values()) {
                h.now = now;
                h.step(Input.TICK);
            }
            deliverAll();
        }
        // n2 stops (SIGSTOP) for 5 s; the leader goes on writing and beating, into n2's socket.
        List<Message> unread = new ArrayList<>();
        for (long now = 400; now <= 5_300; now += 100) {
            if (now == 1_000) {
                write("c1", "SET", "k", "v");
                leader.sync();
            }
            tickAllBut(N2, now, unread);
        }
        n2.outbox.clear();
        n2.outboxTo.clear();
        // n2 runs again: its first tick comes before the reads of its socket.
        n2.now = 5_300;
        n2.step(Input.TICK);
        assertFalse(subscribed(n2), "a Subscribe now sends the leader back over what n2 has not read yet");
        for (Message m : unread) {
            n2.step(new Input.PeerMessage(m));
        }
        n2.now = 5_400;
        n2.step(Input.TICK);
        assertFalse(subscribed(n2), "the leader was never silent");
        assertEquals(1, n2.node.lastLsn(), "n2 has the write from what waited in its socket");
    }

    @Test
    void aFollowerThatStalledStillSubscribesAgainWhenItsLeaderIsSilent() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness n2 = nodes.get(N2);
        for (long now = 100; now <= 300; now += 100) {
            n2.now = now;
            n2.step(Input.TICK);
        }
        n2.outbox.clear();
        n2.outboxTo.clear();
        n2.now = 5_300; // n2 stalled, and the leader is gone too: nothing waits in its socket
        n2.step(Input.TICK);
        assertFalse(subscribed(n2), "one tick for the reads that may wait");
        n2.now = 5_400;
        n2.step(Input.TICK);
        assertTrue(subscribed(n2), "then the silence is the leader's: n2 asks again");
    }

    @Test
    void onAckTimeoutErrorSaysHowManyAcknowledgedAndKeepsTheWrite() {
        cluster(new AckPolicy.SemiSync(2), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        deliverAll();
        nodes.get(N2).sync(); // only n2 makes it durable
        deliverAll();
        leader.now = 600;
        leader.step(Input.TICK);
        assertEquals(1, leader.replies.size());
        assertTrue(leader.replies.get(0).startsWith("c1 -NOREPLICAS Timed out after 500 ms: 1 of 2 required replicas"
                + " acknowledged (semi-sync 2, durable)"), leader.replies.get(0));
        assertEquals(1, leader.log.lastLsn(), "the write stays in the log");
        assertTrue(leader.events.stream().anyMatch(e -> e instanceof Event.AckTimedOut t && t.acknowledged() == 1));
    }

    @Test
    void onAckTimeoutDegradeGoesAsyncAndComesBackWhenReplicasCatchUp() {
        cluster(new AckPolicy.SemiSync(2), AckLevel.DURABLE, OnAckTimeout.DEGRADE);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        drop(N1); // the followers are cut off
        leader.now = 600;
        leader.step(Input.TICK);
        assertEquals(List.of("c1 +OK"), leader.replies);
        assertTrue(leader.node.degraded());
        write("c2", "SET", "k2", "v2");
        leader.sync();
        assertEquals(List.of("c1 +OK", "c2 +OK"), leader.replies, "degraded: durable on the leader is enough");
        drop(N1);
        leader.now = 1000;
        leader.step(Input.TICK); // heartbeats; the followers answer, still behind what was sent to them
        deliverAll();
        leader.now = 1100;
        leader.step(Input.TICK); // heard from since the lost batches: they go again
        deliverAll();
        nodes.get(N2).sync();
        nodes.get(N3).sync();
        deliverAll();
        assertFalse(leader.node.degraded(), "both followers hold everything: semi-sync 2 applies again");
        assertTrue(leader.events.stream().anyMatch(e -> e instanceof Event.PolicyRestored));
    }

    /**
     * Followers that are silent (stopped, paused, busy with a backlog) have not read what was sent: sending it
     * again would queue a copy behind the first (Streams#tick). Once they answer, they have it.
     */
    @Test
    void entriesAreNotSentAgainToAFollowerThatHasNotAnsweredSince() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        assertEquals(2, batchesTo(leader, N2) + batchesTo(leader, N3), "one batch to each follower");
        for (int i = 0; i < 10; i++) { // a second of heartbeats, none answered
            leader.now += 100;
            leader.step(Input.TICK);
        }
        assertEquals(2, batchesTo(leader, N2) + batchesTo(leader, N3), "the batches are not sent again");
        deliverAll();
        nodes.get(N2).sync();
        nodes.get(N3).sync();
        deliverAll();
        assertEquals(1, nodes.get(N2).node.appliedLsn());
        assertEquals(1, nodes.get(N3).node.appliedLsn());
    }

    /**
     * A batch after LSN 0 (as a new leader sends first) that ends inside what a follower's snapshot covers: the
     * follower cannot compare those entries (compacted), so it does not say it holds them, and asks to be asked
     * about its snapshot's last entry instead (simulator, seed 1062649: such an answer counted an entry durable
     * on a node whose snapshot held another). Asked there, it matches.
     */
    @Test
    void entriesASnapshotCoversAreNotAcknowledgedUntilItsLastEntryIsCompared() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        for (int i = 0; i < 3; i++) {
            write("c1", "SET", "k" + i, "v");
        }
        leader.sync();
        deliverAll();
        Harness n2 = nodes.get(N2);
        n2.sync();
        deliverAll();
        assertEquals(3, n2.node.appliedLsn());
        n2.log.compactUpTo(3);
        n2.outbox.clear();
        n2.outboxTo.clear();
        n2.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 0, 0, leader.log.entries.subList(0, 2), 3, 0,
                "", "")));
        Message.AppendResponse answer = (Message.AppendResponse) n2.outbox.get(0)[0];
        assertFalse(answer.matched(), "n2 does not say it holds entries it cannot compare: " + answer);
        assertEquals(3, answer.snapshotLsn(), "it names its snapshot's last entry");
        n2.outbox.clear();
        n2.outboxTo.clear();
        n2.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 3, 1, List.of(), 3, 0, "", "")));
        Message.AppendResponse asked = (Message.AppendResponse) n2.outbox.get(0)[0];
        assertTrue(asked.matched(), "asked about its snapshot's last entry, it matches: " + asked);
        assertEquals(3, asked.lastLsn());
    }

    /** AppendRequests with entries waiting in the leader's outbox for {@code to}. */
    private static long batchesTo(Harness from, NodeId to) {
        long batches = 0;
        for (int i = 0; i < from.outbox.size(); i++) {
            if (from.outboxTo.get(i).equals(to) && from.outbox.get(i)[0] instanceof Message.AppendRequest request
                    && !request.entries().isEmpty()) {
                batches++;
            }
        }
        return batches;
    }

    @Test
    void minReplicasToWriteRefusesWritesWithoutEnoughRecentReplicas() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR, 2, 0);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        assertEquals(List.of("c1 +OK"), leader.replies, "both followers were heard from at subscription");
        leader.now = 2000; // nothing heard for 2 s, over min-replicas-max-lag (1 s)
        write("c2", "SET", "k", "w");
        write("c3", "GET", "k");
        assertEquals(List.of("c1 +OK", "c2 -NOREPLICAS Not enough good replicas to write.", "c3 \"v\""),
                leader.replies, "the write is refused before it runs; reads go on");
        assertEquals(1, leader.log.lastLsn());
    }

    @Test
    void aDelayedReplicaPersistsAtOnceAndAppliesLate() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR, 0, 1000);
        Harness leader = nodes.get(N1);
        write("c1", "SET", "k", "v");
        leader.sync();
        deliverAll();
        Harness delayed = nodes.get(N3);
        delayed.sync();
        assertEquals(1, delayed.node.durableLsn(), "persisted at once");
        assertEquals(0, delayed.node.appliedLsn(), "not applied before its delay");
        delayed.now = 999;
        delayed.step(Input.TICK);
        assertEquals(0, delayed.node.appliedLsn());
        delayed.now = 1000;
        delayed.step(Input.TICK);
        assertEquals(1, delayed.node.appliedLsn(), "applied once the entry is 1 s old");
        Harness undelayed = nodes.get(N2);
        undelayed.sync();
        assertEquals(1, undelayed.node.appliedLsn(), "an undelayed follower applies as soon as it is durable");
    }

    @Test
    void aFollowerAppliesEveryDurableEntryOfABacklogLongerThanItsPrefetchBatch() {
        // A delayed n3 holds 700 entries (300 written at 0 ms, 400 at 500 ms) and applies them by batches of
        // 256 (keys prefetched, then applied): all of the first 300 once they are old enough, none of the rest.
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR, 0, 1000);
        Harness leader = nodes.get(N1);
        for (int i = 0; i < 700; i++) {
            leader.now = i < 300 ? 0 : 500;
            write("c1", "SET", "k" + i, "v" + i);
        }
        leader.sync();
        deliverAll();
        Harness delayed = nodes.get(N3);
        delayed.sync();
        assertEquals(700, delayed.node.durableLsn());
        delayed.now = 1000;
        delayed.step(Input.TICK);
        assertEquals(300, delayed.node.appliedLsn(), "the entries 1 s old, across two batches, and no more");
        assertNull(delayed.node.keyspace().find("k300".getBytes(StandardCharsets.UTF_8)));
        Harness n2 = nodes.get(N2);
        n2.sync();
        assertEquals(700, n2.node.appliedLsn(), "an undelayed follower applies all, batch after batch");
        delayed.now = 1500;
        delayed.step(Input.TICK);
        assertEquals(700, delayed.node.appliedLsn());
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(delayed.node.keyspace()));
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(n2.node.keyspace()));
    }

    @Test
    void statementFormatDivergesOnSpopAndRowFormatDoesNot() {
        for (boolean statements : new boolean[] {false, true}) {
            nodes.clear();
            cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
            Harness leader = nodes.get(N1);
            leader.node.statementFormat(statements);
            List<String> members = new ArrayList<>(List.of("SADD", "s"));
            for (int i = 0; i < 50; i++) {
                members.add("m" + i);
            }
            write("c1", members.toArray(new String[0]));
            for (int i = 0; i < 10; i++) {
                write("c1", "SPOP", "s");
            }
            leader.sync();
            deliverAll();
            nodes.get(N2).sync();
            long leaderDigest = KeyspaceDigest.of(leader.node.keyspace());
            long followerDigest = KeyspaceDigest.of(nodes.get(N2).node.keyspace());
            if (statements) {
                assertTrue(leaderDigest != followerDigest, "re-executed SPOPs pick other members on the follower");
            } else {
                assertEquals(leaderDigest, followerDigest, "row format ships the members the leader popped");
            }
            var set = (io.tandem.core.keyspace.SetValue) nodes.get(N2).node.keyspace().find("s".getBytes()).value();
            assertEquals(40, set.size(), "either way ten members were popped");
        }
    }

    @Test
    void aLagAlertIsRaisedOnceWhenAReplicaFallsBehindAndClearedWhenItCatchesUp() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        leader.node.lagAlerts(500, 0);
        write("c1", "SET", "k1", "v1");
        write("c1", "SET", "k2", "v2");
        leader.sync();
        drop(N1); // neither follower gets them
        long unapplied = io.tandem.core.log.EntryCodec.payloadSize(leader.log.entries.get(0))
                + io.tandem.core.log.EntryCodec.payloadSize(leader.log.entries.get(1));
        assertEquals(unapplied, leader.node.lagBytes(N3), "the bytes of both entries");
        leader.now += 400;
        leader.step(Input.TICK);
        assertTrue(leader.events.stream().noneMatch(e -> e instanceof Event.LagAlert), "400 ms is within the bound");
        leader.now += 200;
        leader.step(Input.TICK);
        leader.step(Input.TICK); // still behind: no second event
        assertEquals(List.of(new Event.LagAlert(N2, true, 600, unapplied, 2), new Event.LagAlert(N3, true, 600, unapplied, 2)),
                leader.events.stream().filter(e -> e instanceof Event.LagAlert).toList());
        leader.events.clear();
        leader.now += 300; // past the resend interval
        leader.step(Input.TICK);
        deliverAll(); // the heartbeats: the followers answer, still behind what was sent to them
        leader.now += 100;
        leader.step(Input.TICK); // heard from since the lost batch: it goes again
        deliverAll();
        nodes.get(N2).sync();
        nodes.get(N3).sync();
        deliverAll();
        leader.step(Input.TICK);
        assertEquals(List.of(new Event.LagAlert(N2, false, 0, 0, 0), new Event.LagAlert(N3, false, 0, 0, 0)),
                leader.events.stream().filter(e -> e instanceof Event.LagAlert).toList());
    }

    @Test
    void aFollowerPointedAwayIsNotPulledBackByTheOldLeaderOfTheSameTerm() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness n3 = nodes.get(N3);
        // REPLICAOF on n3 towards n2 keeps term 1 (n2 raises the term only when it is promoted).
        n3.node.becomeFollower(1, N2, 0, n3);
        n3.outbox.clear();
        n3.outboxTo.clear();
        // n1 still believes it leads term 1: its heartbeat must not make n3 follow it again.
        n3.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 0, 0, List.of(), 0, 0, "", "")));
        assertEquals(N2, n3.node.leader());
        assertTrue(n3.outbox.isEmpty(), "n1's request is ignored, not answered");
    }

    @Test
    void aCascadedReplicaStreamsFromItsRelayAndCountsAtTheLeaderThroughIt() {
        cluster(new AckPolicy.All(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        Harness n2 = nodes.get(N2);
        Harness n3 = nodes.get(N3);
        n3.node.becomeFollower(1, N2, 0, n3); // upstream n2: n2 relays to n3
        deliverAll();
        // n3 had subscribed to n1 directly when the cluster formed: n1 takes relayed reports about it only
        // two "connected" windows (2 x 5 heartbeats) later, when a relay it left could no longer vouch for it.
        leader.now += 1_001;
        write("c1", "SET", "k", "v");
        leader.sync();
        deliverAll(); // n1 -> n2 only
        assertEquals(0, n3.log.lastLsn(), "n2 relays only what is durable on n2");
        n2.sync();
        deliverAll(); // n2 -> n3
        assertEquals(1, n3.log.lastLsn());
        assertEquals(List.of(), leader.replies, "all: n3 has not made it durable yet");
        n3.sync();
        deliverAll(); // n3 answers n2, n2 passes n3's positions on to n1
        assertEquals(List.of("c1 +OK"), leader.replies, "n3's durable position reached the leader through n2");
        Progress viaN2 = leader.node.progress().get(N3);
        assertEquals(N2, viaN2.relayedBy());
        assertEquals(1, viaN2.durableLsn());
        assertEquals(KeyspaceDigest.of(leader.node.keyspace()), KeyspaceDigest.of(n3.node.keyspace()));
        // The relay passes the leader's commit point on: n3 knows how current it is.
        leader.now += 200;
        leader.step(Input.TICK);
        assertTrue(leader.outboxTo.contains(N2) && !leader.outboxTo.contains(N3),
                "the leader heartbeats n2 and leaves n3 to it: " + leader.outboxTo);
        deliverAll();
        n2.now += 200;
        n2.step(Input.TICK);
        deliverAll();
        assertEquals(1, n3.node.commitLsn());
    }

    @Test
    void twoNodesPromotedFromTheSameTermRefuseEachOthersStreamInsteadOfFailing() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness leader = nodes.get(N1);
        leader.step(new Input.PeerMessage(new Message.AppendRequest(1, N2, 0, 0, List.of(), 0, 0, "", "")));
        assertTrue(leader.node.isLeader(), "n1 does not give way on n2's say-so");
        assertTrue(leader.events.contains(new Event.ConflictingLeader(N2, 1)), leader.events.toString());
    }

    @Test
    void aMessageFromAnOlderTermIsRefusedWithTheCurrentTerm() {
        cluster(new AckPolicy.Async(), AckLevel.DURABLE, OnAckTimeout.ERROR);
        Harness follower = nodes.get(N2);
        follower.node.becomeFollower(5, N3, 0, follower); // an operator pointed n2 at n3 in term 5
        follower.outbox.clear();
        follower.outboxTo.clear();
        follower.step(new Input.PeerMessage(new Message.AppendRequest(1, N1, 0, 0, List.of(), 0, 0, "", "")));
        assertEquals(N1, follower.outboxTo.get(0));
        Message.AppendResponse refusal = (Message.AppendResponse) follower.outbox.get(0)[0];
        assertFalse(refusal.matched());
        assertEquals(5, refusal.term());
        Harness leader = nodes.get(N1);
        leader.step(new Input.PeerMessage(refusal));
        assertFalse(leader.node.isLeader(), "a leader that hears of a newer term steps down");
        assertEquals(5, leader.node.term());
    }

    static String show(Reply reply) {
        return switch (reply) {
            case Reply.Simple s -> "+" + s.text();
            case Reply.Error e -> "-" + e.text();
            case Reply.Bulk b -> "\"" + new String(b.bytes(), StandardCharsets.UTF_8) + "\"";
            case Reply.NullBulk n -> "(nil)";
            case Reply.Int i -> ":" + i.value();
            default -> reply.toString();
        };
    }
}
