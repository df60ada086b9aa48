package io.tandem.sim.sim;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A node's log as the node sees it: every entry it persisted, durable or not, as the contract of
 * {@link LogView} asks (an entry persisted in a step is readable at once). What survives a crash is
 * {@link SimDisk}'s business.
 *
 * <p>Two views of one list. The core sees the log from {@link #firstLsn()} on: LSNs up to {@code base}
 * were compacted after a snapshot (or came in a snapshot from the leader) and are gone for it. The
 * checkers see the simulator's truth: every entry from LSN 1, which this list keeps (the entry at LSN n
 * sits at index n - 1), so that "the same entry at the same LSN" stays checkable after compaction.
 */
public final class SimLog implements LogView {
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** LSNs 1..base are compacted away from the core's view; (baseTerm, base) is where its log starts after. */
    private long base;
    private long baseTerm;
    /** EntryCodec.payloadSize of each entry, computed once on append: entries() sums them on every call. */
    private int[] payloadBytes = new int[64];

    @Override
    public long firstLsn() {
        return base + 1;
    }

    @Override
    public long lastLsn() {
        return entries.size();
    }

    @Override
    public long term(long lsn) {
        if (lsn == 0) {
            return 0;
        }
        if (lsn == base) {
            return baseTerm;
        }
        return lsn > base && lsn <= entries.size() ? entries.get((int) lsn - 1).term() : -1;
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        if (fromLsn <= base || fromLsn > entries.size()) {
            return List.of();
        }
        // At least one entry, then more while the batch stays within maxBytes. Worked example, maxBytes 100
        // and sizes 60, 30, 20: 60 is taken (the first always is), 60 + 30 = 90 fits, 90 + 20 = 110 does not.
        int from = (int) fromLsn - 1;
        int to = from + 1;
        long bytes = payloadBytes[from];
        while (to < entries.size() && bytes + payloadBytes[to] <= maxBytes) {
            bytes += payloadBytes[to];
            to++;
        }
        return List.copyOf(entries.subList(from, to));
    }

    @Override
    public long bytesAfter(long lsn) {
        long bytes = 0;
        for (int i = (int) Math.max(base, lsn); i < entries.size(); i++) {
            bytes += payloadBytes[i];
        }
        return bytes;
    }

    /** Where the core's view starts after: LSNs up to here are compacted (0: none). */
    public long base() {
        return base;
    }

    /**
     * Drops LSNs up to lsn from the core's view, as a node does once a snapshot covers them (and no
     * replica needs them). The checkers still see them.
     */
    public void compactUpTo(long lsn) {
        if (lsn < base || lsn > entries.size()) {
            throw new IllegalStateException("compact up to " + lsn + " outside " + base + ".." + entries.size());
        }
        baseTerm = lsn == 0 ? 0 : entries.get((int) lsn - 1).term();
        base = lsn;
    }

    /**
     * Replaces the log with a snapshot's end, installed from the leader: empty for the core, starting after
     * (term, lsn). {@code truth} is what the snapshot stands for, the leader's entries 1..lsn, kept for the
     * checkers.
     */
    public void restartAfter(long lsn, long term, List<Entry> truth) {
        if (truth.size() != lsn) {
            throw new IllegalStateException("a snapshot at " + lsn + " with " + truth.size() + " entries of truth");
        }
        entries.clear();
        for (Entry entry : truth) {
            append(entry);
        }
        base = lsn;
        baseTerm = term;
    }

    /** The entry at lsn, which must be held. */
    public Entry get(long lsn) {
        return entries.get((int) lsn - 1);
    }

    /** Entries from fromLsn to toLsn inclusive, as an independent list. */
    public List<Entry> range(long fromLsn, long toLsn) {
        return fromLsn > toLsn ? List.of() : new ArrayList<>(entries.subList((int) fromLsn - 1, (int) toLsn));
    }

    public void append(Entry entry) {
        if (entry.lsn() != entries.size() + 1) {
            throw new IllegalStateException("persist of LSN " + entry.lsn() + " after " + entries.size()
                    + ": the log has no gaps and no overwrites (truncate first)");
        }
        if (entries.size() == payloadBytes.length) {
            payloadBytes = Arrays.copyOf(payloadBytes, payloadBytes.length * 2);
        }
        payloadBytes[entries.size()] = EntryCodec.payloadSize(entry);
        entries.add(entry);
    }

    /** Drops every entry after afterLsn (nothing if the log ends there or before). */
    public void truncateAfter(long afterLsn) {
        if (afterLsn < base) {
            throw new IllegalStateException("truncate after " + afterLsn + ", inside the compacted prefix (up to "
                    + base + ")");
        }
        while (entries.size() > afterLsn) {
            entries.remove(entries.size() - 1);
        }
    }

    /** Replaces the whole log (recovery after a crash); the compacted prefix stays compacted. */
    public void reset(List<Entry> recovered) {
        entries.clear();
        for (Entry entry : recovered) {
            append(entry);
        }
        if (entries.size() < base) {
            throw new IllegalStateException("recovered " + entries.size() + " entries, fewer than the compacted " + base);
        }
    }
}
