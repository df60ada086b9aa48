package io.tandem.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem failover --to NODE}: a planned switchover. Finds the leader and the target's client address
 * from the nodes' INFO, sends the leader {@code FAILOVER TO host port [TIMEOUT ms] [FORCE]} (it stops taking
 * writes, waits until the target holds its whole log, and hands leadership over), then waits until the
 * target reports that it leads. Nothing acknowledged is lost.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Hand leadership to another member, losing nothing (Redis's FAILOVER, run on the leader).")
public final class FailoverCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--to", paramLabel = "NODE", description = "The member to lead (e.g. n2); default:"
            + " the most current replica.")
    String to;

    @CommandLine.Option(names = "--timeout-millis", defaultValue = "10000",
            description = "How long the target may take to catch up (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @CommandLine.Option(names = "--force", description = "Hand over at the timeout even if the target has not caught"
            + " up (it may lose the writes it lacks).")
    boolean force;

    @CommandLine.Mixin
    NodeAddresses nodes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (timeoutMillis < 1 || timeoutMillis > 3_600_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-millis must be between 1 and"
                    + " 3600000, got " + timeoutMillis);
        }
        if (force && to == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--force needs --to");
        }
        Integer leaderPort = null;
        String leaderId = null;
        Integer targetPort = null;
        for (int port : nodes.ports) {
            Map<String, String> info;
            try {
                info = NodeClient.info(nodes.host, port, nodes.password);
            } catch (IOException e) {
                out.println("  " + nodes.host + ":" + port + " unreachable: " + e.getMessage());
                continue;
            }
            String id = info.getOrDefault("tandem_node_id", "?");
            if ("master".equals(info.get("role"))) {
                leaderPort = port;
                leaderId = id;
            }
            if (id.equals(to)) {
                targetPort = port;
            }
        }
        if (leaderPort == null) {
            spec.commandLine().getErr().println("tandem failover: no node on " + nodes.host + " " + nodes.ports + " leads now");
            return 1;
        }
        if (to != null && targetPort == null) {
            spec.commandLine().getErr().println("tandem failover: no node on " + nodes.host + " " + nodes.ports + " is " + to);
            return 1;
        }
        if (to != null && to.equals(leaderId)) {
            out.println(to + " already leads");
            return 0;
        }
        List<String> command = new ArrayList<>(List.of("FAILOVER"));
        if (to != null) {
            command.addAll(List.of("TO", nodes.host, Integer.toString(targetPort)));
        }
        command.addAll(List.of("TIMEOUT", Long.toString(timeoutMillis)));
        if (force) {
            command.add("FORCE");
        }
        try {
            NodeClient.command(nodes.host, leaderPort, nodes.password, command.toArray(String[]::new));
        } catch (IOException e) {
            spec.commandLine().getErr().println("tandem failover: " + leaderId + " refused: " + e.getMessage());
            return 1;
        }
        out.println(leaderId + " stops taking writes and hands leadership to " + (to == null ? "its most current replica"
                : to) + " once it holds the whole log...");
        out.flush();
        long deadline = System.nanoTime() + (timeoutMillis + 10_000) * 1_000_000;
        while (System.nanoTime() < deadline) {
            for (int port : nodes.ports) {
                try {
                    Map<String, String> info = NodeClient.info(nodes.host, port, nodes.password);
                    String id = info.getOrDefault("tandem_node_id", "?");
                    if ("master".equals(info.get("role")) && !id.equals(leaderId) && (to == null || id.equals(to))) {
                        out.println(id + " leads term " + info.getOrDefault("tandem_term", "?") + "; " + leaderId
                                + " follows it");
                        return 0;
                    }
                } catch (IOException e) {
                    // a node may be busy changing roles: ask again
                }
            }
            try {
                Map<String, String> old = NodeClient.info(nodes.host, leaderPort, nodes.password);
                if ("master".equals(old.get("role")) && "no-failover".equals(old.get("master_failover_state"))) {
                    spec.commandLine().getErr().println("tandem failover: " + leaderId + " gave the switchover up"
                            + " (see its log for why) and leads on");
                    return 1;
                }
            } catch (IOException e) {
                // the old leader may be busy: ask again
            }
            Thread.sleep(50); // polling a remote state change; nothing to wait on locally
        }
        spec.commandLine().getErr().println("tandem failover: no new leader within " + (timeoutMillis + 10_000) + " ms");
        return 1;
    }
}
