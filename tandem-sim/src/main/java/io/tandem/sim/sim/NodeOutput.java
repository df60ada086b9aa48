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
 * the network (or wait for the disk, for sendAfterPersist), events go to the trace. Replies are collected
 * and handed out after the step, when the checkers can look at them with the step complete.
 */
final class NodeOutput implements Output {
    /** A message waiting until the disk is durable up to requiredLsn (everything persisted before it). */
    record Held(long requiredLsn, NodeId to, Message message) {}

    private final SimNode node;
    private final List<Entry> persisted = new ArrayList<>();
    private final List<StepRecord.ReleasedReply> replies = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();

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
        replies.add(new StepRecord.ReleasedReply((SimClient) client, requestId, reply, null));
    }

    @Override
    public void sendNow(NodeId to, Message message) {
        node.network().send(node, to, message);
    }

    @Override
    public void sendAfterPersist(NodeId to, Message message) {
        // "Everything persisted so far": the log's end now, whatever the message carries.
        long required = node.disk().log().lastLsn();
        if (held.isEmpty() && node.disk().durableLsn() >= required) {
            node.network().send(node, to, message);
        } else {
            held.add(new Held(required, to, message));
        }
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
    public void event(Event event) {
        events.add(event);
        node.note("event", event);
    }

    /** The disk is durable up to durableLsn: send the held messages it covers, in the order they were held. */
    void releaseHeld(long durableLsn) {
        int released = 0;
        while (released < held.size() && held.get(released).requiredLsn() <= durableLsn) {
            Held h = held.get(released++);
            node.network().send(node, h.to(), h.message());
        }
        held.subList(0, released).clear();
    }

    int heldCount() {
        return held.size();
    }

    /** A crash: messages that were waiting for the disk die with the process. */
    void dropHeld() {
        held.clear();
    }
}
