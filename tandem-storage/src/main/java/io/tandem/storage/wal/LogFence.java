package io.tandem.storage.wal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;

/**
 * Keeps readers on other threads from returning anything a concurrent {@link Wal#truncateAfter} or
 * {@link Wal#deleteSegmentsUpTo} took away, without making the appending thread wait for their I/O.
 *
 * <p>The two destructive operations change the files, the segment map, the sparse indexes and the readable
 * LSNs under the exclusive side ({@link #beginChange}). Readers run optimistically first: they read without
 * any lock, then check that no change began or ended meanwhile; if one did, everything they read (or any
 * error they hit, such as a segment file that vanished or bytes that no longer parse) is thrown away and the
 * read runs again under the shared side, which waits for the change to finish and holds the next one off
 * until the read is done. So a read returns a state of the log that existed at one moment during the call,
 * and only the rare read that overlapped a change can make the appending thread wait (for one read).
 */
final class LogFence {
    /** A read that can be repeated: it only looks, and throws what it finds wrong. */
    @FunctionalInterface
    interface Read<T> {
        T run() throws IOException;
    }

    private final StampedLock lock = new StampedLock();

    /** Begins a destructive change; pass the stamp to {@link #endChange}. */
    long beginChange() {
        return lock.writeLock();
    }

    void endChange(long stamp) {
        lock.unlockWrite(stamp);
    }

    /** Like {@link #read} for a computation in memory, which cannot fail. */
    long readValue(LongSupplier read) {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            long value = read.getAsLong();
            if (lock.validate(stamp)) {
                return value;
            }
        }
        stamp = lock.readLock();
        try {
            return read.getAsLong();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Runs {@code read} so that its result reflects one state of the log; see the class comment. */
    <T> T read(Read<T> read, Runnable onRetry) throws IOException {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            try {
                T result = read.run();
                if (lock.validate(stamp)) {
                    return result;
                }
            } catch (ClosedByInterruptException | InterruptedIOException e) {
                throw e; // the reader's own thread was interrupted: no point retrying
            } catch (IOException | RuntimeException e) {
                if (lock.validate(stamp)) {
                    throw e; // nothing changed meanwhile: the error is real
                }
            }
            onRetry.run();
        }
        try {
            stamp = lock.readLockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a wal truncation or deletion");
        }
        try {
            return read.run();
        } finally {
            lock.unlockRead(stamp);
        }
    }
}
