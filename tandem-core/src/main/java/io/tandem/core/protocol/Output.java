package io.tandem.core.protocol;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;

/**
 * What a step asks the runtime to do. The runtime carries these out after the step returns, in order:
 * entries go to the write-ahead log, messages to peers, replies to their clients. A reply is handed out
 * only when what it shows is durable (or committed, with replicas), so the runtime never holds replies
 * back itself.
 */
public interface Output {
    /** Append to the local log (the runtime batches appends into one write and fsync). */
    void persist(Entry entry);

    /**
     * Drop every entry after afterLsn from the local log (a follower's divergent suffix). Entries
     * persisted later in the same step follow the cut.
     */
    void truncateLog(long afterLsn);

    void reply(ClientRef client, long requestId, Reply reply);

    /**
     * The reply about to be released acknowledges a write at (term, lsn): a runtime that issues tokens
     * (TANDEM.LSN, WAIT) records it for the client. Called just before that reply.
     */
    default void acknowledged(ClientRef client, long term, long lsn) {
    }

    /**
     * Send at once. (Entries are shipped only once durable here: the protocol sends a batch only up to its
     * durable LSN, so the runtime never has to hold a message back.)
     */
    void sendNow(NodeId to, Message message);

    /** Something worth telling an operator happened (logged, counted, shown on the timeline). */
    void event(Event event);

    /**
     * Leader: stream this node's newest snapshot to {@code to} (as {@link Message.SnapshotChunk}s), because
     * it needs entries the log no longer holds. A newer call for the same follower replaces a transfer
     * under way.
     */
    void sendSnapshot(NodeId to);

    /** Follower: a chunk of the upstream's snapshot, accepted by term and sender: store and acknowledge it. */
    void receiveSnapshotChunk(Message.SnapshotChunk chunk);

    /** Leader: a follower acknowledged snapshot bytes (or gave the transfer up): send on from there. */
    void snapshotAcked(Message.SnapshotAck ack);
}
