package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Creates the next segment, from a preallocated spare when one is ready. Either way the header is
 * fdatasync'ed and the directory entry made durable before the first record goes in, so that recovery can
 * treat a damaged header followed by records as corruption, and a bad header with nothing after it as a
 * creation the crash interrupted.
 */
final class SegmentAllocator implements AutoCloseable {
    private final Path walDir;
    private final SegmentPreallocator preallocator;
    private final long segmentBytes;

    SegmentAllocator(Path walDir, WalOptions options) {
        this.walDir = walDir;
        this.segmentBytes = options.segmentBytes();
        // A WAL that never syncs has no fdatasync to speed up: zero-filling its segments would only write every
        // byte to the disk twice and take a core from the agent for it (a follower catching up 152 MB of log
        // spent 0.15-0.5 s of CPU on the preallocating thread).
        this.preallocator = options.preallocateSegments() && options.fsyncPolicy() != FsyncPolicy.NEVER
                ? new SegmentPreallocator(walDir, options.segmentBytes()) : null;
    }

    /** Creates, syncs and opens the segment whose first record will be {@code firstLsn}. */
    ActiveSegment create(long firstLsn, WalMetrics metrics) throws IOException {
        Path target = walDir.resolve(SegmentName.of(firstLsn));
        if (Files.exists(target)) {
            // A rename would silently replace it; the log must never lose a segment that way.
            throw new FileAlreadyExistsException(target.toString(), null, "wal segment already exists");
        }
        Path spare = preallocator != null ? preallocator.takeReady() : null;
        FileChannel channel;
        if (spare != null) {
            channel = FileChannel.open(spare, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                writeHeader(channel, firstLsn);
                channel.force(false); // the file's size and blocks were synced when it was zero-filled
                Files.move(spare, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } else {
            channel = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                writeHeader(channel, firstLsn);
                channel.force(true); // new file: its size is metadata too
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        FileSync.directory(walDir);
        metrics.metadataSyncs.add(2);
        metrics.segmentsCreated.increment();
        if (spare != null) {
            metrics.segmentsPreallocatedUsed.increment();
        }
        Segment segment = new Segment(target, firstLsn, new SparseIndex(firstLsn, segmentBytes));
        return new ActiveSegment(segment, channel, SegmentHeader.BYTES, firstLsn - 1);
    }

    /** Test seam: see {@link SegmentPreallocator#awaitReady}. */
    boolean awaitSpare(long millis) throws InterruptedException {
        return preallocator != null && preallocator.awaitReady(millis);
    }

    private static void writeHeader(FileChannel channel, long firstLsn) throws IOException {
        ByteBuffer header = SegmentHeader.encode(firstLsn);
        long position = 0;
        while (header.hasRemaining()) {
            position += channel.write(header, position);
        }
    }

    @Override
    public void close() {
        if (preallocator != null) {
            preallocator.close();
        }
    }
}
