package io.tandem.bench;

import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Output;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a core benchmark steps a node into: its log as far as the core asks (the last position and its term;
 * one log, never read back) and a sink for everything it asks the runtime to do, handed to JMH's blackhole so
 * that none of it is optimized away. What a benchmark's node must never ask for (reading entries back,
 * truncating, snapshots, rewinds) throws.
 */
final class CoreSink implements Output, LogView {
    private final Blackhole hole;
    long lastLsn;
    long lastTerm;

    CoreSink(Blackhole hole) {
        this.hole = hole;
    }

    @Override
    public void persist(Entry entry) {
        lastLsn = entry.lsn();
        lastTerm = entry.term();
        hole.consume(entry);
    }

    @Override
    public long firstLsn() {
        return 1;
    }

    @Override
    public long lastLsn() {
        return lastLsn;
    }

    @Override
    public long term(long lsn) {
        return lsn == 0 ? 0 : lsn <= lastLsn ? lastTerm : -1; // the benchmarks' logs hold one term
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long bytesAfter(long lsn) {
        return 0;
    }

    @Override
    public void reply(ClientRef client, long requestId, Reply reply) {
        hole.consume(reply);
    }

    @Override
    public void event(Event event) {
        hole.consume(event);
    }

    @Override
    public void sendNow(NodeId to, Message message) {
        hole.consume(message);
    }

    @Override
    public void truncateLog(long afterLsn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void sendSnapshot(NodeId to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void receiveSnapshotChunk(Message.SnapshotChunk chunk) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void snapshotAcked(Message.SnapshotAck ack) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void persistVote(long term, NodeId votedFor) {
    }

    @Override
    public void persistVoteFloor(long term, long lsn) {
    }

    @Override
    public void rewind(long afterLsn) {
        throw new UnsupportedOperationException();
    }
}
