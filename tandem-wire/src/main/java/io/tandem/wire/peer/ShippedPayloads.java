package io.tandem.wire.peer;

import io.tandem.core.model.Entry;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where the payloads of the entries of the AppendRequest a {@link PeerFrameDecoder} decoded last lie in the
 * frame they came in: EntryCodec's encoding of each entry, exactly as the follower's log stores it. A follower
 * copies them into its WAL instead of encoding each entry again (see Wal#appendEncoded): a tenth of its agent's
 * time in a catch-up, and a good part of what its JIT compiled.
 *
 * <p>A view, not a copy: valid only until the decoder decodes its next frame (the frame's bytes belong to the
 * connection's read buffer), which is after the message was handed over and stepped, on the same thread.
 * {@link #indexOf} says whether an entry is one of them by identity, so an entry that merely has the same LSN
 * (the core's own, or one from another frame) is never taken for one.
 */
public final class ShippedPayloads {
    private List<Entry> entries = List.of();
    private ByteBuffer frame;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];

    /** Starts a frame of {@code count} entries, which the decoder adds to {@code entries} as it goes. */
    void reset(List<Entry> entries, ByteBuffer frame, int count) {
        this.entries = entries;
        this.frame = frame;
        if (offsets.length < count) {
            offsets = new int[Math.max(count, offsets.length * 2)];
            lengths = new int[offsets.length];
        }
    }

    void note(int index, int offset, int length) {
        offsets[index] = offset;
        lengths[index] = length;
    }

    /** Forgets the frame (its buffer goes back to the connection). */
    void clear() {
        entries = List.of();
        frame = null;
    }

    /** The position of {@code entry} (by identity) among the decoded entries, or -1. */
    public int indexOf(Entry entry) {
        if (entries.isEmpty()) {
            return -1;
        }
        // Worked example: entries 41..43 decoded; entry 42 sits at index 42 - 41 = 1.
        long index = entry.lsn() - entries.get(0).lsn();
        return index >= 0 && index < entries.size() && entries.get((int) index) == entry ? (int) index : -1;
    }

    /** The frame the payloads lie in (absolute positions: {@link #offset}). */
    public ByteBuffer frame() {
        return frame;
    }

    public int offset(int index) {
        return offsets[index];
    }

    public int length(int index) {
        return lengths[index];
    }
}
