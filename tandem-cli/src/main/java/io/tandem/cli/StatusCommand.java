package io.tandem.cli;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem status}: the replication table of a running replica set, like patronictl list: one row
 * per node with its role, term, log positions and lag, read from each node's INFO over the client port.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the replication table of a running replica set (default: the nodes of 'tandem up').")
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Mixin
    NodeAddresses nodes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.printf("%-6s %-22s %-9s %-5s %-10s %-10s %-10s %-12s %-24s %s%n", "NODE", "CLIENT", "ROLE", "TERM",
                "LAST LSN", "APPLIED", "COMMIT", "LAG", "ACK POLICY / LEVEL", "STATE");
        int unreachable = 0;
        for (int port : nodes.ports) {
            String address = nodes.host + ":" + port;
            Map<String, String> info;
            try {
                info = NodeClient.info(nodes.host, port, nodes.password);
            } catch (IOException e) {
                out.printf("%-6s %-22s %-9s %s%n", "?", address, "-", "unreachable: " + e.getMessage());
                unreachable++;
                continue;
            }
            boolean leader = "master".equals(info.get("role"));
            long last = number(info.get("master_repl_offset"));
            long applied = number(info.get("tandem_applied_lsn"));
            String lag = leader ? "-" : (last - applied) + " / " + info.getOrDefault("tandem_staleness_ms", "?") + "ms";
            String followers = info.getOrDefault("connected_slaves", "0");
            String state = leader ? followers + (followers.equals("1") ? " follower" : " followers") + " online"
                    + ("1".equals(info.get("tandem_degraded")) ? ", DEGRADED" : "")
                    : "link " + info.getOrDefault("master_link_status", "?") + " to "
                            + info.getOrDefault("tandem_leader", "?");
            // Each node's own settings (CONFIG SET changes one node): a follower's apply when it leads.
            String ack = info.getOrDefault("tandem_ack_policy", "?") + " / "
                    + info.getOrDefault("tandem_ack_level", "?");
            out.printf("%-6s %-22s %-9s %-5s %-10d %-10d %-10s %-12s %-24s %s%n",
                    info.getOrDefault("tandem_node_id", "?"), address, leader ? "leader" : "follower",
                    info.getOrDefault("tandem_term", "?"), last, applied, info.getOrDefault("tandem_commit_lsn", "?"),
                    lag, ack, state);
        }
        out.flush();
        return unreachable == 0 ? 0 : 1;
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
