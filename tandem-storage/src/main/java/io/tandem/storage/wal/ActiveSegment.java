package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The segment being appended to: its open channel and where the next record goes. Only the thread holding
 * the {@link LogWriter}'s lock touches it.
 */
final class ActiveSegment {
    final Path path;
    final long firstLsn;
    final FileChannel channel;
    /** Where this segment's records start; the writer adds to it after each write. */
    final SparseIndex index;
    /** Byte offset where the next record is written. */
    private long position;
    /**
     * LSN of the last record in the segment; firstLsn - 1 while it holds none, so that "the next record
     * continues this segment" is always lastLsn + 1 == lsn (segment 101, empty: lastLsn 100, next is 101).
     */
    private long lastLsn;

    ActiveSegment(Segment segment, FileChannel channel, long position, long lastLsn) {
        this.path = segment.path();
        this.firstLsn = segment.firstLsn();
        this.index = segment.index();
        this.channel = channel;
        this.position = position;
        this.lastLsn = lastLsn;
    }

    /**
     * Writes all of {@code bytes} at the current position (positional writes: no shared file pointer) and
     * notes where its records start in the sparse index. {@code bytes} holds whole records with
     * consecutive LSNs ending at {@code lastLsnWritten}, starting at {@code firstLsnWritten}.
     */
    void write(ByteBuffer bytes, long firstLsnWritten, long lastLsnWritten) throws IOException {
        long start = position;
        int from = bytes.position();
        int to = bytes.limit();
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
        lastLsn = lastLsnWritten;
        index.noteRun(bytes, from, to, start, firstLsnWritten);
    }

    /** The segment as the segment map holds it. */
    Segment segment() {
        return new Segment(path, firstLsn, index);
    }

    boolean isEmpty() {
        return lastLsn < firstLsn;
    }

    long position() {
        return position;
    }

    long lastLsn() {
        return lastLsn;
    }

    /** Cuts the file at {@code offset}; the caller makes it durable. */
    void truncate(long offset, long newLastLsn) throws IOException {
        channel.truncate(offset);
        position = offset;
        lastLsn = newLastLsn;
    }

    void close() throws IOException {
        channel.close();
    }
}
