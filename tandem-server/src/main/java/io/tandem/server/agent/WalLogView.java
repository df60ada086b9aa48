package io.tandem.server.agent;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of this node's log: positions and terms from the WAL, and the most recent entries from
 * memory, so that shipping to followers that keep up costs no disk read. Entries older than the tail (a
 * follower catching up after a long absence) are read from the WAL's files, on the agent thread: such
 * reads come from the page cache in the common case; moving them to a reader thread is a later step.
 *
 * <p>Used on the agent thread only. {@link #appended} is called for every entry the agent hands to the
 * WAL, so the view reflects a persist at once, as {@link LogView} requires.
 */
public final class WalLogView implements LogView {
    /**
     * Bytes of recent entries (payload) kept in memory for shipping: about half a second of log at the
     * highest write rates measured here (~120k SETs/s), plenty for followers that keep up. Not more: every
     * entry in the tail is a few Java objects that outlive young collections, and with 64 MB (about 4.5 s of
     * such a load, ~150 MB of objects) the young pauses under saturating load reached 200-300 ms on every
     * node (followers: 43 of ~120 pauses over 100 ms in 90 s), close to what a follower's election timer
     * forgives. With 8 MB: none over 100 ms on the leader, 0-1 on followers (docs/benchmarks.md).
     */
    static final long TAIL_BYTES = 8L << 20;

    private final Wal wal;
    private final WalReader reader;
    /** The tail: consecutive entries in a ring, so entry(lsn) is one index computation. */
    private Entry[] ring = new Entry[1024];
    private int[] sizes = new int[1024];
    /** Per tail entry: the bytes appended through this view up to and including it (for bytesAfter). */
    private long[] ends = new long[1024];
    private long appendedBytes;
    /** Average payload bytes of an entry, for estimating the bytes of entries older than the tail. */
    private final long recoveredEntryBytes;
    private int head;
    private int count;
    private long tailBytes;
    /**
     * @param recoveredEntryBytes the average entry size recovery saw (an estimate until the tail fills). The
     *     term of the entry a snapshot ends with is the WAL's to answer (Wal.startsAfterSnapshot).
     */
    public WalLogView(Wal wal, long recoveredEntryBytes) {
        this.recoveredEntryBytes = Math.max(1, recoveredEntryBytes);
        this.wal = wal;
        this.reader = wal.reader();
    }

    void appended(Entry entry) {
        if (count == ring.length) {
            grow();
        }
        int at = (head + count) & (ring.length - 1);
        ring[at] = entry;
        sizes[at] = EntryCodec.payloadSize(entry);
        tailBytes += sizes[at];
        appendedBytes += sizes[at];
        ends[at] = appendedBytes;
        count++;
        while (tailBytes > TAIL_BYTES && count > 1) {
            tailBytes -= sizes[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            count--;
        }
    }

    void truncatedAfter(long lsn) {
        while (count > 0 && lastInTail().lsn() > lsn) {
            int last = (head + count - 1) & (ring.length - 1);
            tailBytes -= sizes[last];
            appendedBytes -= sizes[last];
            ring[last] = null;
            count--;
        }
    }

    /** The WAL restarted after a snapshot installed from the leader: nothing of the old tail is left. */
    void restartedAfter() {
        java.util.Arrays.fill(ring, null);
        head = 0;
        count = 0;
        tailBytes = 0;
    }

    private Entry lastInTail() {
        return ring[(head + count - 1) & (ring.length - 1)];
    }

    private void grow() {
        Entry[] bigger = new Entry[ring.length * 2];
        int[] biggerSizes = new int[ring.length * 2];
        long[] biggerEnds = new long[ring.length * 2];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
            biggerSizes[i] = sizes[(head + i) & (ring.length - 1)];
            biggerEnds[i] = ends[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        sizes = biggerSizes;
        ends = biggerEnds;
        head = 0;
    }

    @Override
    public long firstLsn() {
        return wal.firstLsn();
    }

    @Override
    public long lastLsn() {
        return wal.lastLsn();
    }

    @Override
    public long term(long lsn) {
        return lsn == 0 ? 0 : wal.termAt(lsn);
    }

    /**
     * Exact within the in-memory tail (the last {@link #TAIL_BYTES} of log). Entries older than the tail
     * are counted at the tail's average entry size (or recovery's, before anything was appended): a
     * replica that far behind is at least 8 MB behind, and the estimate says by how much more.
     * Worked example: the tail holds LSNs 101..200 (20,000 bytes, ends[200] = appendedBytes), lsn = 150:
     * appendedBytes - ends[150]; lsn = 90: the whole tail plus 10 older entries at 200 bytes each.
     */
    @Override
    public long bytesAfter(long lsn) {
        long last = lastLsn();
        if (lsn >= last) {
            return 0;
        }
        if (count == 0) {
            return (last - lsn) * recoveredEntryBytes;
        }
        long tailFirst = ring[head].lsn();
        if (lsn >= tailFirst) {
            return appendedBytes - ends[(int) ((head + (lsn - tailFirst)) & (ring.length - 1))];
        }
        long older = Math.max(0, tailFirst - 1 - lsn);
        return tailBytes + older * Math.max(1, tailBytes / count);
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        List<Entry> batch = new ArrayList<>();
        if (fromLsn > lastLsn()) {
            return batch;
        }
        long tailFirst = count == 0 ? Long.MAX_VALUE : ring[head].lsn();
        if (fromLsn < tailFirst) {
            try {
                return reader.read(fromLsn, maxBytes);
            } catch (java.io.IOException e) {
                // The protocol checks firstLsn() before asking, so this is a disk failure or a race with
                // segment deletion: nothing to ship now; the follower is probed again on the next heartbeat.
                throw new java.io.UncheckedIOException("reading the log from LSN " + fromLsn + ": " + e.getMessage(), e);
            }
        }
        long bytes = 0;
        for (long i = fromLsn - tailFirst; i < count; i++) {
            int at = (int) ((head + i) & (ring.length - 1));
            if (!batch.isEmpty() && bytes + sizes[at] > maxBytes) {
                break;
            }
            batch.add(ring[at]);
            bytes += sizes[at];
        }
        return batch;
    }
}
