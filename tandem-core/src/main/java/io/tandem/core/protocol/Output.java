package io.tandem.core.protocol;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Membership;
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

    /**
     * Make the term and this node's vote in it durable before anything else this step asked for happens
     * (before a message leaves): a node that forgot either after a crash could vote twice in one term and
     * elect two leaders. Called whenever either changes; {@code votedFor} is null when no vote was cast in
     * this term. Rare (once per election), so the runtime may write it synchronously.
     */
    void persistVote(long term, NodeId votedFor);

    /**
     * Make the vote floor durable beside the term and vote, before the rewind this step asks for begins: the
     * log position (term, lsn) this node votes by until its log passes it again, because a rewind is about to
     * drop entries it held (see ReplicaSetNode#voteLastTerm). A node that crashed after the rewind and before
     * the leader's snapshot reached it would otherwise come back voting by an empty log. Restored at start
     * with ReplicaSetNode#restoreVoteFloor. Rare (once per rewind), so the runtime may write it synchronously.
     */
    void persistVoteFloor(long term, long lsn);

    /**
     * Follower: the entries after {@code afterLsn} diverge from the leader's log, and this node has
     * already applied some of them (a deposed leader's own writes, or a follower that applied a deposed
     * leader's entries). Drop them from the log as {@link #truncateLog} does, and rebuild the keyspace as of
     * afterLsn (a snapshot at or before it, then the log up to it). When no snapshot and log reach back that
     * far, drop everything: the keyspace as of LSN 0, and the upstream bootstraps this node again. Answered
     * with {@link Input.Rewound} (the state the runtime could rebuild, at afterLsn or earlier); the core
     * serves no reads and takes no entries meanwhile. Runtimes record the dropped entries for the operator
     * (a rollback file).
     */
    void rewind(long afterLsn);

    /**
     * The membership this node uses changed (an entry changing it was appended, or dropped with a divergent
     * suffix, or a snapshot brought another): the runtime connects to the members at their addresses.
     */
    default void membersChanged(Membership membership) {
    }
}
