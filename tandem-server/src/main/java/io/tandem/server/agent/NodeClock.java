package io.tandem.server.agent;

/**
 * The node's clock: wall-clock milliseconds read at start, advanced by the monotonic clock since.
 *
 * <p>Why not {@link System#currentTimeMillis()}: the core's leases are durations on this clock. A leader
 * leads until an election timeout less half a heartbeat after the newest send time a majority echoed, and a
 * voter refuses votes for an election timeout after it last heard from a leader; both are safe only if the
 * time that passes on each node is about the time that passes. An NTP step of the wall clock (backwards on
 * the leader, forwards on a voter) would stretch one and shrink the other by the step, and a deposed leader
 * could acknowledge a write. {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux) never steps; NTP only
 * slews its rate, by at most 500 ppm. Anchored to the wall clock, its values still read as times of day, so
 * what nodes compare with each other (a follower's staleness is its time less the leader's send time) stays
 * as good as their clocks' agreement at start. A step after start shows as that much offset until the next
 * restart, which re-reads the wall clock.
 */
public final class NodeClock {
    private static final long WALL_AT_START_MILLIS = System.currentTimeMillis();
    private static final long NANOS_AT_START = System.nanoTime();

    private NodeClock() {}

    /** Now, in milliseconds since the epoch as the wall clock read at start, advancing monotonically. */
    public static long millis() {
        return millisAt(System.nanoTime());
    }

    /** The time {@code nanos} (a {@link System#nanoTime()} reading) stands for: one clock read per cycle. */
    public static long millisAt(long nanos) {
        return WALL_AT_START_MILLIS + Math.floorDiv(nanos - NANOS_AT_START, 1_000_000L);
    }
}
