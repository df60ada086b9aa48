package io.tandem.sim.scenario;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Event;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Watches a scenario run and writes its timeline: after every step of a node, what changed that a reader
 * learning replication should see, in this order: the node's disk made entries durable, entries entered its
 * log, the core's events, a follower applied entries, the leader's commit point moved, the leader heard a
 * follower's new positions, and the replies the node released (with the followers' lag at each
 * acknowledgement, and stale or fresh for each read). Heartbeats and ticks that change nothing print nothing.
 *
 * <p>Positions are read from the nodes themselves (their log, their disk, their core), not from what
 * messages claimed: the timeline shows what really held, and the leader's "learns" lines show when it knew.
 */
final class TimelineRecorder implements SimObserver {
    private final Cluster cluster;
    private final ScenarioRun run;
    /**
     * A leader's view of each follower when last printed: {received, durable, applied}, by "leader/term/follower"
     * (a new leader learns everything anew).
     */
    private final Map<String, long[]> leaderView = new TreeMap<>();
    /** When a leader last heard from each follower (its own clock, milliseconds), keyed as leaderView. */
    private final Map<String, Long> lastHeardMillis = new TreeMap<>();
    /** Each leader's commit point when last printed, by "leader/term"; it starts where the leader found it. */
    private final Map<String, Long> commitLsn = new TreeMap<>();
    /**
     * Each node's log as it was after its last step, by node number: a rewind cuts the log within the
     * step, and this still holds what it dropped (what a real node's rollback file lists).
     */
    private final Map<Integer, List<Entry>> logs = new TreeMap<>();
    /** While muted (a WriteMany's writes), routine lines are left out; events and votes still show. */
    private boolean muted;
    /** Writes of a WriteMany the leader acknowledged, and the last of them. */
    private int bulkAcknowledged;
    private Operation lastBulkAcknowledged;

    TimelineRecorder(Cluster cluster, ScenarioRun run) {
        this.cluster = cluster;
        this.run = run;
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        int number = node.index() + 1;
        noteDurable(node);
        ReplicaSetNode core = node.core();
        noteVote(node, step.input());
        long logged = run.received(number).moveTo(core.lastLsn(), now());
        String openingEntry = null;
        if (core.lastLsn() > logged) {
            String text = core.isLeader() ? loggedText(step.input(), node, core.lastLsn()) : "receives "
                    + lsns(logged + 1, core.lastLsn()) + " from " + core.leader() + " (in its log, not durable yet)";
            if (core.isLeader() && node.disk().log().get(core.lastLsn()).effects().isEmpty()) {
                openingEntry = text; // after the election that led to it
            } else {
                line(node, text);
            }
        }
        for (Event event : step.events()) {
            if (event instanceof Event.VoteRefused) {
                continue; // the vote request's own line says it, with both logs' ends
            }
            say(node, EventText.of(event));
            noteEvent(node, event);
        }
        if (openingEntry != null) {
            line(node, openingEntry);
        }
        long applied = run.applied(number).moveTo(core.appliedLsn(), now());
        if (core.appliedLsn() > applied && !core.isLeader()) {
            // On the leader, entries are applied as commands run; its reads wait for the commit point instead.
            line(node, "applies " + lsns(applied + 1, core.appliedLsn()) + ": reads on " + node.name() + " now see it");
        }
        if (core.isLeader()) {
            noteCommit(node, core);
            noteLeaderView(node, core);
        }
        for (StepRecord.ReleasedReply reply : step.replies()) {
            noteReply(node, reply);
        }
        mirror(node);
    }

    /** Brings the copy of the node's log up to date: cut back to where it agrees (same terms), then extended. */
    private void mirror(SimNode node) {
        List<Entry> copy = logs.computeIfAbsent(node.index() + 1, n -> new ArrayList<>());
        io.tandem.sim.sim.SimLog log = node.disk().log();
        int agree = (int) Math.min(copy.size(), log.lastLsn());
        while (agree > 0 && copy.get(agree - 1).term() != log.get(agree).term()) {
            agree--;
        }
        copy.subList(agree, copy.size()).clear();
        copy.addAll(log.range(agree + 1, log.lastLsn()));
    }

    @Override
    public void onSynced(SimNode node) {
        noteDurable(node);
    }

    /** Prints each follower's lag now, on its own line (with no leader: each node's positions). */
    void showLag() {
        SimNode leader = cluster.leader();
        for (SimNode follower : cluster.followers()) {
            say(follower, leader == null ? "no leader right now: " + where(follower) : lagText(leader, follower));
        }
    }

    /** Leaves out (or shows again) the routine lines: a WriteMany's thousands of writes would drown the rest. */
    void mute(boolean mute) {
        this.muted = mute;
    }

    int bulkAcknowledged() {
        return bulkAcknowledged;
    }

    Operation lastBulkAcknowledged() {
        return lastBulkAcknowledged;
    }

