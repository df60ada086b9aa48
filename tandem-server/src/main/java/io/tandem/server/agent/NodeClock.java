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
    /**
     * Read first, then the wall clock, to the nanosecond where the platform has it (Linux: microseconds at
     * least): the node's clock then runs ahead of the wall clock by the instant between the two reads, never
     * behind it. (Anchored to {@code currentTimeMillis()} it could run up to a millisecond behind, and a key
     * set to expire at an absolute time would show a TTL one millisecond longer than asked.)
     */
    private static final long NANOS_AT_START = System.nanoTime();
    private static final long WALL_AT_START_NANOS = wallNanos();

    private NodeClock() {}

    /** Now, in milliseconds since the epoch as the wall clock read at start, advancing monotonically. */
    public static long millis() {
        return millisAt(System.nanoTime());
    }

    /** The time {@code nanos} (a {@link System#nanoTime()} reading) stands for: one clock read per cycle. */
    public static long millisAt(long nanos) {
        return Math.floorDiv(WALL_AT_START_NANOS + (nanos - NANOS_AT_START), 1_000_000L);
    }

    private static long wallNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
