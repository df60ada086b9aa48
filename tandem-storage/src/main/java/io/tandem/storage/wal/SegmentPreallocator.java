package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepares the next segment ahead of time: a file of {@code segmentBytes} zeros, fsynced, so that later
 * fdatasyncs overwrite allocated blocks and need not update the file size (measured ~30% faster here).
 *
 * <p>It runs on its own thread rather than the group-commit writer's: zero-filling 64 MiB and syncing it
 * takes tens of milliseconds, and commits queued behind it would wait that long. Nothing ever waits for a
 * spare either: a roll takes one if it is ready and otherwise creates a plain segment.
 */
final class SegmentPreallocator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SegmentPreallocator.class.getName());
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path walDir;
    private final long segmentBytes;
    private final ExecutorService executor;
    private final AtomicLong counter = new AtomicLong();
    private Future<Path> next;

    SegmentPreallocator(Path walDir, long segmentBytes) {
        this.walDir = walDir;
        this.segmentBytes = segmentBytes;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tandem-wal-prealloc");
            t.setDaemon(true);
            return t;
        });
        this.next = executor.submit(this::prepare);
    }

    /** A ready spare (the caller now owns the file), or null if none is ready; starts preparing another. */
    synchronized Path takeReady() {
        if (next == null || !next.isDone()) {
            return null;
        }
        Path ready = null;
        try {
            ready = next.get();
        } catch (ExecutionException e) {
            // A failed spare only costs speed: the roll creates a plain segment, and a disk that is really
            // failing will fail the next data write, which is fatal there.
            LOG.log(System.Logger.Level.WARNING, "wal: preallocating a segment failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        next = executor.submit(this::prepare);
        return ready;
    }

    /** Test seam: waits up to {@code millis} for the spare being prepared; true if one is ready. */
    boolean awaitReady(long millis) throws InterruptedException {
        Future<Path> pending;
        synchronized (this) {
            pending = next;
        }
        if (pending == null) {
            return false;
        }
        try {
            pending.get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private Path prepare() throws IOException {
        Path spare = walDir.resolve("spare-" + counter.incrementAndGet() + SegmentName.SPARE_SUFFIX);
        try (FileChannel channel = FileChannel.open(spare, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
            long position = 0;
            while (position < segmentBytes) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, segmentBytes - position));
                while (zeros.hasRemaining()) {
                    position += channel.write(zeros, position);
                }
            }
            // force(true): the block allocation and file size are metadata and must be durable, so that
            // the fdatasyncs of later overwrites find nothing but data to flush.
            channel.force(true);
            return spare;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spare);
            throw e;
        }
    }

    /** Stops the thread and deletes any spare nobody took. */
    @Override
    public synchronized void close() {
        Future<Path> last = next;
        next = null;
        executor.shutdown();
        if (last == null) {
            return;
        }
        try {
            Path unused = last.get();
            Files.deleteIfExists(unused);
        } catch (ExecutionException | IOException e) {
            // Nothing to clean up beyond what prepare() deleted; leftovers are removed at the next start.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
