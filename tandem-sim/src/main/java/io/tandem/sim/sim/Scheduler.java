package io.tandem.sim.sim;

import java.util.PriorityQueue;

/**
 * The simulated clock and its event queue: everything in a run happens as an event at a time, and events
 * run one at a time on the caller's thread, ordered by (time, sequence number). The sequence number breaks
 * ties in scheduling order, so two runs of one seed run the same events in the same order.
 *
 * <p>Time is in microseconds: network hops of a fraction of a millisecond must still order differently.
 * Nodes see milliseconds (their clock, with their own skew, see {@link SimNode#nowMillis()}).
 */
public final class Scheduler {
    /** One thing to do at a time. {@code who} and {@code what} name it in the trace. */
    private record Scheduled(long timeMicros, long seq, String who, String what, Object detail, Runnable action)
            implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled other) {
            int byTime = Long.compare(timeMicros, other.timeMicros);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    /** A run that schedules without end is a bug of the simulator: stop it rather than fill the heap. */
    static final int MAX_QUEUED_EVENTS = 1_000_000;

    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private final Trace trace;
    private long nowMicros;
    private long nextSeq;
    private long executed;

    public Scheduler(Trace trace) {
        this.trace = trace;
    }

    public long nowMicros() {
        return nowMicros;
    }

    public Trace trace() {
        return trace;
    }

    public long executed() {
        return executed;
    }

    /** Runs {@code action} at {@code timeMicros} (not before now); traced as "who what detail". */
    public void at(long timeMicros, String who, String what, Object detail, Runnable action) {
        if (queue.size() >= MAX_QUEUED_EVENTS) {
            throw new IllegalStateException("more than " + MAX_QUEUED_EVENTS + " events queued: a runaway schedule");
        }
        queue.add(new Scheduled(Math.max(timeMicros, nowMicros), nextSeq++, who, what, detail, action));
    }

    public void after(long delayMicros, String who, String what, Object detail, Runnable action) {
        at(nowMicros + delayMicros, who, what, detail, action);
    }

    /** Records a line at the current time (something that happened inside an event). */
    public void note(String who, String what, Object detail) {
        trace.record(nowMicros, who, what, detail);
    }

    /** Runs every event due up to and including {@code untilMicros}, then sets the clock there. */
    /** Most events one run may execute (a run takes thousands). */
    static final long MAX_EVENTS = 5_000_000;

    public void runUntil(long untilMicros) {
        while (!queue.isEmpty() && queue.peek().timeMicros() <= untilMicros) {
            runNext();
        }
        nowMicros = Math.max(nowMicros, untilMicros);
    }

    private void runNext() {
        Scheduled next = queue.poll();
        nowMicros = next.timeMicros();
        executed++;
        if (executed > MAX_EVENTS) {
            // A run takes thousands of events; millions are a storm (messages that beget messages, as relays
            // in a loop once did), which would otherwise run for hours instead of failing with its seed.
            throw new IllegalStateException("more than " + MAX_EVENTS + " events by " + nowMicros / 1000
                    + " ms: a storm of messages or timers");
        }
        if (next.what() != null) {
            trace.record(nowMicros, next.who(), next.what(), next.detail());
        }
        next.action().run();
    }
}
