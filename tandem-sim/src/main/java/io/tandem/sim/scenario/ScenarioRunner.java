package io.tandem.sim.scenario;

import io.tandem.core.model.Entry;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.LinkProfile;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNetwork;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plays a {@link Scenario} on a {@link QuietCluster}: sets its links, starts the nodes at time 0, carries out
 * each step at its time (everything due before it has happened by then), runs to the scenario's end and
 * hands back the {@link ScenarioRun}. The same scenario always gives the same run.
 */
public final class ScenarioRunner {
    private ScenarioRunner() {}

    public static ScenarioRun run(Scenario scenario) {
        Map<NodeId, NodeId> upstreams = new java.util.TreeMap<>();
        scenario.upstreams().forEach((follower, relay) -> upstreams.put(NodeId.of("n" + follower), NodeId.of("n" + relay)));
        QuietCluster quiet = new QuietCluster(scenario.config(), new long[scenario.config().members().size()],
                upstreams, new Trace(1, false)); // the timeline is the record; the trace ring only needs to exist
        Cluster cluster = quiet.cluster();
        ScenarioRun run = new ScenarioRun(cluster.nodes().size());
        TimelineRecorder recorder = new TimelineRecorder(cluster, run);
        cluster.observe(recorder);
        for (Scenario.Link link : scenario.links()) {
            cluster.network().setProfile(link.a() - 1, link.b() - 1, new LinkProfile(link.latencyMicros(), 0, 0, 0));
        }
        cluster.start();
        Cuts cuts = new Cuts(cluster, run);
        Bulk bulk = null;
        for (Step step : scenario.steps()) {
            quiet.runUntilMicros(step.atMicros());
            if (bulk != null) {
                bulk.end(quiet, recorder);
                bulk = null;
            }
            switch (step) {
                case Step.Write w -> {
                    String[] words = w.words().toArray(String[]::new);
                    client(run, quiet, "sends " + String.join(" ", words) + " to " + cluster.leader().name());
                    quiet.write(words);
                }
                case Step.Read r -> {
                    SimNode node = quiet.node(r.node());
                    client(run, quiet, "sends " + String.join(" ", r.words()) + " to " + node.name());
                    quiet.read(node, r.words().toArray(String[]::new));
                }
                case Step.WriteMany m -> {
                    bulk = new Bulk(run, m);
                    client(run, quiet, "sends " + bulk.range() + " to " + cluster.leader().name() + ", one every "
                            + Millis.of(m.everyMicros()) + " (" + m.count() + " writes: the timeline leaves out their"
                            + " lines, but not events)");
                    recorder.mute(true);
                    for (int i = 1; i <= m.count(); i++) {
                        quiet.runUntilMicros(m.atMicros() + (i - 1) * m.everyMicros());
                        if (cluster.leader() != null) {
                            run.bulk(quiet.write("SET", m.key() + i, m.value() + i));
                            bulk.sent++;
                        }
                    }
                }
                case Step.SetAckPolicy a -> setAckPolicy(run, quiet, a);
                case Step.Crash c -> crash(run, quiet, c.node());
                case Step.Restart r -> restart(run, quiet, r.node());
                case Step.Isolate i -> cuts.isolate(i.node());
                case Step.Heal h -> cuts.heal(h.node());
                case Step.ShowLag s -> {
                    run.add(new TimelineLine(quiet.nowMicros(), "", "--- " + s.why() + " ---"));
                    recorder.showLag();
                }
            }
        }
        quiet.runUntilMicros(scenario.endMicros());
        if (bulk != null) {
            bulk.end(quiet, recorder);
        }
        for (Operation op : cluster.history().operations()) {
            if (op.reply() != null && !run.isBulk(op)) {
                run.add(new TimelineLine(op.completedMicros(), "client", "hears " + op.text() + " -> "
                        + Describe.reply(op.reply()) + " from " + op.node() + " ("
                        + Millis.of(op.completedMicros() - op.invokedMicros()) + " after sending)"));
            }
        }
        Map<Integer, List<Entry>> logs = new TreeMap<>();
        for (SimNode node : cluster.nodes()) {
            logs.put(node.index() + 1, node.disk().log().range(1, node.disk().log().lastLsn()));
        }
        SimNode leader = cluster.leader();
        run.ended(logs, leader == null ? 0 : leader.index() + 1);
        run.finish(cluster.history().operations());
        return run;
    }

    /** CONFIG SET ack-policy on one node, the rest of its acknowledgement settings as configured. */
    private static void setAckPolicy(ScenarioRun run, QuietCluster quiet, Step.SetAckPolicy step) {
        SimNode node = quiet.node(step.node());
        ReplicaSetConfig configured = quiet.cluster().spec().config();
        run.add(new TimelineLine(quiet.nowMicros(), "admin", "sends CONFIG SET ack-policy \"" + step.policy() + "\" to "
                + node.name()));
        node.step(new Input.ChangeAcknowledgement(AckPolicy.parse(step.policy()), configured.ackLevel(),
                configured.ackTimeoutMillis(), configured.onAckTimeout(), configured.minReplicasToWrite(),
                configured.minReplicasMaxLagMillis()));
    }

