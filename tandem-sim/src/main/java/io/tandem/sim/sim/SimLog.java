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
 * {@link SimDisk}'s business. No snapshots exist yet, so the log always starts at LSN 1 and the entry at
 * LSN n sits at index n - 1.
 */
public final class SimLog implements LogView {
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** EntryCodec.payloadSize of each entry, computed once on append: entries() sums them on every call. */
    private int[] payloadBytes = new int[64];

    @Override
    public long firstLsn() {
        return 1;
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
        return lsn >= 1 && lsn <= entries.size() ? entries.get((int) lsn - 1).term() : -1;
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        if (fromLsn < 1 || fromLsn > entries.size()) {
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
        for (int i = (int) Math.max(0, lsn); i < entries.size(); i++) {
            bytes += payloadBytes[i];
        }
        return bytes;
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
        if (afterLsn < 0) {
            throw new IllegalStateException("truncate after negative LSN " + afterLsn);
        }
        while (entries.size() > afterLsn) {
            entries.remove(entries.size() - 1);
        }
    }

    /** Replaces the whole log (recovery after a crash). */
    public void reset(List<Entry> recovered) {
        entries.clear();
        for (Entry entry : recovered) {
            append(entry);
        }
    }
}
