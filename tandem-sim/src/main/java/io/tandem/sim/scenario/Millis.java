package io.tandem.sim.scenario;

/** Simulated time as a human reads it on a timeline: milliseconds with microsecond digits. */
public final class Millis {
    private Millis() {}

    /** 12345 -> "12.345 ms" (times and durations on a timeline are never negative). */
    public static String of(long micros) {
        return String.format("%d.%03d ms", micros / 1000, micros % 1000);
    }
}
