package io.tandem.core.model;

import java.util.List;

/**
 * One record of the replicated log: the effects of one write command or one MULTI/EXEC transaction,
 * applied atomically. {@code term} and {@code lsn} place it in the log; {@code timeMillis} is the writing
 * node's clock when it was created (used for staleness and for the rollback file's original time).
 * An entry without effects is a no-op (a new leader's first entry of its term, for instance).
 */
public record Entry(long term, long lsn, long timeMillis, List<Effect> effects) {}
