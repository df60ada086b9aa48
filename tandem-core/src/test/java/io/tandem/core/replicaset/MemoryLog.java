package io.tandem.core.replicaset;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import java.util.ArrayList;
import java.util.List;

/** A log in memory for protocol tests: what persist and truncateLog did, readable at once. */
final class MemoryLog implements LogView {
    /** The entries after {@link #base}, in order. */
    final List<Entry> entries = new ArrayList<>();
    /** The log starts after (baseTerm, base): what a snapshot covers. */
    private long base;
    private long baseTerm;

    /** Drops every entry up to lsn, as a node does once a snapshot covers them. */
    void compactUpTo(long lsn) {
        baseTerm = term(lsn);
        entries.subList(0, (int) (lsn - base)).clear();
        base = lsn;
    }

    /** Replaces the whole log with a snapshot's end: what a runtime does when it installs one. */
    void restartAfter(long lsn, long term) {
        entries.clear();
        base = lsn;
        baseTerm = term;
    }

    void append(Entry entry) {
        if (entry.lsn() != lastLsn() + 1) {
            throw new IllegalStateException("entry " + entry.lsn() + " does not follow " + lastLsn());
        }
        entries.add(entry);
    }

    void truncateAfter(long lsn) {
        while (!entries.isEmpty() && entries.get(entries.size() - 1).lsn() > lsn) {
            entries.remove(entries.size() - 1);
        }
    }

    @Override
    public long firstLsn() {
        return base + 1;
    }

    @Override
    public long lastLsn() {
        return base + entries.size();
    }

    @Override
    public long term(long lsn) {
        if (lsn == 0) {
            return 0;
        }
        if (lsn == base) {
            return baseTerm;
        }
        return lsn > base && lsn <= lastLsn() ? entries.get((int) (lsn - base) - 1).term() : -1;
    }

    @Override
    public long bytesAfter(long lsn) {
        long bytes = 0;
        for (long at = Math.max(lsn + 1, firstLsn()); at <= lastLsn(); at++) {
            bytes += EntryCodec.payloadSize(entries.get((int) (at - base) - 1));
        }
        return bytes;
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        List<Entry> batch = new ArrayList<>();
        long bytes = 0;
        for (long lsn = fromLsn; lsn <= lastLsn(); lsn++) {
            Entry entry = entries.get((int) (lsn - base) - 1);
            bytes += EntryCodec.payloadSize(entry);
            if (!batch.isEmpty() && bytes > maxBytes) {
                break;
            }
            batch.add(entry);
        }
        return batch;
    }
}
