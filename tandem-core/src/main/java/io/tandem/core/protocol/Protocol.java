package io.tandem.core.protocol;

/**
 * A replication protocol: a deterministic, single-threaded state machine. Equal state and equal
 * (nowMillis, input) give equal output. No I/O, no clock, no threads: time comes in as nowMillis and
 * randomness from a seeded generator given to the constructor, so the simulator can replay a seed.
 */
public interface Protocol {
    void step(long nowMillis, Input input, Output out);
}
