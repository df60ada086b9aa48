package io.tandem.sim.scenario;

import io.tandem.core.model.Event;
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
    private final String policyText;
    /** The leader's view of each follower when last printed: {received, durable, applied}. */
    private final Map<NodeId, long[]> leaderView = new TreeMap<>();
    /** When the leader last heard from each follower (its own clock, milliseconds). */
    private final Map<NodeId, Long> lastHeardMillis = new TreeMap<>();
    private long commitLsn;

    TimelineRecorder(Cluster cluster, ScenarioRun run) {
        this.cluster = cluster;
        this.run = run;
        this.policyText = cluster.spec().config().ackPolicy() + " at level " + cluster.spec().config().ackLevel();
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        int number = node.index() + 1;
        noteDurable(node);
        ReplicaSetNode core = node.core();
        long logged = run.received(number).moveTo(core.lastLsn(), now());
        if (core.lastLsn() > logged) {
            line(node, core.isLeader() ? loggedText(step.input(), core.lastLsn()) : "receives "
                    + lsns(logged + 1, core.lastLsn()) + " from " + core.leader() + " (in its log, not durable yet)");
        }
        for (Event event : step.events()) {
            line(node, EventText.of(event));
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
    }

    @Override
    public void onSynced(SimNode node) {
        noteDurable(node);
    }

    /** Prints each follower's lag now, on its own line. */
    void showLag() {
        SimNode leader = cluster.leader();
        for (SimNode follower : cluster.followers()) {
            line(follower, lagText(leader, follower));
        }
    }

    private void noteDurable(SimNode node) {
        long durable = node.disk().durableLsn();
        long before = run.durable(node.index() + 1).moveTo(durable, now());
        if (durable > before) {
            line(node, lsns(before + 1, durable) + " durable on its disk (fsync done)");
        }
    }

    private String loggedText(Input input, long lsn) {
        long requestId = input instanceof Input.ClientCommand c ? c.requestId() : -1;
        Operation op = cluster.history().get(requestId);
        return op == null ? "logs LSN " + lsn : "runs " + op.text() + ", logs it as LSN " + lsn + " (not durable yet)";
    }

    private void noteCommit(SimNode node, ReplicaSetNode core) {
        if (core.commitLsn() > commitLsn) {
            line(node, "commit point moves to LSN " + core.commitLsn() + ": " + policyText + " is met");
        }
        commitLsn = Math.max(commitLsn, core.commitLsn());
    }

    /** The leader's progress table changed: say what it learned about whom. */
    private void noteLeaderView(SimNode node, ReplicaSetNode core) {
        for (Map.Entry<NodeId, Progress> entry : core.progress().entrySet()) {
            noteSilenceEnded(node, entry.getKey(), entry.getValue());
            notePositions(node, entry.getKey(), entry.getValue());
        }
    }

    /** A follower answers every leader message, at least one per heartbeat: a longer gap was a cut. */
    private void noteSilenceEnded(SimNode node, NodeId follower, Progress p) {
        long silenceMillis = 2 * cluster.spec().config().heartbeatIntervalMillis();
        // Until the follower's first message, lastHeardMillis is 0: that is no silence, just a start.
        long heardBefore = lastHeardMillis.getOrDefault(follower, 0L);
        if (heardBefore > 0 && p.lastHeardMillis() - heardBefore > silenceMillis) {
            line(node, "hears from " + follower + " again, after " + (p.lastHeardMillis() - heardBefore)
                    + " ms of silence (its log ends at LSN " + p.receivedLsn() + ")");
        }
        lastHeardMillis.put(follower, p.lastHeardMillis());
    }

    /** "learns n2 has LSN 1 durable and applied" (or each level's LSN, when they moved to different ones). */
    private void notePositions(SimNode node, NodeId follower, Progress p) {
        long[] now = {p.receivedLsn(), p.durableLsn(), p.appliedLsn()};
        long[] before = leaderView.getOrDefault(follower, new long[3]);
        leaderView.put(follower, now);
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
        if (op.kind() == Operation.Kind.READ) {
            ReadOutcome outcome = new ReadOutcome(op, node.name(), node.core().appliedLsn(),
                    cluster.leader().core().lastLsn(), now());
            run.answered(outcome);
            line(node, "answers " + answer + (node == cluster.leader() ? "" : readVerdict(node, outcome)));
            return;
        }
        // The client hears the reply one hop later: judge the reply itself, not the operation (not complete yet).
        boolean acknowledged = !(released.reply() instanceof Reply.Error);
        line(node, (acknowledged ? "acknowledges " : "answers ") + answer
                + (op.entry() == null ? "" : " (LSN " + op.entry().lsn() + ")"));
        if (acknowledged && node == cluster.leader()) {
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
        String where = "(log " + core.lastLsn() + ", durable " + follower.disk().durableLsn() + ", applied "
                + core.appliedLsn() + ")";
        if (behind <= 0) {
            return "lag none, has applied all " + leader.name() + " logged " + where;
        }
        long sinceMicros = now() - run.receivedMicros(leader.index() + 1, core.appliedLsn() + 1);
        return "lag " + behind + (behind == 1 ? " entry, " : " entries, ") + Millis.of(sinceMicros) + " behind "
                + leader.name() + " " + where;
    }

    private static String lsns(long from, long to) {
        return from == to ? "LSN " + to : "LSNs " + from + ".." + to;
    }

    private void line(SimNode node, String what) {
        run.add(new TimelineLine(now(), node.name(), what));
    }

    private long now() {
        return cluster.scheduler().nowMicros();
    }
}
