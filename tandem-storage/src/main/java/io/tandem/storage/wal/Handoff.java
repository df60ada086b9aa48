package io.tandem.storage.wal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where flushed records wait between the appending thread and whichever thread writes them. There is at
 * most one pending batch: a flush while an earlier one is still pending appends to it (a memcpy), so
 * everything flushed while the writer is busy goes out together in its next write, which is what makes
 * group commit group. Three buffers circulate: the appender's, the pending one, the one being written.
 *
 * <p>The lock is held only to swap or copy buffers, never during I/O.
 */
final class Handoff {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private RecordBatch pending;
    private RecordBatch spare;
    private boolean closing;

    /**
     * Hands over {@code filled} and returns an empty batch for the appender to fill next (possibly
     * {@code filled} itself, cleared, when its records were copied into the pending batch).
     */
    RecordBatch offer(RecordBatch filled) {
        lock.lock();
        try {
            if (pending == null) {
                pending = filled;
                work.signal();
                RecordBatch next = spare != null ? spare : new RecordBatch();
                spare = null;
                return next;
            }
            pending.appendAll(filled);
            work.signal();
        } finally {
            lock.unlock();
        }
        filled.clear();
        return filled;
    }

    /** Takes the pending batch, or null. The caller gives it back with {@link #recycle} once written. */
    RecordBatch take() {
        lock.lock();
        try {
            RecordBatch taken = pending;
            pending = null;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    void recycle(RecordBatch written) {
        written.clear();
        lock.lock();
        try {
            if (spare == null) {
                spare = written;
            }
        } finally {
            lock.unlock();
        }
    }

    boolean hasPending() {
        lock.lock();
        try {
            return pending != null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a batch is pending or the handoff closes; returns whether it is closing. */
    boolean awaitWork() throws InterruptedException {
        lock.lock();
        try {
            while (pending == null && !closing) {
                work.await();
            }
            return closing;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
