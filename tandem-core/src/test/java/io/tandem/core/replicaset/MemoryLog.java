package io.tandem.core.replicaset;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import java.util.ArrayList;
import java.util.List;

/** A log in memory for protocol tests: what persist and truncateLog did, readable at once. */
final class MemoryLog implements LogView {
    final List<Entry> entries = new ArrayList<>();

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
        return lsn <= entries.size() ? entries.get((int) lsn - 1).term() : -1;
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        List<Entry> batch = new ArrayList<>();
        long bytes = 0;
        for (long lsn = fromLsn; lsn <= lastLsn(); lsn++) {
            Entry entry = entries.get((int) lsn - 1);
            bytes += EntryCodec.payloadSize(entry);
            if (!batch.isEmpty() && bytes > maxBytes) {
                break;
            }
            batch.add(entry);
        }
        return batch;
    }
}
