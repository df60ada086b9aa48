package io.tandem.core.protocol;

import io.tandem.core.model.Reply;
import io.tandem.core.util.Invariants;

/**
 * Replies waiting for the log to become durable, in the order they were produced. A reply to a write
 * waits for its own entry; a reply to a read waits for the last entry that existed when it read, because
 * it may show that entry's data — releasing it earlier would let a client see a write that a crash can
 * still take back (a dirty read). Releasing in FIFO order also keeps each connection's pipelined replies
 * in request order.
 *
 * <p>With elections a read also waits for its read round (read-index): the leader confirmed, by a majority
 * answering a round it began after the read arrived, that it still led then. A reply with round 0 has no
 * such gate (writes: their commit by the policy is their confirmation).
 *
 * <p>A ring buffer of parallel arrays, grown by doubling: no allocation per reply in the steady state.
 */
public final class PendingReplies {
    private long[] lsns = new long[64];
    private ClientRef[] clients = new ClientRef[64];
    private long[] requestIds = new long[64];
    private Reply[] replies = new Reply[64];
    private boolean[] writes = new boolean[64];
    private long[] terms = new long[64];
    private long[] rounds = new long[64];
    private int head;
    private int size;

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    public void add(long requiredLsn, ClientRef client, long requestId, Reply reply) {
        add(requiredLsn, client, requestId, reply, false, 0);
    }

    /**
     * @param write whether the reply acknowledges a write at (term, requiredLsn): its release tells the
     *              runtime (Output.acknowledged), and an acknowledgement timeout turns it into an error
     */
    public void add(long requiredLsn, ClientRef client, long requestId, Reply reply, boolean write, long term) {
        add(requiredLsn, client, requestId, reply, write, term, 0);
    }

    /** @param readRound the read round that must be confirmed before the reply goes (0: none) */
    public void add(long requiredLsn, ClientRef client, long requestId, Reply reply, boolean write, long term,
            long readRound) {
        if (size > 0) {
            long last = lsns[(head + size - 1) & (lsns.length - 1)];
            Invariants.check(requiredLsn >= last, "replies queued out of LSN order: %d after %d", requiredLsn, last);
        }
        if (size == lsns.length) {
            grow();
        }
        int at = (head + size) & (lsns.length - 1);
        lsns[at] = requiredLsn;
        clients[at] = client;
        requestIds[at] = requestId;
        replies[at] = reply;
        writes[at] = write;
        terms[at] = term;
        rounds[at] = readRound;
        size++;
    }

    /** Hands out, in order, every reply whose required LSN is at most durableLsn. */
    public void release(long durableLsn, Output out) {
        release(durableLsn, Long.MAX_VALUE, out);
    }

    /** ... and whose read round is at most confirmedRound. */
    public void release(long durableLsn, long confirmedRound, Output out) {
        while (size > 0 && lsns[head] <= durableLsn && rounds[head] <= confirmedRound) {
            if (writes[head]) {
                out.acknowledged(clients[head], terms[head], lsns[head]);
            }
            out.reply(clients[head], requestIds[head], replies[head]);
            clients[head] = null;
            replies[head] = null;
            head = (head + 1) & (lsns.length - 1);
            size--;
        }
    }

    /**
     * An acknowledgement timeout: hands out, in order, every reply whose required LSN is at most
     * timedOutLsn. Those whose LSN is committed get their own replies; the others fail: a write with
     * {@code writeError} (it stays in the log, only its acknowledgement failed), a read with
     * {@code readError} (what it read may not survive a failover, so it must not be shown).
     */
    public void releaseTimedOut(long timedOutLsn, long commitLsn, Reply writeError, Reply readError, Output out) {
        releaseTimedOut(timedOutLsn, commitLsn, Long.MAX_VALUE, writeError, readError, out);
    }

    /** ... a read whose round is beyond confirmedRound fails too (its leader was not confirmed). */
    public void releaseTimedOut(long timedOutLsn, long commitLsn, long confirmedRound, Reply writeError,
            Reply readError, Output out) {
        while (size > 0 && lsns[head] <= timedOutLsn) {
            boolean committed = lsns[head] <= commitLsn && rounds[head] <= confirmedRound;
            Reply reply = committed ? replies[head] : writes[head] ? writeError : readError;
            if (committed && writes[head]) {
                out.acknowledged(clients[head], terms[head], lsns[head]);
            }
            out.reply(clients[head], requestIds[head], reply);
            clients[head] = null;
            replies[head] = null;
            head = (head + 1) & (lsns.length - 1);
            size--;
        }
    }

    /** The required LSN of the oldest waiting reply, or -1. */
    public long oldestLsn() {
        return size == 0 ? -1 : lsns[head];
    }

    private void grow() {
        int n = lsns.length * 2;
        long[] newLsns = new long[n];
        ClientRef[] newClients = new ClientRef[n];
        long[] newIds = new long[n];
        Reply[] newReplies = new Reply[n];
        boolean[] newWrites = new boolean[n];
        long[] newTerms = new long[n];
        long[] newRounds = new long[n];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (lsns.length - 1);
            newLsns[i] = lsns[from];
            newClients[i] = clients[from];
            newIds[i] = requestIds[from];
            newReplies[i] = replies[from];
            newWrites[i] = writes[from];
            newTerms[i] = terms[from];
            newRounds[i] = rounds[from];
        }
        lsns = newLsns;
        clients = newClients;
        requestIds = newIds;
        replies = newReplies;
        writes = newWrites;
        terms = newTerms;
        rounds = newRounds;
        head = 0;
    }
}
