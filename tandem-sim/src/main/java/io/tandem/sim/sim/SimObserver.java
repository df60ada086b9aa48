package io.tandem.sim.sim;

/**
 * What the checkers are told while a run goes on. Every call comes between two events, when the world is
 * consistent: after a node's step has been carried out, after an fsync, after a crash or a restart.
 */
public interface SimObserver {
    /** A node stepped; {@code step} says what the step did (its replies, entries, events). */
    default void afterStep(SimNode node, StepRecord step) {}

    /** An fsync of the node's disk completed (its durable image changed). */
    default void onSynced(SimNode node) {}

    default void onCrash(SimNode node, long lostEntries) {}

    default void onRestart(SimNode node) {}
}
