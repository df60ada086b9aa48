package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * NEVER's background writeback: the appender asks for the segment it writes to every
 * {@link WalOptions#writebackBytes()} (and for the one it leaves at each roll), and this thread fdatasyncs it.
 * The appender never waits for it, and it promises nothing: acknowledgements do not wait for it either, and a
 * crash of the machine may still lose what it has not reached, as NEVER says.
 *
 * <p>Why: left to itself the kernel writes dirty pages back once they are 30 s old
 * ({@code vm.dirty_expire_centisecs}), or once there are many, and past its dirty threshold it throttles every
 * process that writes. A SET of 100 bytes is about 150 bytes of log, so 100,000 a second are 15 MB/s; three nodes
 * on one machine (a replica set on a laptop, or this machine kind's benchmarks), having logged 3 million SETs
 * within about half a minute, held 1.2 GB of dirty pages, and then each 1 MB write of the log took 2.3-2.5 ms
 * instead of 0.2-0.25 (measured here, the same with a plain writer: 0.20 ms with 550 MB dirty, 2.34 ms with
 * 1.35 GB). A follower catching up after a pause spent 0.4 s of its 1.5 s in those writes. PostgreSQL's
 * {@code wal_writer_flush_after} and RocksDB's {@code wal_bytes_per_sync} start the writeback early in the same way
 * (with sync_file_range, which the JDK does not offer; an fdatasync on another thread is the portable equivalent).
 *
 * <p>Each request opens the segment again, so that this thread never shares a channel the appender may close
 * (a roll) or that may be deleted (retention, truncation: then there is nothing left to write back). A failed
 * fdatasync fails the log, as any failed sync does: the kernel reports a writeback error once, and a log that
 * swallowed it could not tell later that its pages never reached the disk.
 */
final class WritebackThread extends Thread {
    /** Requests waiting at most; the appender drops a request beyond them (the next one covers the same file). */
    private static final int MAX_WAITING = 8;
    /** Put in the queue by {@link #shutdown}: stop once the requests before it are done. */
    private static final Path STOP = Path.of("");

    private final LogWriter writer;
    private final WalMetrics metrics;
    private final BlockingQueue<Path> requests = new ArrayBlockingQueue<>(MAX_WAITING + 1);

    WritebackThread(LogWriter writer, WalMetrics metrics) {
        super("tandem-wal-writeback");
        setDaemon(true);
        this.writer = writer;
        this.metrics = metrics;
    }

    /** Asks for {@code segment} to be written back (appender's thread, under the writer's lock; never blocks). */
    void request(Path segment) {
        if (requests.size() < MAX_WAITING && !requests.contains(segment)) {
            requests.offer(segment);
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                Path segment = requests.take();
                if (segment == STOP) {
                    return;
                }
                writeBack(segment);
            }
        } catch (WalFailedException e) {
            // Already recorded and reported by the writer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() is waiting for us: nothing else to do
        }
    }

    private void writeBack(Path segment) throws WalFailedException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            channel.force(false);
            metrics.writebacks.increment();
        } catch (NoSuchFileException e) {
            // Deleted meanwhile (retention or truncation): nothing left to write back.
        } catch (IOException | RuntimeException e) {
            throw writer.fail(e);
        }
    }

    /** Finishes the requests already made, then stops (the one spare slot always has room for STOP). */
    void shutdown() {
        requests.offer(STOP);
    }
}
