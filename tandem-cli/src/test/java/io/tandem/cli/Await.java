package io.tandem.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Polling a condition with a deadline, for the tests of processes (never a fixed sleep). */
final class Await {
    private Await() {}

    /** Polls until the condition holds; an exception counts as "not yet"; fails after {@code timeout}. */
    static void until(Callable<Boolean> condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting: " + what
                        + (last == null ? "" : " (last attempt: " + last + ")"), last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
