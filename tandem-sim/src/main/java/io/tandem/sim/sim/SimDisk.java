package io.tandem.sim.sim;

import io.tandem.core.model.Entry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * One node's disk: the log it sees ({@link SimLog}), the part of it that would survive a crash (the
 * durable image), the persisted term, and a group-commit writer between them.
 *
 * <p>The writer works as the real WAL writer does: when the log has changes not yet synced and the writer
 * is idle, it waits a write latency (handing the batch to the OS), then starts an fsync covering
 * everything appended (and every truncation made) before that moment, and when the fsync completes the
 * durable image becomes exactly the log as it was when the fsync started: group commit. Entries appended
 * during an fsync wait for the next one. Fsyncs run one at a time.
 *
 * <p>The node is told its durable LSN after each fsync: the highest LSN up to which the durable image and
 * its current log agree ({@link #durableLsn}). Worked example: the log holds 1..10, an fsync starts
 * covering 1..10, then the node truncates after 7 and appends a new 8. The fsync completes: the durable
 * image is the old 1..10, which agrees with the log only up to 7, so the node hears Persisted(7), and the
 * new 8 waits for the next fsync.
 *
 * <p>A crash keeps the durable image. With a torn tail, a prefix of the batch being synced also survives
 * (the OS had flushed part of it; recovery keeps whole records up to the tear).
 *
 * <p>Snapshots: the node's keys encoded at an LSN, written atomically and durable at once (the real
 * store's rename and directory sync, without their latency). Taking one lets the node compact its log
 * ({@link SimLog#compactUpTo}); installing one from the leader replaces the log. The durable image keeps
 * the simulator's truth from LSN 1 either way, as {@link SimLog} does.
 */
public final class SimDisk {
    private final String owner;
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final DiskProfile profile;
    private final SimLog log = new SimLog();
    private final List<Entry> durable = new ArrayList<>();
    /** The durable image and the log hold the same entries at LSNs 1..agreeLsn. */
    private long agreeLsn;
    private long persistedTerm;
    private io.tandem.core.model.NodeId persistedVote;
    private long[] persistedFloor = {0, 0};
    private LongConsumer onDurable = lsn -> { };
    /** Bumped by a crash: writer events of the previous incarnation find it changed and do nothing. */
    private int generation;
    private boolean writerScheduled;
    private boolean syncInFlight;
    private long syncBaseLsn;
    private long syncEndLsn;
    private List<Entry> syncTail = List.of();
    private long lowestCutDuringSync;
    private double latencyFactor = 1;
    private long syncs;
    private Snapshot snapshot;

    /**
     * A snapshot on this disk: the node's keys (KeyRecordCodec records) as of (term, lsn), behind the
     * membership in force there (SnapshotBytes).
     */
    public record Snapshot(long lsn, long term, byte[] keys) {
        /** The membership this snapshot records. */
        public io.tandem.core.model.Membership membership() {
            return SnapshotBytes.membership(keys);
        }
    }

    public SimDisk(String owner, Scheduler scheduler, SplittableRandom random, DiskProfile profile, long initialTerm) {
        this.owner = owner;
        this.scheduler = scheduler;
        this.random = random;
        this.profile = profile;
        this.persistedTerm = initialTerm;
    }

    /** Who hears the durable LSN after every fsync (the node's runtime). */
    public void onDurable(LongConsumer listener) {
        this.onDurable = listener;
    }

    public SimLog log() {
        return log;
    }

    public long durableLsn() {
        return agreeLsn;
    }

    /** What would survive a crash right now (read-only view). */
    public List<Entry> durableEntries() {
        return Collections.unmodifiableList(durable);
    }

    public long persistedTerm() {
        return persistedTerm;
    }

    /** The vote cast in {@link #persistedTerm()}, or null. */
    public io.tandem.core.model.NodeId persistedVote() {
        return persistedVote;
    }

    /**
     * A node persists its term and vote before acting on them (a metadata write, synchronous in this model,
     * as the runtime's is: it fsyncs before the step's messages leave).
     */
    public void persistVote(long term, io.tandem.core.model.NodeId votedFor) {
        if (term < persistedTerm) {
            throw new IllegalStateException(owner + " persists term " + term + " after " + persistedTerm);
        }
        persistedTerm = term;
        persistedVote = votedFor;
    }

    /** The vote floor (Output.persistVoteFloor), kept with the term and vote: a wipe does not take it. */
    public void persistVoteFloor(long term, long lsn) {
        persistedFloor = new long[] {term, lsn};
    }

    /** {term, lsn} of the vote floor last persisted ({0, 0}: none). */
    public long[] persistedVoteFloor() {
        return persistedFloor.clone();
    }

    /**
     * Rewind after a divergent suffix (Output.rewind): the log is cut after afterLsn, and what the node
     * rebuilds its keys from must reach back: the snapshot, if at or before afterLsn, and the log after it.
     * A snapshot beyond afterLsn holds divergent entries and is dropped; then the log must start at LSN 1.
     * When nothing reaches back, everything is dropped (the node is bootstrapped again).
     *
     * @return true if the state as of afterLsn can be rebuilt; false if the disk was wiped
     */
    public boolean rewind(long afterLsn) {
        long from = snapshot != null && snapshot.lsn() <= afterLsn ? snapshot.lsn() : 0;
        if (log.base() <= from && afterLsn >= log.base()) {
            if (snapshot != null && snapshot.lsn() > afterLsn) {
                snapshot = null;
            }
            truncateAfter(afterLsn);
            return true;
        }
        abandonWrites();
        snapshot = null;
        durable.clear();
        agreeLsn = 0;
        log.restartAfter(0, 0, List.of());
        return false;
    }

    /** Where the last completed fsync started rewriting the durable image: entries up to it were unchanged. */
    public long lastSyncBaseLsn() {
        return syncBaseLsn;
    }

    public long syncs() {
        return syncs;
    }

    /** A disk latency spike: every write and fsync started from now on takes {@code factor} times longer. */
    public void setLatencyFactor(double factor) {
        this.latencyFactor = factor;
    }

    public void append(Entry entry) {
        log.append(entry);
        wakeWriter();
    }

    public void truncateAfter(long afterLsn) {
        log.truncateAfter(afterLsn);
        agreeLsn = Math.min(agreeLsn, afterLsn);
        if (syncInFlight) {
            lowestCutDuringSync = Math.min(lowestCutDuringSync, afterLsn);
        }
        wakeWriter();
    }

    /** The newest snapshot on this disk, or null. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * The node took a snapshot of its keys at snapshot.lsn (durable at once) and drops its log up to
     * {@code compactLsn} (at most the snapshot's LSN: what no replica needs any more).
     */
    public void takeSnapshot(Snapshot taken, long compactLsn) {
        if (taken.lsn() > agreeLsn || compactLsn > taken.lsn()) {
            throw new IllegalStateException("snapshot at " + taken.lsn() + " (compacting to " + compactLsn
                    + ") beyond the durable LSN " + agreeLsn);
        }
        snapshot = taken;
        if (compactLsn > log.base()) {
            log.compactUpTo(compactLsn);
        }
    }

    /**
     * A snapshot from the leader replaces this node's log: durable at once, the log empty after it. An
     * fsync under way is abandoned (what it was writing is covered). {@code truth}: the leader's entries up
     * to the snapshot, for the checkers.
     */
    public void installSnapshot(Snapshot installed, List<Entry> truth) {
        abandonWrites();
        snapshot = installed;
        durable.clear();
        durable.addAll(truth);
        agreeLsn = installed.lsn();
        log.restartAfter(installed.lsn(), installed.term(), truth);
    }

    /**
     * An operator empties the node's data (the process is down): no log, no snapshot. Started again, the
     * node joins as a new one would and must be bootstrapped. Its term and vote stay: a node that forgot the
     * votes it cast could cast them again under the same name, and a stale candidate or leader that still
     * counts it could then win a term another leads (found by the simulator, seed 2765, when the wipe took
     * them too). Raft cannot make that safe; a node that lost them must join under a new name.
     */
    public void wipe() {
        abandonWrites();
        snapshot = null;
        durable.clear();
        agreeLsn = 0;
        log.restartAfter(0, 0, List.of());
    }

    /** The log is replaced wholesale: a write or fsync under way is dropped (its events find the generation moved). */
    private void abandonWrites() {
        generation++;
        writerScheduled = false;
        syncInFlight = false;
        syncTail = List.of();
    }

    /** Does the log differ from the durable image (appends or a truncation not synced yet)? */
    public boolean dirty() {
        return agreeLsn != log.lastLsn() || durable.size() != log.lastLsn();
    }

    public boolean idle() {
        return !dirty() && !syncInFlight && !writerScheduled;
    }

    private void wakeWriter() {
        if (writerScheduled || syncInFlight || !dirty()) {
            return;
        }
        writerScheduled = true;
        int gen = generation;
        scheduler.after(scaled(profile.writeMicros(random)), owner, null, null, () -> startSync(gen));
    }

    private void startSync(int gen) {
        if (gen != generation) {
            return;
        }
        writerScheduled = false;
        if (!dirty()) {
            return;
        }
        // The durable image and the log agree up to agreeLsn: the fsync rewrites what follows.
        syncBaseLsn = agreeLsn;
        syncEndLsn = log.lastLsn();
        syncTail = log.range(syncBaseLsn + 1, syncEndLsn);
        lowestCutDuringSync = Long.MAX_VALUE;
        syncInFlight = true;
        scheduler.note(owner, "fsync start", "covers " + (syncBaseLsn + 1) + ".." + syncEndLsn);
        scheduler.after(scaled(profile.fsyncMicros(random)), owner, "fsync done", "durable up to " + syncEndLsn,
                () -> completeSync(gen));
    }

    private void completeSync(int gen) {
        if (gen != generation) {
            return;
        }
        while (durable.size() > syncBaseLsn) {
            durable.remove(durable.size() - 1);
        }
        durable.addAll(syncTail);
        syncTail = List.of();
        syncInFlight = false;
        syncs++;
        // The image is now the log as it was at the start; a truncation since then limits the agreement.
        agreeLsn = Math.min(syncEndLsn, lowestCutDuringSync);
        onDurable.accept(agreeLsn);
        wakeWriter();
    }

    /**
     * The node's process dies: what was not synced is gone, except, with {@code tornTail}, a random prefix
     * of the batch an fsync was writing. The log becomes what recovery finds.
     *
     * @return how many entries of the log were lost
     */
    public long crash(boolean tornTail) {
        generation++;
        List<Entry> survivors = new ArrayList<>(durable);
        if (tornTail && syncInFlight && syncBaseLsn == durable.size() && !syncTail.isEmpty()) {
            int kept = random.nextInt(syncTail.size() + 1);
            survivors.addAll(syncTail.subList(0, kept));
        }
        long lost = Math.max(0, log.lastLsn() - survivors.size());
        log.reset(survivors);
        durable.clear();
        durable.addAll(survivors);
        agreeLsn = survivors.size();
        writerScheduled = false;
        syncInFlight = false;
        syncTail = List.of();
        return lost;
    }

    private long scaled(long micros) {
        return Math.round(micros * latencyFactor);
    }
}
