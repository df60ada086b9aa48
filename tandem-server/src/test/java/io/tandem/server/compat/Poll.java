package io.tandem.server.compat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition by asking again and again until a deadline, never by sleeping a fixed time and hoping. */
final class Poll {
    private static final long PAUSE_NANOS = Duration.ofMillis(5).toNanos();

    private Poll() {}

    /**
     * Calls attempt until it returns non-null (the result) or the timeout passes; an exception from an attempt
     * counts as "not yet" and is reported if the deadline passes.
     */
    static <T> T until(Duration timeout, String what, Callable<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T result = attempt.call();
                if (result != null) {
                    return result;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + (last == null ? "" : " (last attempt: " + last + ")"));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }
}
