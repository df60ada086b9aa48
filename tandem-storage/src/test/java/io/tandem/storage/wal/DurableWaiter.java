package io.tandem.storage.wal;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A listener that tests wait on, with a bound, instead of sleeping. Checks LSNs only ever increase. */
final class DurableWaiter implements DurableListener {
    static final long TIMEOUT_SECONDS = 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private long durable;
    private int calls;
    private String orderViolation;
    final CountDownLatch failed = new CountDownLatch(1);
    volatile IOException failure;

    @Override
    public void onDurable(long lsn) {
        lock.lock();
        try {
            if (lsn <= durable) {
                orderViolation = "durable lsn went from " + durable + " to " + lsn;
            }
            durable = Math.max(durable, lsn);
            calls++;
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onFailed(IOException e) {
        failure = e;
        failed.countDown();
    }

    /** Waits until the reported durable LSN reaches {@code lsn}; false on timeout. */
    boolean awaitDurable(long lsn) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        lock.lock();
        try {
            while (durable < lsn) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                advanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    long durable() {
        lock.lock();
        try {
            return durable;
        } finally {
            lock.unlock();
        }
    }

    int calls() {
        lock.lock();
        try {
            return calls;
        } finally {
            lock.unlock();
        }
    }

    String orderViolation() {
        lock.lock();
        try {
            return orderViolation;
        } finally {
            lock.unlock();
        }
    }
}
