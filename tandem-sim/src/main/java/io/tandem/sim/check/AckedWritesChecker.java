package io.tandem.sim.check;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimLog;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import java.nio.charset.StandardCharsets;

/**
 * No acknowledged write is lost: every write a client saw succeed is in the leader's log at the LSN the
 * leader gave it, as the same entry, and that entry holds the write's unique value. Checked whenever the
 * leader restarts (its log is what it recovered) and at the end of the run (after convergence, every
 * node's log equals the leader's, so no follower lost it either).
 */
public final class AckedWritesChecker implements SimObserver {
    private final Cluster cluster;
    private long checkedWrites;

    public AckedWritesChecker(Cluster cluster) {
        this.cluster = cluster;
    }

    public long checkedWrites() {
        return checkedWrites;
    }

    @Override
    public void onRestart(SimNode node) {
        if (node == cluster.leader()) {
            check();
        }
    }

    public void check() {
        check(requestId -> true);
    }

    /** Checks only the writes {@code promised} names (members change: so may what a policy promises). */
    public void check(java.util.function.LongPredicate promised) {
        SimLog log = cluster.leader().disk().log();
        long count = 0;
        for (Operation op : cluster.history().operations()) {
            if (!op.succeeded() || op.entry() == null || !promised.test(op.requestId())) {
                continue;
            }
            count++;
            Entry acknowledged = op.entry();
            if (acknowledged.lsn() > log.lastLsn() || !Truth.sameEntry(log.get(acknowledged.lsn()), acknowledged)) {
                throw new InvariantViolation("acknowledged write lost", op + ": the leader's log "
                        + (acknowledged.lsn() > log.lastLsn() ? "ends at " + log.lastLsn()
                                : "holds " + Describe.entry(log.get(acknowledged.lsn()))) + " instead");
            }
            if (op.token() != null && !holdsToken(acknowledged, op.token())) {
                throw new InvariantViolation("acknowledged write lost", op + ": its entry "
                        + Describe.entry(acknowledged) + " does not hold its value " + op.token());
            }
        }
        checkedWrites = count;
    }

    private static boolean holdsToken(Entry entry, String token) {
        for (Effect effect : entry.effects()) {
            byte[][] values = switch (effect) {
                case Effect.PutString put -> new byte[][] {put.value()};
                case Effect.SetAdd add -> add.members();
                case Effect.HashPut put -> put.fieldsAndValues();
                case Effect.ListPush push -> push.elements();
                default -> new byte[0][];
            };
            for (byte[] value : values) {
                String text = new String(value, StandardCharsets.ISO_8859_1);
                if (text.equals(token) || text.startsWith(token + ".")) {
                    return true;
                }
            }
        }
        return false;
    }
}
