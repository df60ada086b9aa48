package io.tandem.server.agent;

import io.netty.channel.EventLoop;
import io.tandem.core.keyspace.FrozenKeyspace;
import io.tandem.core.keyspace.KeyEntry;
import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.metrics.ServerStats;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotStore;
import io.tandem.storage.wal.Wal;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;

/**
 * Takes snapshots in the background while the node keeps serving, then deletes the log they cover.
 *
 * <p>The steps, and why each is safe:
 * <ol>
 * <li>On the agent thread, {@code keyspace.freeze()} captures every key as of LSN L in O(1) (the key
 * table is a trie whose nodes are copied on write after a freeze). The only pause writes see is this
 * call; it is measured and shown as snapshot_last_pause_us in INFO.
 * <li>L may not be durable yet (the keyspace runs ahead of the log). A snapshot of L must not become
 * visible before L is durable, or a crash could leave a snapshot ahead of a log that then restarts below
 * it. So the writer starts only once the durable LSN reaches L.
 * <li>A background thread encodes and writes the frozen keys (the storage writer makes the file
 * appear atomically: temp file, fsync, rename, fsync the directory).
 * <li>Back on the agent, the WAL deletes the segments the snapshot covers that no replica still needs
 * (see {@link LogRetention}), and older snapshots go.
 * </ol>
 */
public final class SnapshotTaker {
    private static final System.Logger LOG = System.getLogger(SnapshotTaker.class.getName());

    private final SnapshotStore store;
    private final ExecutorService background;
    private final EventLoop loop;
    private final ServerStats stats;
    private long logBytesAtLastSnapshot;
    private FrozenKeyspace frozen;
    private long frozenLsn;
    private long frozenTerm;
    private long frozenAtMillis;
    /** Who the members were at the frozen LSN: the snapshot records it (a member bootstrapped from it learns it). */
    private byte[] frozenMembership;
    private long startedNanos;
    private boolean writing;
    private Wal wal;
    private ReplicaSetNode node;
    private final long retentionBytesMax;
    /** The newest snapshot's LSN (taken here or installed from the leader): the log before it may go. */
    private long snapshotLsn;
    /** The replica retention last gave up on (logged once, not on every deletion after). */
    private io.tandem.core.model.NodeId givenUp;

    public SnapshotTaker(SnapshotStore store, ExecutorService background, EventLoop loop, ServerStats stats,
            long retentionBytesMax, long recoveredSnapshotLsn) {
        this.store = store;
        this.background = background;
        this.loop = loop;
        this.stats = stats;
        this.retentionBytesMax = retentionBytesMax;
        this.snapshotLsn = recoveredSnapshotLsn;
    }

    SnapshotStore store() {
        return store;
    }

    ExecutorService background() {
        return background;
    }

    /**
     * A rewind to afterLsn began: a snapshot frozen but not yet written would show the keyspace being
     * replaced, so it is dropped; one being written is discarded when it finishes (see finished). The newest
     * snapshot left in the store is the base from now on: the log after it must stay.
     */
    void rewinding(long afterLsn, long keptSnapshotLsn) {
        if (frozen != null) {
            frozen = null;
            stats.snapshotInProgress = false;
        }
        discardAbove = afterLsn;
        snapshotLsn = keptSnapshotLsn;
        stats.lastSnapshotLsn = keptSnapshotLsn;
    }

    /** The rewind is done: snapshots from now on show the rebuilt keyspace. */
    void rewound() {
        discardAbove = Long.MAX_VALUE;
    }

    /** During a rewind: a snapshot written of a later LSN shows divergent keys (deleted by the Rewinder). */
    private long discardAbove = Long.MAX_VALUE;

    /** A snapshot from the leader replaced the log: it is the base from now on. */
    void installed(long lsn) {
        snapshotLsn = Math.max(snapshotLsn, lsn);
        stats.lastSnapshotLsn = snapshotLsn;
        retainSnapshots();
    }

