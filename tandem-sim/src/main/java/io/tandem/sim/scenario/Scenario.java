package io.tandem.sim.scenario;

import io.tandem.core.replicaset.ReplicaSetConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A named, scripted run of a quiet three-node cluster that shows one thing about replication: the replica
 * set's configuration, the links that differ from the quiet default, the steps, when the run ends, and
 * what it shows, worked out from the run (so the numbers in the summary are the run's own).
 *
 * @param description one line for {@code tandem scenario list}
 * @param story       paragraphs for the transcript's header: what happens and what to look for
 * @param summary     paragraphs for the end of the transcript, from the run's facts
 * @param upstreams   cascading, by node number: follower -> the follower it streams from
 */
public record Scenario(
        String name,
        String description,
        List<String> story,
        ReplicaSetConfig config,
        List<Link> links,
        List<Step> steps,
        long endMicros,
        Function<ScenarioRun, List<String>> summary,
        Map<Integer, Integer> upstreams) {

    /** Every follower streams from n1. */
    public Scenario(String name, String description, List<String> story, ReplicaSetConfig config, List<Link> links,
            List<Step> steps, long endMicros, Function<ScenarioRun, List<String>> summary) {
        this(name, description, story, config, links, steps, endMicros, summary, Map.of());
    }

    /** The one-way latency of the link between nodes {@code a} and {@code b} (by number), both directions. */
    public record Link(int a, int b, long latencyMicros) {}

    public Scenario {
        story = List.copyOf(story);
        links = List.copyOf(links);
        steps = List.copyOf(steps);
        upstreams = Map.copyOf(upstreams);
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).atMicros() < steps.get(i - 1).lastMicros()) {
                throw new IllegalArgumentException(name + ": steps must be in time order, step " + i + " is not"
                        + " (it comes before the previous step is done)");
            }
        }
    }
}
