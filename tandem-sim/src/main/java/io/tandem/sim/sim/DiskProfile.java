package io.tandem.sim.sim;

import java.util.SplittableRandom;

/**
 * How long a simulated disk takes: a write (handing a batch to the OS) and an fsync, each uniform in
 * [min, max] microseconds, and now and then a slow fsync (a device hiccup) {@code slowFactor} times
 * longer. A disk latency spike (a fault) multiplies both on top.
 */
public record DiskProfile(long writeMinMicros, long writeMaxMicros, long fsyncMinMicros, long fsyncMaxMicros,
        double slowFsyncProbability, int slowFactor) {

    public DiskProfile {
        if (writeMinMicros < 0 || writeMaxMicros < writeMinMicros || fsyncMinMicros < 0 || fsyncMaxMicros < fsyncMinMicros
                || slowFactor < 1) {
            throw new IllegalArgumentException("bad disk profile " + writeMinMicros + ".." + writeMaxMicros + " / "
                    + fsyncMinMicros + ".." + fsyncMaxMicros);
        }
    }

    long writeMicros(SplittableRandom random) {
        return writeMinMicros + random.nextLong(writeMaxMicros - writeMinMicros + 1);
    }

    long fsyncMicros(SplittableRandom random) {
        long micros = fsyncMinMicros + random.nextLong(fsyncMaxMicros - fsyncMinMicros + 1);
        return random.nextDouble() < slowFsyncProbability ? micros * slowFactor : micros;
    }
}
