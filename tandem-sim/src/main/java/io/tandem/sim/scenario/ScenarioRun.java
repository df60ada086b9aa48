package io.tandem.sim.scenario;

import io.tandem.sim.sim.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one scenario run: its timeline, and the facts a summary or a test asks about (when each
 * node first had each entry at each level, what the client was told and when, what each read showed).
 * Nodes are named by number, as in the script: 1 is n1, the leader.
 */
public final class ScenarioRun {
    private final List<TimelineLine> timeline = new ArrayList<>();
    private final Positions[] received;
    private final Positions[] durable;
    private final Positions[] applied;
    private final List<Operation> operations = new ArrayList<>();
    /** By request id, in the order the nodes answered. */
    private final Map<Long, ReadOutcome> outcomes = new LinkedHashMap<>();

    ScenarioRun(int nodes) {
        received = positions(nodes);
        durable = positions(nodes);
        applied = positions(nodes);
    }

    private static Positions[] positions(int nodes) {
        Positions[] positions = new Positions[nodes];
        for (int i = 0; i < nodes; i++) {
            positions[i] = new Positions();
        }
        return positions;
    }

    // ---- filled while the run goes on -----------------------------------------------------------------------

    void add(TimelineLine line) {
        timeline.add(line);
    }

    Positions received(int node) {
        return received[node - 1];
    }

    Positions durable(int node) {
        return durable[node - 1];
    }

    Positions applied(int node) {
        return applied[node - 1];
    }

    void answered(ReadOutcome outcome) {
        outcomes.putIfAbsent(outcome.read().requestId(), outcome);
    }

    /** The run is over: takes the client's operations and puts lines added afterwards in time order. */
    void finish(List<Operation> history) {
        operations.addAll(history);
        // Stable: lines of one microsecond keep the order they happened (or were added) in.
        timeline.sort(Comparator.comparingLong(TimelineLine::timeMicros));
    }

    // ---- what summaries and tests read ----------------------------------------------------------------------

    public List<TimelineLine> timeline() {
        return Collections.unmodifiableList(timeline);
    }

    public List<Operation> writes() {
        return operations.stream().filter(op -> op.kind() != Operation.Kind.READ).toList();
    }

    public List<Operation> reads() {
        return operations.stream().filter(op -> op.kind() == Operation.Kind.READ).toList();
    }

    /** The write's LSN (the entry the leader logged for it). */
    public long lsn(Operation write) {
        if (write.entry() == null) {
            throw new IllegalStateException("no entry was logged for " + write);
        }
        return write.entry().lsn();
    }

    /** When the client heard the reply (-1: it never did). */
    public long repliedMicros(Operation op) {
        return op.completedMicros();
    }

    /** When node {@code node} first had {@code lsn} in its log (-1: never). On the leader: when it logged it. */
    public long receivedMicros(int node, long lsn) {
        return received(node).firstMicros(lsn);
    }

    public long durableMicros(int node, long lsn) {
        return durable(node).firstMicros(lsn);
    }

    /** When reads on node {@code node} could first see {@code lsn} (-1: never). */
    public long appliedMicros(int node, long lsn) {
        return applied(node).firstMicros(lsn);
    }

    public ReadOutcome outcome(Operation read) {
        ReadOutcome outcome = outcomes.get(read.requestId());
        if (outcome == null) {
            throw new IllegalStateException("no node answered " + read);
        }
        return outcome;
    }

    /**
     * How long reads on {@code node} kept missing the write after the client was told it succeeded: from
     * the reply to when the node applied it (0 if it had applied it by then).
     */
    public long staleAfterAckMicros(int node, Operation write) {
        long applied = appliedMicros(node, lsn(write));
        long acked = repliedMicros(write);
        if (applied < 0 || acked < 0) {
            throw new IllegalStateException("n" + node + " never applied, or the client never heard of, " + write);
        }
        return Math.max(0, applied - acked);
    }
}
