package io.tandem.server.agent;

import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetNode;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * How much log a node keeps behind its newest snapshot: what its replicas still need, up to
 * retention-bytes-max (PostgreSQL's replication slots with max_slot_wal_keep_size). Without this, a
 * follower that was down while the leader took a snapshot would have to be bootstrapped from a whole
 * snapshot although a few segments of log would have caught it up.
 */
final class LogRetention {
    private LogRetention() {}

    /** What {@link #deletableUpTo} decided, and for which replica (null when nobody was held back). */
    record Decision(long upToLsn, NodeId givenUp, long keptBytes) {}

    /**
     * The highest LSN whose segments may be deleted. A leader keeps every entry after the lowest durable
     * position among its followers (what the slowest will ask for next), unless keeping it means more
     * than {@code retentionBytesMax} bytes of segments: then that follower is given up and the log goes
     * up to the snapshot (the follower will be bootstrapped from it). A relay (cascading) keeps log for the
     * followers it feeds the same way; any other follower keeps nothing beyond its snapshot.
     *
     * @param keptBytes the bytes of log a deletion up to an LSN would keep (Wal.bytesKeptDeletingUpTo)
     */
    static Decision deletableUpTo(long snapshotLsn, ReplicaSetNode node, LongUnaryOperator keptBytes,
            long retentionBytesMax) {
        if (node.progress().isEmpty()) {
            return new Decision(snapshotLsn, null, 0);
        }
        long needed = snapshotLsn;
        NodeId slowest = null;
        for (Map.Entry<NodeId, Progress> e : node.progress().entrySet()) {
            if (e.getValue().durableLsn() < needed) {
                needed = e.getValue().durableLsn();
                slowest = e.getKey();
            }
        }
        if (slowest == null) {
            return new Decision(snapshotLsn, null, 0);
        }
        long kept = keptBytes.applyAsLong(needed);
        if (kept <= retentionBytesMax) {
            return new Decision(needed, null, kept);
        }
        return new Decision(snapshotLsn, slowest, kept);
    }
}
