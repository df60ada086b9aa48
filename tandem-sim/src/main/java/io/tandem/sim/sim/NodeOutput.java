package io.tandem.sim.sim;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime side of one node's steps, as the real agent would carry out a step's output: entries and
 * truncations go to the disk at once (the core reads its log back within the same step), messages go to
 * the network, events go to the trace. Replies are collected
 * and handed out after the step, when the checkers can look at them with the step complete.
 */
final class NodeOutput implements Output {
    private final SimNode node;
    private final List<Entry> persisted = new ArrayList<>();
    private final List<StepRecord.ReleasedReply> replies = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    NodeOutput(SimNode node) {
        this.node = node;
    }

    void begin() {
        persisted.clear();
        replies.clear();
        events.clear();
    }

    List<Entry> persisted() {
        return persisted;
    }

    List<StepRecord.ReleasedReply> replies() {
        return replies;
    }

    List<Event> events() {
        return events;
    }

    @Override
    public void persist(Entry entry) {
        node.disk().append(entry);
        node.logged(entry.lsn());
        persisted.add(entry);
    }

    @Override
    public void truncateLog(long afterLsn) {
        node.note("truncate log after", afterLsn);
        node.disk().truncateAfter(afterLsn);
    }

    @Override
    public void reply(ClientRef client, long requestId, Reply reply) {
        replies.add(new StepRecord.ReleasedReply((ReplyTarget) client, requestId, reply, null));
    }

    @Override
    public void sendNow(NodeId to, Message message) {
        node.network().send(node, to, message);
    }

    @Override
    public void sendSnapshot(NodeId to) {
        node.sendSnapshot(to);
    }

    @Override
    public void receiveSnapshotChunk(Message.SnapshotChunk chunk) {
        node.receiveSnapshotChunk(chunk);
    }

    @Override
    public void snapshotAcked(Message.SnapshotAck ack) {
        node.snapshotAcked(ack);
    }

    @Override
    public void persistVote(long term, NodeId votedFor) {
        node.disk().persistVote(term, votedFor);
    }

    @Override
    public void persistVoteFloor(long term, long lsn) {
        node.disk().persistVoteFloor(term, lsn);
    }

    @Override
    public void rewind(long afterLsn) {
        node.rewind(afterLsn);
    }

    @Override
    public void event(Event event) {
        events.add(event);
        node.note("event", event);
    }
}
