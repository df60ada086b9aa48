package io.tandem.server.agent;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.log.LogView;
import io.tandem.core.model.Entry;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The core's view of this node's log: positions and terms from the WAL, and the most recent entries from
 * memory, so that shipping to followers that keep up costs no disk read. Entries older than the tail (a
 * follower catching up after a long absence) are read from the WAL's files, on the agent thread: such
 * reads come from the page cache in the common case; moving them to a reader thread is a later step.
 *
 * <p>The tail is kept as encoded payloads in one byte ring, not as entry objects. Entry objects kept for
 * the length of the tail outlived young collections, were promoted, and died in the old generation: after a
 * bulk load of 10^6 keys about 130 MB of them sat there as garbage that an idle node never collects (no
 * young collection runs to carry the mixed ones): the node's RSS 10 s after the load was 464-503 MB, and is
 * 392-429 MB with the tail as bytes (docs/benchmarks.md, memory). Only the last {@link #RECENT_ENTRIES}
 * entries are also kept as objects: what followers that keep up are shipped, gone before a young
 * collection would copy them. A follower further behind is shipped entries decoded from the ring.
 *
 * <p>Used on the agent thread only. {@link #appended} is called for every entry the agent hands to the
 * WAL, so the view reflects a persist at once, as {@link LogView} requires.
 */
public final class WalLogView implements LogView {
    /**
     * Bytes of recent entries (payload) kept in memory for shipping: about half a second of log at the
     * highest write rates measured here (~120k SETs/s), plenty for followers that keep up.
     */
    static final int TAIL_BYTES = 8 << 20;
    /** Entries kept as objects too (a power of two): at 60k writes/s, the last 70 ms. */
    static final int RECENT_ENTRIES = 4096;

    private final Wal wal;
    private final WalReader reader;
    /**
     * The tail's payloads, back to back in a ring that grows (doubling) up to {@link #TAIL_BYTES}: entry i
     * starts at (ends[i] - sizes[i]) modulo the ring's length and may wrap past its end.
     */
    private byte[] bytes = new byte[64 << 10];
    /** {@link #bytes} as a buffer, to decode from (one view, not one per entry). */
    private ByteBuffer ringView = ByteBuffer.wrap(bytes);
    /** The tail's entries in order, metadata only: their term, payload size and end (for bytesAfter). */
    private long[] terms = new long[1024];
    private int[] sizes = new int[1024];
    /** Per tail entry: the bytes appended through this view up to and including it. */
    private long[] ends = new long[1024];
    private long appendedBytes;
    private final Entry[] recent = new Entry[RECENT_ENTRIES];
    /** Where a payload that wraps past the ring's end is joined to be decoded. */
    private ByteBuffer scratch = ByteBuffer.allocate(4096);
    /** Average payload bytes of an entry, for estimating the bytes of entries older than the tail. */
    private final long recoveredEntryBytes;
    private int head;
    private int count;
    private long firstTailLsn;
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

    /**
     * The entry {@link Wal#append} just added, which returned its payload's size: the payload is copied from the
     * WAL's batch, not encoded a second time (that second encoding was 3% of a follower's time catching up).
     * Every write on a leader and every shipped entry on a follower comes this way.
     */
    void appended(Entry entry, int size) {
        if (size > TAIL_BYTES) {
            // Larger than the whole ring: it is read from the WAL when shipped, and so is everything before it.
            appendedBytes += size;
            clearTail();
            return;
        }
        if (count > 0 && entry.lsn() != lastTailLsn() + 1) {
            clearTail(); // not the next one (the WAL enforces order; a gap here would be a view out of step)
        }
        while (count > 0 && tailBytes + size > TAIL_BYTES) {
            dropHead();
        }
        if (count == terms.length) {
            growIndex();
        }
        if (tailBytes + size > bytes.length) {
            growRing(tailBytes + size);
        }
        if (count == 0) {
            firstTailLsn = entry.lsn();
        }
        copyIntoRing(size, appendedBytes);
        appendedBytes += size;
        int at = (head + count) & (terms.length - 1);
        terms[at] = entry.term();
        sizes[at] = size;
        ends[at] = appendedBytes;
        count++;
        tailBytes += size;
        recent[(int) (entry.lsn() & (RECENT_ENTRIES - 1))] = entry;
    }

    void truncatedAfter(long lsn) {
        while (count > 0 && lastTailLsn() > lsn) {
            int last = (head + count - 1) & (terms.length - 1);
            forgetRecent(lastTailLsn());
            tailBytes -= sizes[last];
            appendedBytes -= sizes[last];
            count--;
        }
    }

    /** The WAL restarted after a snapshot installed from the leader: nothing of the old tail is left. */
    void restartedAfter() {
        clearTail();
    }

    private void clearTail() {
        Arrays.fill(recent, null);
        head = 0;
        count = 0;
        tailBytes = 0;
    }

    private void dropHead() {
        forgetRecent(firstTailLsn);
        tailBytes -= sizes[head];
        head = (head + 1) & (terms.length - 1);
        count--;
        firstTailLsn++;
    }

    /**
     * Drops the entry object kept for {@code lsn}, if its slot still holds it. Once the tail runs
     * RECENT_ENTRIES or more past it, a newer entry has taken the slot and there is nothing to drop: answered
     * from the LSNs alone, without loading the slot's entry (a cache miss on every write of a busy leader,
     * whose tail drops its head at each append: 1% of its loop's time). Worked example, 4,096 slots: tail
     * 100..4,196, dropping 100: 4,196 - 100 = 4,096, so 4,196 took slot 100; tail 100..4,195: 4,095, so
     * slot 100 may still hold 100.
     */
    private void forgetRecent(long lsn) {
        if (lastTailLsn() - lsn >= RECENT_ENTRIES) {
            return;
        }
        int slot = (int) (lsn & (RECENT_ENTRIES - 1));
        if (recent[slot] != null && recent[slot].lsn() == lsn) {
            recent[slot] = null;
        }
    }

    private long lastTailLsn() {
        return firstTailLsn + count - 1;
    }

    /**
     * Copies the payload Wal#append just encoded to cumulative position {@code from}: straight into the ring,
     * or, when it would run past the ring's end, in two parts. Worked example: a 64 KiB ring (65,536 bytes),
     * position 65,530, 10 bytes: 6 at 65,530..65,535, then 4 at 0..3.
     */
    private void copyIntoRing(int size, long from) {
        int at = (int) (from & (bytes.length - 1));
        int first = Math.min(size, bytes.length - at);
        wal.copyLastPayload(0, bytes, at, first);
        if (first < size) {
            wal.copyLastPayload(first, bytes, 0, size - first);
        }
    }

    /** The scratch buffer, cleared, with room for {@code size} bytes. */
    private ByteBuffer scratch(int size) {
        if (scratch.capacity() < size) {
            scratch = ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2));
        }
        return scratch.clear();
    }

    /**
     * A bigger ring (a power of two, at most TAIL_BYTES) holding the tail's payloads at their positions modulo
     * its new length. Worked example: a 64 KiB ring holding cumulative bytes 100,000..160,000 (positions 34,464
     * onwards, wrapped) moves to a 128 KiB ring at positions 100,000..131,071 and 0..28,928.
     */
    private void growRing(long needed) {
        int length = bytes.length;
        while (length < needed) {
            length *= 2;
        }
        byte[] bigger = new byte[Math.min(length, TAIL_BYTES)];
        long from = appendedBytes - tailBytes;
        for (long b = 0; b < tailBytes; ) {
            int oldAt = (int) ((from + b) & (bytes.length - 1));
            int newAt = (int) ((from + b) & (bigger.length - 1));
            int run = (int) Math.min(tailBytes - b, Math.min(bytes.length - oldAt, bigger.length - newAt));
            System.arraycopy(bytes, oldAt, bigger, newAt, run);
            b += run;
        }
        bytes = bigger;
        ringView = ByteBuffer.wrap(bigger);
    }

    private void growIndex() {
        long[] biggerTerms = new long[terms.length * 2];
        int[] biggerSizes = new int[terms.length * 2];
        long[] biggerEnds = new long[terms.length * 2];
        for (int i = 0; i < count; i++) {
            int at = (head + i) & (terms.length - 1);
            biggerTerms[i] = terms[at];
            biggerSizes[i] = sizes[at];
            biggerEnds[i] = ends[at];
        }
        terms = biggerTerms;
        sizes = biggerSizes;
        ends = biggerEnds;
        head = 0;
    }

    /** The tail's entry at {@code lsn}: the object if still kept, else decoded from the ring. */
    private Entry tailEntry(long lsn, int at) {
        Entry kept = recent[(int) (lsn & (RECENT_ENTRIES - 1))];
        if (kept != null && kept.lsn() == lsn) {
            return kept;
        }
        int size = sizes[at];
        long from = ends[at] - size;
        int ringAt = (int) (from & (bytes.length - 1));
        if (ringAt + size <= bytes.length) {
            return EntryCodec.decodePayload(terms[at], lsn, ringView, ringAt, size);
        }
        // Wrapped past the ring's end: join the two parts first.
        ByteBuffer joined = scratch(size);
        int first = bytes.length - ringAt;
        System.arraycopy(bytes, ringAt, joined.array(), 0, first);
        System.arraycopy(bytes, 0, joined.array(), first, size - first);
        return EntryCodec.decodePayload(terms[at], lsn, joined, 0, size);
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
        if (lsn >= firstTailLsn) {
            return appendedBytes - ends[(int) ((head + (lsn - firstTailLsn)) & (terms.length - 1))];
        }
        long older = Math.max(0, firstTailLsn - 1 - lsn);
        return tailBytes + older * Math.max(1, tailBytes / count);
    }

    @Override
    public List<Entry> entries(long fromLsn, long maxBytes) {
        List<Entry> batch = new ArrayList<>();
        if (fromLsn > lastLsn()) {
            return batch;
        }
        if (count == 0 || fromLsn < firstTailLsn) {
            try {
                return reader.read(fromLsn, maxBytes);
            } catch (java.io.IOException e) {
                // The protocol checks firstLsn() before asking, so this is a disk failure or a race with
                // segment deletion: nothing to ship now; the follower is probed again on the next heartbeat.
                throw new java.io.UncheckedIOException("reading the log from LSN " + fromLsn + ": " + e.getMessage(), e);
            }
        }
        long batchBytes = 0;
        for (long i = fromLsn - firstTailLsn; i < count; i++) {
            int at = (int) ((head + i) & (terms.length - 1));
            if (!batch.isEmpty() && batchBytes + sizes[at] > maxBytes) {
                break;
            }
            batch.add(tailEntry(firstTailLsn + i, at));
            batchBytes += sizes[at];
        }
        return batch;
    }
}
