package io.tandem.sim.scenario;

import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.sim.sim.SimClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of a scenario run, as {@code tandem scenario run} prints it and the golden files hold it: a header
 * (what the scenario is, the cluster, links and disks), the timeline, and what the run shows.
 */
public final class Transcript {
    static final int WIDTH_CHARS = 100;

    private Transcript() {}

    public static String of(Scenario scenario, ScenarioRun run) {
        StringBuilder text = new StringBuilder();
        String title = "Scenario " + scenario.name();
        text.append(title).append('\n').append("=".repeat(title.length())).append("\n\n");
        wrap(text, scenario.description(), "");
        text.append('\n');
        for (String paragraph : scenario.story()) {
            wrap(text, paragraph, "");
            text.append('\n');
        }
        cluster(text, scenario);
        text.append("\nTimeline (simulated time since the nodes started)\n\n");
        for (TimelineLine line : run.timeline()) {
            text.append(String.format("%12s  %-6s %s%n", Millis.of(line.timeMicros()), line.who(), line.what()));
        }
        text.append("\nWhat this shows\n\n");
        for (String paragraph : scenario.summary().apply(run)) {
            wrap(text, paragraph, "- ");
        }
        return text.toString();
    }

    private static void cluster(StringBuilder text, Scenario scenario) {
        ReplicaSetConfig config = scenario.config();
        List<NodeId> ids = new ArrayList<>(config.members().keySet());
        ids.sort(null);
        List<String> members = new ArrayList<>();
        for (NodeId id : ids) {
            MemberConfig member = config.member(id);
            String role = members.isEmpty() ? "leader" : "follower";
            members.add(id + " (" + role + (member.applyDelayMillis() > 0 ? ", applies each entry "
                    + member.applyDelayMillis() + " ms after it was written" : "") + ")");
        }
        text.append("Cluster:  ").append(String.join(", ", members)).append('\n');
        text.append("Policy:   ack ").append(config.ackPolicy()).append(" at level ").append(config.ackLevel())
                .append(", timeout ").append(config.ackTimeoutMillis()).append(" ms, heartbeats every ")
                .append(config.heartbeatIntervalMillis()).append(" ms")
                .append(config.elections() ? ", automatic failover (election timeout " + config.electionTimeoutMillis()
                        + " ms)" : "").append('\n');
        List<String> links = new ArrayList<>();
        for (int a = 1; a <= ids.size(); a++) {
            for (int b = a + 1; b <= ids.size(); b++) {
                links.add("n" + a + "-n" + b + " " + Millis.of(latencyMicros(scenario, a, b)));
            }
        }
        text.append("Network:  one way ").append(String.join(", ", links))
                .append("; client to any node ").append(Millis.of(SimClient.HOP_MIN_MICROS)).append(" to ")
                .append(Millis.of(SimClient.HOP_MIN_MICROS + SimClient.HOP_SPREAD_MICROS)).append('\n');
        text.append("Disks:    a write takes ").append(Millis.of(QuietCluster.DISK_WRITE_MICROS)).append(", an fsync ")
                .append(Millis.of(QuietCluster.FSYNC_MICROS)).append('\n');
    }

    private static long latencyMicros(Scenario scenario, int a, int b) {
        for (Scenario.Link link : scenario.links()) {
            if ((link.a() == a && link.b() == b) || (link.a() == b && link.b() == a)) {
                return link.latencyMicros();
            }
        }
        return QuietCluster.LINK_LATENCY_MICROS;
    }

    /** Appends a paragraph wrapped at WIDTH_CHARS, the first line after {@code bullet}, the rest indented under it. */
    private static void wrap(StringBuilder text, String paragraph, String bullet) {
        String indent = " ".repeat(bullet.length());
        StringBuilder line = new StringBuilder(bullet);
        for (String word : paragraph.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH_CHARS) {
                text.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        text.append(line).append('\n');
    }
}