    /**
     * Deletes what the newest snapshot covers and the replicas no longer need. Called after each snapshot
     * and on the agent's timer, since a replica that catches up releases log it was holding.
     */
    void enforceRetention(ReplicaSetNode node, Wal wal) {
        if (snapshotLsn <= 0 || wal.firstLsn() > snapshotLsn) {
            return; // nothing of the log is covered yet
        }
        LogRetention.Decision decision = LogRetention.deletableUpTo(snapshotLsn, node, wal::bytesKeptDeletingUpTo,
                retentionBytesMax);
        boolean deletesNeededLog = decision.givenUp() != null && decision.upToLsn() >= wal.firstLsn();
        if (deletesNeededLog && !decision.givenUp().equals(givenUp)) {
            stats.retentionLimitHits++;
            LOG.log(System.Logger.Level.WARNING, "retention-bytes-max (" + retentionBytesMax + " bytes) reached: keeping"
                    + " the log " + decision.givenUp() + " still needs would take " + decision.keptBytes() + " bytes; deleting"
                    + " up to the snapshot at LSN " + snapshotLsn + ", so " + decision.givenUp() + " will be bootstrapped"
                    + " from a snapshot");
        }
        givenUp = decision.givenUp();
        try {
            wal.deleteSegmentsUpTo(decision.upToLsn());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete log segments up to LSN " + decision.upToLsn() + ": " + e);
        }
    }

    /** At the end of each cycle: start a snapshot once the log has grown enough since the last one. */
    void onCycle(ReplicaSetNode leader, Wal wal, long afterLogBytes) {
        if (frozen != null) {
            onDurable(leader.durableLsn());
            return;
        }
        if (writing || afterLogBytes == 0) {
            return;
        }
        if (wal.metrics().bytesWritten() - logBytesAtLastSnapshot >= afterLogBytes) {
            start(leader, wal);
        }
    }

    /** BGSAVE: null when started, else Redis's error text. */
    String requestNow(ReplicaSetNode leader, Wal wal) {
        if (writing || frozen != null) {
            return "ERR Background save already in progress";
        }
        start(leader, wal);
        return null;
    }

    boolean inProgress() {
        return writing || frozen != null;
    }

    private void start(ReplicaSetNode leader, Wal wal) {
        this.wal = wal;
        this.node = leader;
        startedNanos = System.nanoTime();
        frozen = leader.keyspace().freeze();
        long pauseMicros = (System.nanoTime() - startedNanos) / 1000;
        stats.lastSnapshotPauseMicros = pauseMicros;
        stats.maxSnapshotPauseMicros = Math.max(stats.maxSnapshotPauseMicros, pauseMicros);
        stats.snapshotInProgress = true;
        frozenLsn = leader.lastLsn();
        frozenTerm = leader.lastTerm(); // the term of the entry at frozenLsn, not the node's current term
        frozenAtMillis = NodeClock.millis();
        frozenMembership = SnapshotMembership.encode(leader.membershipAt(frozenLsn));
        logBytesAtLastSnapshot = wal.metrics().bytesWritten();
        onDurable(leader.durableLsn());
    }

    /** Once the frozen LSN is durable, the background writer may start. */
    void onDurable(long durableLsn) {
        if (frozen == null || durableLsn < frozenLsn) {
            return;
        }
        FrozenKeyspace keys = frozen;
        long lsn = frozenLsn;
        SnapshotMeta meta = new SnapshotMeta(frozenTerm, lsn, frozenAtMillis, frozenMembership);
        frozen = null;
        writing = true;
        background.execute(() -> {
            Throwable failure = null;
            try {
                store.write(meta, encoded(keys.iterator()), records -> { });
            } catch (Throwable t) {
                failure = t;
            }
            Throwable result = failure;
            loop.execute(() -> finished(lsn, result));
        });
    }

    private void finished(long lsn, Throwable failure) {
        writing = false;
        stats.snapshotInProgress = false;
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        if (failure != null) {
            stats.snapshotFailures++;
            LOG.log(System.Logger.Level.ERROR, "snapshot at LSN " + lsn + " failed: " + failure, failure);
            return;
        }
        if (lsn > discardAbove) {
            LOG.log(System.Logger.Level.INFO, "snapshot at LSN " + lsn + " discarded: it shows keys a rewind to LSN "
                    + discardAbove + " dropped");
            return;
        }
        stats.snapshotsTaken++;
        stats.lastSnapshotLsn = lsn;
        stats.lastSnapshotMillis = NodeClock.millis();
        stats.lastSnapshotDurationMillis = millis;
        LOG.log(System.Logger.Level.INFO, "snapshot at LSN " + lsn + " written in " + millis + " ms");
        snapshotLsn = Math.max(snapshotLsn, lsn);
        enforceRetention(node, wal);
        retainSnapshots();
    }

    private void retainSnapshots() {
        try {
            store.retainNewest(SnapshotStore.DEFAULT_KEEP);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete old snapshots: " + e);
        }
    }

    private static Iterator<byte[]> encoded(Iterator<KeyEntry> keys) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return keys.hasNext();
            }

            @Override
            public byte[] next() {
                return KeyRecordCodec.encode(keys.next());
            }
        };
    }
}