    /** A vote request reached this voter, or an answer reached its candidate: what each side's log held. */
    private void noteVote(SimNode node, Input input) {
        if (!(input instanceof Input.PeerMessage(Message message))) {
            return;
        }
        ReplicaSetNode core = node.core();
        String kind;
        switch (message) {
            case Message.VoteRequest r -> {
                kind = r.preVote() ? "a pre-vote" : "its vote";
                boolean upToDate = r.lastTerm() > core.lastTerm()
                        || (r.lastTerm() == core.lastTerm() && r.lastLsn() >= core.lastLsn());
                say(node, r.from() + " asks for " + kind + " in term " + r.term() + "; " + r.from() + "'s log ends at "
                        + EventText.position(r.lastLsn(), r.lastTerm()) + ", its own at "
                        + EventText.position(core.lastLsn(), core.lastTerm()) + (upToDate ? "" : ": " + r.from()
                        + " is behind, so it refuses"));
            }
            case Message.VoteResponse r -> {
                kind = r.preVote() ? "pre-vote" : "vote";
                run.answered(new ScenarioRun.Answer(node.index() + 1, cluster.node(r.from()).index() + 1, r.term(),
                        r.preVote(), r.granted(), now()));
                say(node, "hears " + r.from() + (r.granted() ? " grant" : " refuse") + " its " + kind
                        + (r.granted() ? "" : " (" + r.from() + " is in term " + r.term() + ")"));
            }
            default -> {
            }
        }
    }

    /** Elections and rewinds are facts a summary reads. */
    private void noteEvent(SimNode node, Event event) {
        int number = node.index() + 1;
        switch (event) {
            case Event.ElectionStarted e -> run.stood(new ScenarioRun.Candidacy(number, e.term(), e.preVote(),
                    e.lastLsn(), e.lastTerm(), now()));
            case Event.Elected e -> {
                List<Operation> before = List.copyOf(run.acknowledged());
                List<Entry> log = node.disk().log().range(1, node.disk().log().lastLsn());
                List<Operation> missing = before.stream().filter(op -> !ScenarioRun.holds(log, op)).toList();
                run.elected(new ScenarioRun.Election(number, e.term(), e.votes(), e.lastLsn(), now(), before, missing));
            }
            case Event.Rewinding r -> {
                List<Entry> before = logs.getOrDefault(number, List.of());
                List<Entry> dropped = r.afterLsn() >= before.size() ? List.of()
                        : List.copyOf(before.subList((int) r.afterLsn(), (int) Math.min(before.size(), r.lastLsn())));
                run.rewound(new ScenarioRun.Rewind(number, node.core().term(), r.afterLsn(), r.appliedLsn(),
                        r.lastLsn(), now(), dropped));
                say(node, "a real node first writes them to " + run.rewinds().get(run.rewinds().size() - 1)
                        .rollbackFile() + " (nothing is dropped without a record)");
            }
            default -> {
            }
        }
    }

    private void noteDurable(SimNode node) {
        long durable = node.disk().durableLsn();
        long before = run.durable(node.index() + 1).moveTo(durable, now());
        if (durable > before) {
            line(node, lsns(before + 1, durable) + " durable on its disk (fsync done)");
        }
    }

    private String loggedText(Input input, SimNode node, long lsn) {
        long requestId = input instanceof Input.ClientCommand c ? c.requestId() : -1;
        Operation op = cluster.history().get(requestId);
        if (op != null) {
            return "runs " + op.text() + ", logs it as LSN " + lsn + " (not durable yet)";
        }
        Entry entry = node.disk().log().get(lsn);
        return entry.effects().isEmpty() ? "logs LSN " + lsn + ", the empty entry that opens its term " + entry.term()
                + " (nothing of an older term counts as committed before it does)" : "logs LSN " + lsn;
    }

    private void noteCommit(SimNode node, ReplicaSetNode core) {
        String key = node.name() + "/" + core.term();
        Long before = commitLsn.get(key);
        if (before != null && core.commitLsn() > before) {
            // The settings in force on this leader now (a scenario may change them: Step.SetAckPolicy).
            line(node, "commit point moves to LSN " + core.commitLsn() + ": " + core.config().ackPolicy() + " at level "
                    + core.config().ackLevel() + " is met");
        }
        commitLsn.put(key, before == null ? core.commitLsn() : Math.max(before, core.commitLsn()));
    }

    /** The leader's progress table changed: say what it learned about whom. */
    private void noteLeaderView(SimNode node, ReplicaSetNode core) {
        String prefix = node.name() + "/" + core.term() + "/";
        for (Map.Entry<NodeId, Progress> entry : core.progress().entrySet()) {
            noteSilenceEnded(node, prefix, entry.getKey(), entry.getValue());
            notePositions(node, prefix, entry.getKey(), entry.getValue());
        }
    }

    /** A follower answers every leader message, at least one per heartbeat: a longer gap was a cut. */
    private void noteSilenceEnded(SimNode node, String prefix, NodeId follower, Progress p) {
        long silenceMillis = 2 * cluster.spec().config().heartbeatIntervalMillis();
        // Until the follower's first message, lastHeardMillis is 0: that is no silence, just a start.
        long heardBefore = lastHeardMillis.getOrDefault(prefix + follower, 0L);
        if (heardBefore > 0 && p.lastHeardMillis() - heardBefore > silenceMillis) {
            SimNode from = cluster.node(follower); // what its log really holds (the leader may not know yet)
            line(node, "hears from " + follower + " again, after " + (p.lastHeardMillis() - heardBefore)
                    + " ms of silence (its log ends at LSN " + (from.isUp() ? from.core().lastLsn() : p.receivedLsn())
                    + ")");
        }
        lastHeardMillis.put(prefix + follower, p.lastHeardMillis());
    }

