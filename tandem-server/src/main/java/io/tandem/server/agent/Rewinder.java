package io.tandem.server.agent;

import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Entry;
import io.tandem.core.replicaset.EntryApplier;
import io.tandem.server.metrics.ServerStats;
import io.tandem.core.model.Membership;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotStore;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * Takes a follower's log (and, for a rewind, its keyspace) back to the point where it agrees with its new
 * leader, recording what it drops in a {@link RollbackFile} first. Two cases, as the core asks:
 *
 * <ul>
 *   <li>{@link #truncate} (Output.truncateLog): the divergent entries were not applied yet; record them, cut
 *       the log. On the agent thread, synchronously (the core's log view must reflect the cut at once).
 *   <li>{@link #rewind} (Output.rewind): some were applied, so the keyspace must be rebuilt as of afterLsn.
 *       On the agent thread: record, then cut the disk state back (below); off it, on the snapshot thread:
 *       load the newest snapshot at or before afterLsn and replay the log up to afterLsn, like recovery at
 *       start-up; then {@link Done} on the agent's loop.
 * </ul>
 *
 * <p>The disk state after a crash at any point must be one recovery can start from and that is either the
 * old (divergent) state, which the leader's probes detect again, or the rewound one:
 * <ol>
 *   <li>the rollback file, fsynced (nothing is dropped before it is recorded);
 *   <li>if the log reaches back to a snapshot at or before afterLsn (or to LSN 1): the snapshots after
 *       afterLsn are deleted (they hold divergent keys; the log still has every entry they cover, so a crash
 *       here recovers the old state from the older snapshot and the log), then the log is cut after afterLsn;
 *   <li>otherwise nothing local reaches back to afterLsn (a snapshot installed from the deposed leader covers
 *       part of what diverges, and the log before it is gone): everything goes, the log first (a crash then
 *       leaves a snapshot and no log: a consistent, old state), then the snapshots (the newest is moved into
 *       rollback/, as the record of what only it held), and the node answers with an empty keyspace at
 *       LSN 0: its leader bootstraps it again from a snapshot.
 * </ol>
 */
final class Rewinder {
    private static final System.Logger LOG = System.getLogger(Rewinder.class.getName());
    /** Log bytes read per batch while recording or replaying (bounded memory, whatever the suffix). */
    private static final long READ_BATCH_BYTES = 4 << 20;

    /**
     * The rebuilt state, handed to the agent's loop. {@code snapshotMembership}: the membership the snapshot
     * the rebuild started from records (at {@code baseLsn}), or null when it started from the log's start or
     * from nothing (baseLsn 0), or the snapshot records none.
     */
    interface Done {
        void rewound(long lsn, long term, Keyspace keyspace, Membership snapshotMembership, long baseLsn);
    }

    private final Path dataDir;
    private final Wal wal;
    private final WalLogView logView;
    private final SnapshotStore store;
    private final Executor background;
    private final Executor loop;
    private final ServerStats stats;

    Rewinder(Path dataDir, Wal wal, WalLogView logView, SnapshotStore store, Executor background, Executor loop,
            ServerStats stats) {
        this.dataDir = dataDir;
        this.wal = wal;
        this.logView = logView;
        this.store = store;
        this.background = background;
        this.loop = loop;
        this.stats = stats;
    }

    /**
     * Where a rewind to afterLsn can rebuild from: the newest snapshot at or before it (0: none), if the log
     * holds every entry from just after that snapshot; else -1 (nothing local reaches back: wipe).
     * Worked example: snapshots at 100 and 200, log 101..260. afterLsn 150: from 100 (replay 101..150).
     * afterLsn 250: from 200 (replay 201..250). With the log 201..260 instead (100 compacted away), afterLsn
     * 150 gives -1: the snapshot at 100 is followed by a gap, and the one at 200 holds divergent keys.
     */
    static long rebuildBase(List<Long> snapshotLsns, long walFirstLsn, long afterLsn) {
        long base = 0;
        for (long lsn : snapshotLsns) {
            if (lsn <= afterLsn) {
                base = Math.max(base, lsn);
            }
        }
        return walFirstLsn <= base + 1 ? base : -1;
    }

    /** Records the entries after afterLsn, then cuts them from the log. On the agent thread. */
    void truncate(long afterLsn, long term) throws IOException {
        if (afterLsn < wal.lastLsn()) {
            long recorded = record(afterLsn, term, null);
            LOG.log(System.Logger.Level.WARNING, "dropped " + recorded + " log entries after LSN " + afterLsn
                    + " that the leader's log does not hold (written by a deposed leader, never applied here);"
                    + " recorded in " + rollbackPath(term, afterLsn));
        }
        wal.truncateAfter(afterLsn);
        logView.truncatedAfter(afterLsn);
    }

    /**
     * Records, cuts the disk state back to afterLsn (see the class comment), and rebuilds the keyspace in
     * the background; {@code done} runs on the loop, {@code failed} there too if the rebuild cannot be done.
     * Returns the newest snapshot LSN left in the store (0: none).
     */
    long rewind(long afterLsn, long term, int hashSeed, Done done, java.util.function.Consumer<Throwable> failed)
            throws IOException {
        List<Path> snapshots = store.list();
        long base = rebuildBase(snapshots.stream().map(SnapshotStore::lsnOf).toList(), wal.firstLsn(), afterLsn);
        // The log starts after what snapshots cover (segments go only once a snapshot covers them).
        long onlyInSnapshotsUpTo = wal.firstLsn() - 1;
        Path newest = snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
        String note = base >= 0 || newest == null || onlyInSnapshotsUpTo <= afterLsn ? null
                : "entries " + (afterLsn + 1) + " to " + onlyInSnapshotsUpTo + " were only in snapshot " + newest
                        + " (moved to " + snapshotKeptPath(term, afterLsn, newest) + ") and are not listed one by one";
        long recorded = record(afterLsn, term, note == null ? null
                : new Note(note, afterLsn + 1, onlyInSnapshotsUpTo));
        if (note != null) {
            stats.rollbackEntries += onlyInSnapshotsUpTo - afterLsn;
        }
        LOG.log(System.Logger.Level.WARNING, "rewinding to LSN " + afterLsn + ": " + recorded + " log entries after it"
                + (note != null ? " (and " + (onlyInSnapshotsUpTo - afterLsn) + " only in a snapshot)" : "")
                + " diverge from the leader's log and were applied here; recorded in " + rollbackPath(term, afterLsn)
                + (base >= 0 ? "; rebuilding the keyspace from " + (base == 0 ? "the log" : "the snapshot at LSN " + base
                        + " and the log") : "; nothing here reaches back to LSN " + afterLsn
                        + ": dropping the whole dataset, the leader will send a snapshot"));
        if (base < 0) {
            wipe(term, afterLsn, snapshots);
            Keyspace empty = new Keyspace(hashSeed);
            loop.execute(() -> done.rewound(0, 0, empty, null, 0));
            return 0;
        }
        deleteSnapshotsAfter(afterLsn);
        wal.truncateAfter(afterLsn);
        logView.truncatedAfter(afterLsn);
        Path baseFile = base == 0 ? null : snapshots.stream().filter(p -> SnapshotStore.lsnOf(p) == base).findFirst()
                .orElseThrow();
        background.execute(() -> {
            try {
                // A snapshot being written when the rewind began finishes before this task (one thread): it shows
                // the keyspace before the rewind, so it goes too.
                deleteSnapshotsAfter(afterLsn);
                Keyspace keys = new Keyspace(hashSeed);
                Rebuilt rebuilt = rebuild(keys, baseFile, base, afterLsn, hashSeed);
                loop.execute(() -> done.rewound(afterLsn, rebuilt.term(), keys, rebuilt.membership(), base));
            } catch (IOException | RuntimeException e) {
                loop.execute(() -> failed.accept(e));
            }
        });
        return base;
    }

    private record Note(String text, long firstLsn, long lastLsn) {}

    /** What a rebuild found: the term at afterLsn, and the membership its snapshot records (or null). */
    record Rebuilt(long term, Membership membership) {}

    /** The rebuild itself: a snapshot (or nothing) plus the log up to afterLsn. */
    Rebuilt rebuild(Keyspace keys, Path baseFile, long base, long afterLsn, int hashSeed) throws IOException {
        long term = 0;
        Membership membership = null;
        if (baseFile != null) {
            SnapshotMeta meta = store.read(baseFile, record -> KeyRecordCodec.decodeInto(keys, record));
            term = meta.term();
            membership = SnapshotMembership.decode(meta.configuration(), baseFile);
        }
        // Statement-format entries execute again, as recovery replays them (see NodeRecovery).
        EntryApplier applier = new EntryApplier(keys, new SplittableRandom(hashSeed));
        WalReader reader = wal.reader();
        long next = base + 1;
        while (next <= afterLsn) {
            List<Entry> batch = reader.read(next, READ_BATCH_BYTES);
            if (batch.isEmpty()) {
                throw new IOException("rewind: the log ends at LSN " + (next - 1) + ", before LSN " + afterLsn);
            }
            for (Entry entry : batch) {
                if (entry.lsn() > afterLsn) {
                    break;
                }
                applier.replay(entry);
                term = entry.term();
                next = entry.lsn() + 1;
            }
        }
        applier.finishReplay();
        return new Rebuilt(term, membership);
    }

    /** Writes every entry after afterLsn that the log holds to the rollback file (and a note). */
    private long record(long afterLsn, long term, Note note) throws IOException {
        try (RollbackFile file = RollbackFile.open(dataDir, term, afterLsn + 1)) {
            if (note != null) {
                file.note(note.text(), note.firstLsn(), note.lastLsn());
            }
            long next = Math.max(afterLsn + 1, wal.firstLsn());
            long last = wal.lastLsn();
            while (next <= last) {
                List<Entry> batch = logView.entries(next, READ_BATCH_BYTES);
                if (batch.isEmpty()) {
                    // Appended, but neither in memory nor readable yet (not durable): rare, and said.
                    file.note("entries " + next + " to " + last + " could not be read back from the log", next, last);
                    break;
                }
                for (Entry entry : batch) {
                    file.append(entry);
                    next = entry.lsn() + 1;
                }
            }
            stats.rollbackEntries += file.entries();
            return file.entries();
        }
    }

    private Path rollbackPath(long term, long afterLsn) {
        return dataDir.resolve(RollbackFile.DIRECTORY).resolve(term + "-" + (afterLsn + 1) + ".jsonl");
    }

    private Path snapshotKeptPath(long term, long afterLsn, Path snapshot) {
        return dataDir.resolve(RollbackFile.DIRECTORY).resolve(term + "-" + (afterLsn + 1) + "-"
                + snapshot.getFileName());
    }

    private void deleteSnapshotsAfter(long afterLsn) throws IOException {
        boolean deleted = false;
        for (Path snapshot : store.list()) {
            if (SnapshotStore.lsnOf(snapshot) > afterLsn) {
                Files.deleteIfExists(snapshot);
                deleted = true;
                LOG.log(System.Logger.Level.INFO, "rewind: deleted " + snapshot + " (it holds keys after LSN " + afterLsn
                        + ")");
            }
        }
        if (deleted) {
            syncDirectory(store.directory());
        }
    }

    /** The log first, then the snapshots (the newest kept in rollback/ as the record of what only it held). */
    private void wipe(long term, long afterLsn, List<Path> snapshots) throws IOException {
        wal.discardAll();
        logView.restartedAfter();
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            Path snapshot = snapshots.get(i);
            if (i == snapshots.size() - 1 && SnapshotStore.lsnOf(snapshot) > afterLsn) {
                Files.move(snapshot, snapshotKeptPath(term, afterLsn, snapshot), StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(dataDir.resolve(RollbackFile.DIRECTORY));
            } else {
                Files.deleteIfExists(snapshot);
            }
        }
        syncDirectory(store.directory());
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
