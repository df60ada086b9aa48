package io.tandem.server.agent;

import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Membership;
import io.tandem.core.replicaset.EntryApplier;
import io.tandem.core.replicaset.MembershipLog;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotStore;
import io.tandem.storage.wal.Recovered;
import io.tandem.storage.wal.WalOptions;
import io.tandem.storage.wal.WalRecovery;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Rebuilds a node's keyspace at start-up: the newest snapshot, then every log entry after it. A corrupt
 * snapshot or a corrupt record before the log's tail stops start-up with an error that names the file
 * and the offset; a torn tail is cut off and reported (storage decides which is which).
 */
public final class NodeRecovery {
    private static final System.Logger LOG = System.getLogger(NodeRecovery.class.getName());

    /**
     * What recovery produced: the keyspace, the WAL ready to append, the position, and the vote file.
     *
     * @param term the term of the log's (or snapshot's) last entry, at least 1
     */
    public record Result(Keyspace keyspace, Recovered recovered, SnapshotStore snapshots, long snapshotLsn,
            long snapshotTerm, long snapshotKeys, long term, long lastLsn, long millis, VoteFile.Vote vote,
            MembershipLog memberships) {

        /**
         * The term the core starts in: the log's or the vote file's, whichever is later. The vote file can be
         * ahead (the node voted, or promoted itself, and wrote nothing since); the log can be ahead of a vote
         * file written before the node followed a newer leader without voting.
         */
        public long startTerm() {
            return Math.max(term, vote.term());
        }

        /** The vote cast in {@link #startTerm}: the file's, if it speaks of that term; else none. */
        public io.tandem.core.model.NodeId startVotedFor() {
            return vote.term() == startTerm() ? vote.votedFor() : null;
        }

        /**
         * Has nothing happened on this node yet: no entry, no snapshot, no term beyond the first, no vote?
         * Only then may the configured leader take term 1 by itself (see TandemNode).
         */
        public boolean pristine() {
            return lastLsn == 0 && snapshotLsn == 0 && vote.term() <= 1 && vote.votedFor() == null;
        }
    }

    private NodeRecovery() {}

    /** Recovery for a node whose configuration names no members but itself (tests, tools). */
    public static Result recover(Path dataDir, WalOptions options, int hashSeed) throws IOException {
        return recover(dataDir, options, hashSeed, new Membership(java.util.List.of()));
    }

    /**
     * @param configured the membership the node's configuration gives (self and peers): in force unless a
     *                   snapshot or the log records another
     */
    public static Result recover(Path dataDir, WalOptions options, int hashSeed, Membership configured)
            throws IOException {
        long started = System.nanoTime();
        Keyspace keyspace = new Keyspace(hashSeed);
        SnapshotStore snapshots = SnapshotStore.open(dataDir);
        Optional<Path> newest = snapshots.newest();
        long snapshotLsn = 0;
        long snapshotTerm = 0;
        Membership recorded = null;
        if (newest.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "loading snapshot " + newest.get());
            SnapshotMeta meta = snapshots.read(newest.get(), record -> KeyRecordCodec.decodeInto(keyspace, record));
            snapshotLsn = meta.lsn();
            snapshotTerm = meta.term();
            recorded = SnapshotMembership.decode(meta.configuration(), newest.get());
            LOG.log(System.Logger.Level.INFO, "snapshot loaded: " + keyspace.size() + " keys at LSN " + snapshotLsn);
        }
        long snapshotKeys = keyspace.size();
        // Statement-format entries execute again on replay, with this node's generator (see EntryApplier).
        EntryApplier applier = new EntryApplier(keyspace, new java.util.SplittableRandom(hashSeed));
        // Membership changes in the log replace the snapshot's (or the configuration's) as they are replayed.
        MembershipLog memberships = new MembershipLog(recorded != null ? recorded : configured,
                recorded != null ? snapshotLsn : 0);
        Recovered recovered = WalRecovery.open(dataDir, options, snapshotLsn, entry -> {
            applier.replay(entry);
            memberships.observe(entry);
        });
        try {
            applier.finishReplay();
        } catch (RuntimeException e) {
            throw closedAfter(recovered, e);
        }
        recovered.wal().startsAfterSnapshot(snapshotLsn, snapshotTerm);
        var report = recovered.report();
        report.torn().ifPresent(torn -> LOG.log(System.Logger.Level.WARNING, "write-ahead log had a torn tail: " + torn));
        long lastLsn = Math.max(snapshotLsn, recovered.wal().lastLsn());
        long term = Math.max(1, Math.max(snapshotTerm, recovered.wal().lastTerm()));
        VoteFile.Vote vote = readVote(dataDir, recovered);
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, "recovered " + keyspace.size() + " keys: snapshot LSN " + snapshotLsn
                + ", log replayed " + report.entriesReplayed() + " entries up to LSN " + lastLsn + " in " + millis
                + " ms");
        Result result = new Result(keyspace, recovered, snapshots, snapshotLsn, snapshotTerm, snapshotKeys, term,
                lastLsn, millis, vote, memberships);
        if (vote.term() > 0) {
            LOG.log(System.Logger.Level.INFO, "vote file: term " + vote.term() + (vote.votedFor() == null ? ", no vote"
                    : ", voted for " + vote.votedFor()) + "; starting in term " + result.startTerm());
        }
        return result;
    }

    /** The vote file; a damaged one stops start-up (the WAL it recovered is closed first). */
    private static VoteFile.Vote readVote(Path dataDir, Recovered recovered) throws IOException {
        try {
            return new VoteFile(dataDir).read();
        } catch (IOException e) {
            throw closedAfter(recovered, e);
        }
    }

    /** Start-up fails with {@code failure}: the WAL it recovered is closed first (a failure to close is added). */
    private static <E extends Exception> E closedAfter(Recovered recovered, E failure) {
        try {
            recovered.wal().close();
        } catch (IOException | RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        }
        return failure;
    }
}
