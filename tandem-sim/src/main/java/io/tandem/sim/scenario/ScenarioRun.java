package io.tandem.sim.scenario;

import io.tandem.core.model.Entry;
import io.tandem.sim.sim.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
    /** The writes of {@link Step.WriteMany} steps, by request id: the timeline leaves their lines out. */
    private final Set<Long> bulk = new java.util.HashSet<>();
    /** Writes a leader acknowledged (released +OK for), in that order. */
    private final List<Operation> acknowledged = new ArrayList<>();
    private final List<Election> elections = new ArrayList<>();
    private final List<Candidacy> candidacies = new ArrayList<>();
    private final List<Answer> answers = new ArrayList<>();
    private final List<Rewind> rewinds = new ArrayList<>();
    private final List<Crash> crashes = new ArrayList<>();
    /** Each node's log when the run ended, by node number. */
    private final Map<Integer, List<Entry>> finalLogs = new TreeMap<>();
    private int finalLeader;

    /** A node asked for (pre-)votes: its election timer ran out. */
    public record Candidacy(int node, long term, boolean preVote, long lastLsn, long lastTerm, long atMicros) {}

    /** A candidate heard a voter's answer to its request for a (pre-)vote. */
    public record Answer(int candidate, int voter, long term, boolean preVote, boolean granted, long atMicros) {}

    /**
     * A node won an election.
     *
     * @param acknowledgedBefore the writes acknowledged (by any leader) before it won
     * @param missing            those of them its log did not hold (at their LSN, in their term)
     */
    public record Election(int node, long term, int votes, long lastLsn, long atMicros,
            List<Operation> acknowledgedBefore, List<Operation> missing) {}

    /**
     * A node dropped entries it had applied because its leader's log does not hold them.
     *
     * @param term    the node's term then (a real node writes them to rollback/TERM-FIRSTLSN.jsonl)
     * @param dropped the entries it dropped, as its rollback file lists them
     */
    public record Rewind(int node, long term, long afterLsn, long appliedLsn, long lastLsn, long atMicros,
            List<Entry> dropped) {
        /** The rollback file a real node writes them to: rollback/&lt;term&gt;-&lt;first LSN dropped&gt;.jsonl. */
        public String rollbackFile() {
            return "rollback/" + term + "-" + (afterLsn + 1) + ".jsonl";
        }
    }

    /**
     * A node crashed. Positions are {log, durable, applied} just before, by node number (0s for a node
     * down); {@code confirmedDurable} is what the crashed node, if it led, knew each follower had durable.
     */
    public record Crash(int node, long atMicros, boolean wasLeader, long commitLsn, Map<Integer, long[]> positions,
            Map<Integer, Long> confirmedDurable) {}

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

    void bulk(Operation write) {
        bulk.add(write.requestId());
    }

    void acknowledged(Operation write) {
        acknowledged.add(write);
    }

    void elected(Election election) {
        elections.add(election);
    }

    void stood(Candidacy candidacy) {
        candidacies.add(candidacy);
    }

    void answered(Answer answer) {
        answers.add(answer);
    }

    void rewound(Rewind rewind) {
        rewinds.add(rewind);
    }

    void crashed(Crash crash) {
        crashes.add(crash);
    }

    void ended(Map<Integer, List<Entry>> logs, int leader) {
        finalLogs.putAll(logs);
        finalLeader = leader;
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

    /** Is this one of the writes of a {@link Step.WriteMany} (whose lines the timeline leaves out)? */
    public boolean isBulk(Operation op) {
        return bulk.contains(op.requestId());
    }

    /** The writes a leader acknowledged, in the order it did. */
    public List<Operation> acknowledged() {
        return Collections.unmodifiableList(acknowledged);
    }

    public List<Election> elections() {
        return Collections.unmodifiableList(elections);
    }

    public List<Candidacy> candidacies() {
        return Collections.unmodifiableList(candidacies);
    }

    public List<Answer> answers() {
        return Collections.unmodifiableList(answers);
    }

    public List<Rewind> rewinds() {
        return Collections.unmodifiableList(rewinds);
    }

    public List<Crash> crashes() {
        return Collections.unmodifiableList(crashes);
    }

    /** The node leading when the run ended (0: none). */
    public int finalLeader() {
        return finalLeader;
    }

    /** Node {@code node}'s log when the run ended. */
    public List<Entry> finalLog(int node) {
        return finalLogs.getOrDefault(node, List.of());
    }

    /** Does node {@code node}'s final log hold the entry this write was logged as (same LSN, same term)? */
    public boolean finallyHolds(int node, Operation write) {
        return holds(finalLog(node), write);
    }

    static boolean holds(List<Entry> log, Operation write) {
        Entry entry = write.entry();
        return entry != null && entry.lsn() <= log.size() && log.get((int) entry.lsn() - 1).term() == entry.term();
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