    /** The process of node {@code number} dies: says what its disk keeps and what is gone with its memory. */
    private static void crash(ScenarioRun run, QuietCluster quiet, int number) {
        Cluster cluster = quiet.cluster();
        SimNode node = quiet.node(number);
        Map<Integer, long[]> positions = new TreeMap<>();
        for (SimNode other : cluster.nodes()) {
            positions.put(other.index() + 1, other.isUp() ? new long[] {other.core().lastLsn(),
                    other.disk().durableLsn(), other.core().appliedLsn()} : new long[3]);
        }
        Map<Integer, Long> confirmed = new TreeMap<>();
        boolean leading = node.isUp() && node.core().isLeader();
        if (leading) {
            node.core().progress().forEach((id, p) -> confirmed.put(cluster.node(id).index() + 1, p.durableLsn()));
        }
        long commit = leading ? node.core().commitLsn() : 0;
        run.crashed(new ScenarioRun.Crash(number, quiet.nowMicros(), leading, commit, positions, confirmed));
        long logged = positions.get(number)[0];
        node.crash(false);
        long kept = node.disk().log().lastLsn();
        run.add(new TimelineLine(quiet.nowMicros(), node.name(), "CRASHES" + (leading ? " (it was the leader, its"
                + " commit point at LSN " + commit + ")" : "") + ": the process dies; its disk keeps its log up to LSN "
                + kept + (logged > kept ? ", " + EventText.lsns(kept + 1, logged) + " (not durable yet) "
                        + (logged == kept + 1 ? "is" : "are") + " lost" : "")));
    }

    /** Node {@code number} starts again from what its disk holds. */
    private static void restart(ScenarioRun run, QuietCluster quiet, int number) {
        SimNode node = quiet.node(number);
        long last = node.disk().log().lastLsn();
        run.add(new TimelineLine(quiet.nowMicros(), node.name(), "restarts from its disk: its log ends at "
                + EventText.position(last, node.disk().log().term(last)) + ", and its keys are rebuilt from it"
                + (quiet.cluster().spec().config().elections() ? "; it follows no one until it hears from a leader"
                        + " (whoever led before may have been replaced)" : "")));
        node.start();
    }

    /** The writes of one WriteMany: what was sent, and how far they got when the next step comes. */
    private static final class Bulk {
        private final ScenarioRun run;
        private final Step.WriteMany step;
        private int sent;

        Bulk(ScenarioRun run, Step.WriteMany step) {
            this.run = run;
            this.step = step;
        }

        String range() {
            return "SET " + step.key() + "1 " + step.value() + "1 .. SET " + step.key() + step.count() + " "
                    + step.value() + step.count();
        }

        void end(QuietCluster quiet, TimelineRecorder recorder) {
            recorder.mute(false);
            SimNode leader = quiet.cluster().leader();
            Operation last = recorder.lastBulkAcknowledged();
            String where = leader == null ? "there is no leader right now"
                    : leader.name() + " has logged up to LSN " + leader.core().lastLsn() + " (durable up to "
                            + leader.disk().durableLsn() + ", commit point " + leader.core().commitLsn() + ")";
            client(run, quiet, "has sent " + sent + " of the " + step.count() + " writes, " + recorder.bulkAcknowledged()
                    + " of them acknowledged so far" + (last == null ? "" : " (the last: " + last.text() + ", LSN "
                    + last.entry().lsn() + ")") + "; " + where);
        }
    }

    private static void client(ScenarioRun run, QuietCluster quiet, String what) {
        run.add(new TimelineLine(quiet.nowMicros(), "client", what));
    }

    /** Cuts a node off from every other node and heals it, saying how many messages the cut dropped. */
    private static final class Cuts {
        private final Cluster cluster;
        private final ScenarioRun run;
        private long droppedBefore;

        Cuts(Cluster cluster, ScenarioRun run) {
            this.cluster = cluster;
            this.run = run;
        }

        void isolate(int number) {
            SimNetwork network = cluster.network();
            for (SimNode other : cluster.nodes()) {
                if (other.index() != number - 1) {
                    network.cut(number - 1, other.index(), false);
                }
            }
            droppedBefore = network.dropped();
            say("n" + number + " is cut off from every other node: messages to and from it are dropped");
        }

        void heal(int number) {
            SimNetwork network = cluster.network();
            for (SimNode other : cluster.nodes()) {
                if (other.index() != number - 1) {
                    network.heal(number - 1, other.index(), false);
                }
            }
            say("n" + number + " is reachable again (" + (network.dropped() - droppedBefore)
                    + " messages were dropped while it was cut off)");
        }

        private void say(String what) {
            run.add(new TimelineLine(cluster.scheduler().nowMicros(), "net", what));
        }
    }
}
