package io.tandem.sim.scenario;

import io.tandem.core.model.NodeId;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Describe;
import io.tandem.sim.sim.LinkProfile;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNetwork;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;
import java.util.Map;

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
        for (Step step : scenario.steps()) {
            quiet.runUntilMicros(step.atMicros());
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
                case Step.Isolate i -> cuts.isolate(i.node());
                case Step.Heal h -> cuts.heal(h.node());
                case Step.ShowLag s -> {
                    run.add(new TimelineLine(quiet.nowMicros(), "", "--- " + s.why() + " ---"));
                    recorder.showLag();
                }
            }
        }
        quiet.runUntilMicros(scenario.endMicros());
        for (Operation op : cluster.history().operations()) {
            if (op.reply() != null) {
                run.add(new TimelineLine(op.completedMicros(), "client", "hears " + op.text() + " -> "
                        + Describe.reply(op.reply()) + " from " + op.node() + " ("
                        + Millis.of(op.completedMicros() - op.invokedMicros()) + " after sending)"));
            }
        }
        run.finish(cluster.history().operations());
        return run;
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
