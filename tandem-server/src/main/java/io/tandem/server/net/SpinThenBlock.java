package io.tandem.server.net;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How the node's event loop waits for its sockets: after work it keeps polling them without blocking for a
 * while (idle-spin-micros), giving the CPU away between polls, and only then blocks in epoll_wait. Agrona's
 * BackoffIdleStrategy in Netty's terms (a {@link SelectStrategy}).
 *
 * <p>Why: a thread blocked in epoll_wait pays a wake-up when its next event arrives, and on this machine kind
 * (a 2-core VM shared by three JVMs and a load generator) that wake-up was the largest part of each hop. A
 * semi-sync write at one connection makes four hops (client to leader, leader to follower, the follower's
 * answer, the reply); with the loop blocking at once it took 108 µs at the median, polling for 300 µs after
 * work 54-59 µs, and a write became visible on a follower in 94-108 µs instead of 177-211 (docs/benchmarks.md).
 *
 * <p>Why yield between polls: runs that spun without yielding starved the followers of the two cores the
 * leader's spinning shared with them (semi-sync at one connection: 5,400-8,500 writes/s with a 50 µs window
 * against 7,900-8,900 blocking; a p99 of 487-585 µs with 150). Yielding lets any runnable thread have the
 * core; spinning only fills time nobody wants.
 *
 * <p>The cost is CPU while a node is busy but not saturated: a lone node taking 1,000 SETs a second used 38%
 * of a core against 14% blocking at once. Idle, it polls only after its timers' work: 0.8% against 0.4%. 0
 * turns it off: the loop blocks as soon as it has nothing to do.
 *
 * <p>Used on the loop thread only: {@link #workedAt} is called by the agent at the start of each cycle of work
 * (a channel read, a durable report, a tick), and Netty calls {@link #calculateStrategy} between iterations.
 */
public final class SpinThenBlock implements SelectStrategy {
    private final LongSupplier nanoClock;
    private final Runnable yield;
    /** Until then (nanoClock's time) the loop polls instead of blocking; at construction already past. */
    private long spinUntilNanos;

    public SpinThenBlock() {
        this(System::nanoTime, Thread::yield);
    }

    /** With a clock and a yield of the caller's, for tests. */
    public SpinThenBlock(LongSupplier nanoClock, Runnable yield) {
        this.nanoClock = nanoClock;
        this.yield = yield;
        this.spinUntilNanos = nanoClock.getAsLong();
    }

    /** Work began at {@code nowNanos}: poll for {@code spinNanos} after it before blocking (0: do not). */
    public void workedAt(long nowNanos, long spinNanos) {
        spinUntilNanos = nowNanos + spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            // Netty's own rule: tasks are waiting, so look at the sockets without blocking and go on to them.
            return selectNow.get();
        }
        // Within the window after the last work? (Compared as a difference: nanoTime may wrap.)
        if (nanoClock.getAsLong() - spinUntilNanos >= 0) {
            return SELECT; // block until a socket, a task or the next scheduled tick
        }
        int ready = selectNow.get();
        if (ready > 0) {
            return ready; // Netty handles these events now, without having slept
        }
        yield.run();
        return CONTINUE; // Netty runs any task that came meanwhile and asks again
    }
}
