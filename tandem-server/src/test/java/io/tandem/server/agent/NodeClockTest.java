package io.tandem.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The node's clock reads as a time of day and never goes back, whatever the wall clock does. */
class NodeClockTest {
    @Test
    void itReadsAsTheWallClockAndNeverGoesBack() {
        long wall = System.currentTimeMillis();
        long node = NodeClock.millis();
        // Anchored to the wall clock at start: the two agree unless the wall clock was stepped since (not on
        // a test machine within a run, by more than a second).
        assertTrue(Math.abs(node - wall) < 1_000, node + " vs wall " + wall);
        // Never behind the wall clock read before it: a key set to expire at an absolute time (EXAT) must not
        // show a TTL longer than the time left (ScriptedDifferentialTest compares PTTL with Redis's).
        for (int i = 0; i < 10_000; i++) {
            long before = System.currentTimeMillis();
            long after = NodeClock.millis();
            assertTrue(after >= before, after + " behind the wall clock read before it, " + before);
        }
        long previous = NodeClock.millis();
        for (int i = 0; i < 100_000; i++) {
            long now = NodeClock.millis();
            assertTrue(now >= previous, now + " after " + previous);
            previous = now;
        }
    }

    @Test
    void aNanoTimeReadingMapsToWholeMillisecondsAfterTheStart() {
        long nanos = System.nanoTime();
        long at = NodeClock.millisAt(nanos);
        assertEquals(at + 1, NodeClock.millisAt(nanos + 1_000_000));
        assertEquals(at + 1_000, NodeClock.millisAt(nanos + 1_000_000_000L));
        long withinTheMillisecond = NodeClock.millisAt(nanos + 999_999) - at;
        assertTrue(withinTheMillisecond == 0 || withinTheMillisecond == 1, "0.999999 ms later: " + withinTheMillisecond);
    }
}