    /** "learns n2 has LSN 1 durable and applied" (or each level's LSN, when they moved to different ones). */
    private void notePositions(SimNode node, String prefix, NodeId follower, Progress p) {
        long[] now = {p.receivedLsn(), p.durableLsn(), p.appliedLsn()};
        long[] before = leaderView.getOrDefault(prefix + follower, new long[3]);
        leaderView.put(prefix + follower, now);
        String[] levels = {"received", "durable", "applied"};
        List<String> moved = new ArrayList<>();
        long movedTo = -1;
        boolean oneLsn = true;
        for (int i = 0; i < levels.length; i++) {
            if (now[i] > before[i]) {
                oneLsn &= movedTo == -1 || now[i] == movedTo;
                movedTo = now[i];
                moved.add(levels[i]);
            }
        }
        if (!moved.isEmpty()) {
            line(node, "learns " + follower + " has " + (oneLsn ? "LSN " + movedTo + " " + and(moved)
                    : "received " + now[0] + ", durable " + now[1] + ", applied " + now[2]));
        }
    }

    /** [a] -> "a", [a, b, c] -> "a, b and c". */
    private static String and(List<String> words) {
        int last = words.size() - 1;
        return last == 0 ? words.get(0) : String.join(", ", words.subList(0, last)) + " and " + words.get(last);
    }

    private void noteReply(SimNode node, StepRecord.ReleasedReply released) {
        Operation op = cluster.history().get(released.requestId());
        String answer = op.text() + " -> " + Describe.reply(released.reply());
        SimNode leader = cluster.leader();
        if (op.kind() == Operation.Kind.READ) {
            ReadOutcome outcome = new ReadOutcome(op, node.name(), node.core().appliedLsn(),
                    leader == null ? node.core().appliedLsn() : leader.core().lastLsn(), now());
            run.answered(outcome);
            line(node, "answers " + answer + (node == cluster.leader() ? "" : readVerdict(node, outcome)));
            return;
        }
        // The client hears the reply one hop later: judge the reply itself, not the operation (not complete yet).
        boolean acknowledged = !(released.reply() instanceof Reply.Error);
        if (acknowledged && op.entry() != null) {
            run.acknowledged(op);
            if (run.isBulk(op)) {
                bulkAcknowledged++;
                lastBulkAcknowledged = op;
            }
        }
        line(node, (acknowledged ? "acknowledges " : "answers ") + answer
                + (op.entry() == null ? "" : " (LSN " + op.entry().lsn() + ")"));
        if (acknowledged && node == leader) {
            for (SimNode follower : cluster.followers()) {
                line(follower, "at this acknowledgement: " + lagText(node, follower));
            }
        }
    }

    private static String readVerdict(SimNode node, ReadOutcome outcome) {
        return outcome.stale()
                ? "   STALE: " + node.name() + " has applied up to LSN " + outcome.appliedLsn() + ", the leader has logged "
                        + outcome.leaderLsn()
                : "   fresh: " + node.name() + " has applied all the leader logged (LSN " + outcome.appliedLsn() + ")";
    }

    /**
     * A follower's lag behind the leader, in entries (the leader's log end minus what the follower applied)
     * and in time (how long ago the leader logged the oldest entry the follower has not applied).
     */
    private String lagText(SimNode leader, SimNode follower) {
        if (!follower.isUp()) {
            return "down";
        }
        ReplicaSetNode core = follower.core();
        long leaderLsn = leader.core().lastLsn();
        long behind = leaderLsn - core.appliedLsn();
        String where = "(" + where(follower) + ")";
        if (behind <= 0) {
            return "lag none, has applied all " + leader.name() + " logged " + where;
        }
        long sinceMicros = now() - run.receivedMicros(leader.index() + 1, core.appliedLsn() + 1);
        return "lag " + behind + (behind == 1 ? " entry, " : " entries, ") + Millis.of(sinceMicros) + " behind "
                + leader.name() + " " + where;
    }

    /** "log 12, durable 11, applied 11" (or "down"). */
    private static String where(SimNode node) {
        if (!node.isUp()) {
            return "down";
        }
        ReplicaSetNode core = node.core();
        return "log " + core.lastLsn() + ", durable " + node.disk().durableLsn() + ", applied " + core.appliedLsn();
    }

    private static String lsns(long from, long to) {
        return EventText.lsns(from, to);
    }

    /** A routine line: left out while muted. */
    private void line(SimNode node, String what) {
        if (!muted) {
            say(node, what);
        }
    }

    /** A line that shows even while muted (events, votes, lag asked for). */
    private void say(SimNode node, String what) {
        run.add(new TimelineLine(now(), node.name(), what));
    }

    private long now() {
        return cluster.scheduler().nowMicros();
    }
}
