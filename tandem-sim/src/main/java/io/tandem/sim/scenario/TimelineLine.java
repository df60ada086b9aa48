package io.tandem.sim.scenario;

/** One line of a timeline: when (simulated microseconds), who (a node, "client" or "net"), what happened. */
public record TimelineLine(long timeMicros, String who, String what) {}
