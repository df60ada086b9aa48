package io.tandem.cli;

import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
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
    @CommandLine.Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;

    @CommandLine.Option(names = "--ports", split = ",", defaultValue = "7379,7380,7381",
            description = "Client ports of the nodes, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<Integer> ports;

    @CommandLine.Option(names = {"-a", "--password"}, description = "requirepass of the nodes, if set.")
    String password;

    @Override
    public Integer call() {
        System.out.printf("%-6s %-22s %-9s %-5s %-10s %-10s %-10s %-12s %s%n", "NODE", "CLIENT", "ROLE", "TERM",
                "LAST LSN", "APPLIED", "COMMIT", "LAG", "STATE");
        int unreachable = 0;
        for (int port : ports) {
            String address = host + ":" + port;
            Map<String, String> info;
            try {
                info = info(host, port);
            } catch (IOException e) {
                System.out.printf("%-6s %-22s %-9s %s%n", "?", address, "-", "unreachable: " + e.getMessage());
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
            System.out.printf("%-6s %-22s %-9s %-5s %-10d %-10d %-10s %-12s %s%n", info.getOrDefault("tandem_node_id", "?"),
                    address, leader ? "leader" : "follower", info.getOrDefault("tandem_term", "?"), last, applied,
                    info.getOrDefault("tandem_commit_lsn", "?"), lag, state);
        }
        return unreachable == 0 ? 0 : 1;
    }

    private Map<String, String> info(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(5000);
            RespCommandWriter out = new RespCommandWriter(socket.getOutputStream());
            RespValueReader in = new RespValueReader(socket.getInputStream());
            if (password != null) {
                out.write("AUTH", password);
                out.flush();
                RespValue auth = in.read();
                if (auth instanceof RespValue.Error error) {
                    throw new IOException(error.text());
                }
            }
            out.write("INFO", "replication");
            out.flush();
            RespValue reply = in.read();
            if (reply instanceof RespValue.Error error) {
                throw new IOException(error.text());
            }
            String text = reply instanceof RespValue.Bulk bulk ? new String(bulk.bytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : reply.toString();
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            return fields;
        }
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
