package io.tandem.core.replicaset;

import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import java.util.ArrayDeque;

/**
 * Clients blocked in {@code WAIT numreplicas timeout} (on a leader: until that many replicas applied the
 * client's last write, Redis's semantics) or {@code TANDEM.WAITLSN token timeout} (on any node: until the token's
 * write is applied here). The node calls {@link #check} whenever a position that could answer them moved, and on
 * its ticks for the timeouts. Part of the core: no I/O, no clock.
 */
final class Waiters {
    /** Most clients blocked in WAIT or TANDEM.WAITLSN at once; one more is answered with an error. */
    static final int MAX_WAITERS = 10_000;

    /** A blocked WAIT (lsn, numReplicas) or WAITLSN (term, lsn); deadline Long.MAX_VALUE for no timeout. */
    private record Waiter(ClientRef client, long requestId, long term, long lsn, int numReplicas, long deadline,
            boolean replicas) {}

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final ReplicaSetNode node;

    Waiters(ReplicaSetNode node) {
        this.node = node;
    }

    static final Reply WAIT_ON_REPLICA = Reply.error("ERR WAIT cannot be used with replica instances. Please also"
            + " note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes"
            + " to replicas are just local and are not propagated.");

    void onWait(long nowMillis, Input.Wait wait, Output out) {
        if (!node.isLeader()) {
            out.reply(wait.client(), wait.requestId(), WAIT_ON_REPLICA);
            return;
        }
        int acked = replicasApplied(wait.lsn());
        if (acked >= wait.numReplicas()) {
            out.reply(wait.client(), wait.requestId(), Reply.integer(acked));
            return;
        }
        block(out, new Waiter(wait.client(), wait.requestId(), 0, wait.lsn(), wait.numReplicas(),
                deadline(nowMillis, wait.timeoutMillis()), true));
    }

    void onWaitLsn(long nowMillis, Input.WaitLsn wait, Output out) {
        Reply now = waitLsnReply(wait.term(), wait.lsn());
        if (now != null) {
            out.reply(wait.client(), wait.requestId(), now);
            return;
        }
        block(out, new Waiter(wait.client(), wait.requestId(), wait.term(), wait.lsn(), 0,
                deadline(nowMillis, wait.timeoutMillis()), false));
    }

    private void block(Output out, Waiter waiter) {
        if (waiters.size() >= MAX_WAITERS) {
            out.reply(waiter.client(), waiter.requestId(), Reply.error("ERR too many clients waiting (" + MAX_WAITERS
                    + ")"));
            return;
        }
        waiters.add(waiter);
    }

    private static long deadline(long nowMillis, long timeoutMillis) {
        return timeoutMillis == 0 ? Long.MAX_VALUE : nowMillis + timeoutMillis;
    }

    /** How many replicas have applied lsn (Redis's WAIT counts what replicas processed). */
    private int replicasApplied(long lsn) {
        int count = 0;
        for (Progress p : node.progress().values()) {
            if (p.appliedLsn >= lsn) {
                count++;
            }
        }
        return count;
    }

    /**
     * OK when (term, lsn) is applied here; an error when this node's log holds another entry at lsn (the
     * token's write was rolled back); null while it must wait.
     */
    private Reply waitLsnReply(long tokenTerm, long lsn) {
        if (lsn <= node.appliedLsn()) {
            long here = node.log().term(lsn);
            if (here == tokenTerm || lsn == 0) {
                return Reply.OK;
            }
            if (here >= 0) {
                return Reply.error("ERR token " + tokenTerm + ":" + lsn + " is not in this node's log (LSN " + lsn
                        + " has term " + here + " here): that write was rolled back");
            }
            return Reply.OK; // dropped after a snapshot that covers it: applied long ago
        }
        return null;
    }

    /** Answers the waiters that are satisfied, or whose time is up. */
    void check(long nowMillis, Output out) {
        if (waiters.isEmpty()) {
            return;
        }
        for (var it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            Reply reply = null;
            if (w.replicas()) {
                int acked = replicasApplied(w.lsn());
                if (acked >= w.numReplicas() || nowMillis >= w.deadline()) {
                    reply = Reply.integer(acked);
                }
            } else {
                reply = waitLsnReply(w.term(), w.lsn());
                if (reply == null && nowMillis >= w.deadline()) {
                    reply = Reply.error("TIMEOUT LSN " + w.lsn() + " is not applied here yet (applied: "
                            + node.appliedLsn() + ")");
                }
            }
            if (reply != null) {
                it.remove();
                out.reply(w.client(), w.requestId(), reply);
            }
        }
    }
}
