package io.tandem.sim.sim;

import java.util.SplittableRandom;

/**
 * How one direction of a link between two nodes behaves: latency is {@code baseMicros} plus a uniform
 * jitter up to {@code jitterMicros} (messages overtake each other when the jitter exceeds their spacing:
 * that is the reordering), a message is lost with {@code lossProbability} and delivered twice with
 * {@code duplicateProbability}.
 */
public record LinkProfile(long baseMicros, long jitterMicros, double lossProbability, double duplicateProbability) {

    public LinkProfile {
        if (baseMicros < 0 || jitterMicros < 0 || lossProbability < 0 || lossProbability > 1
                || duplicateProbability < 0 || duplicateProbability > 1) {
            throw new IllegalArgumentException("bad link profile");
        }
    }

    /** A quiet network: latency and jitter, nothing lost or duplicated (the quiesce phase). */
    public LinkProfile reliable() {
        return new LinkProfile(baseMicros, jitterMicros, 0, 0);
    }

    long latencyMicros(SplittableRandom random) {
        return baseMicros + (jitterMicros == 0 ? 0 : random.nextLong(jitterMicros + 1));
    }

    @Override
    public String toString() {
        return String.format("%d+%dus loss=%.3f dup=%.3f", baseMicros, jitterMicros, lossProbability,
                duplicateProbability);
    }
}
