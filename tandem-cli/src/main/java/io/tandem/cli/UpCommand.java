package io.tandem.cli;

import io.tandem.server.config.ConfigException;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem up}: the main job. For now it starts one node (client port 7379, admin port 17379, data
 * in ./.tandem/n1) and prints where it listens; replication will turn this into a local cluster.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start a local Tandem deployment in the foreground and print where it listens (Ctrl-C stops it).")
public final class UpCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--port", paramLabel = "PORT", defaultValue = "7379",
            description = "Client port of the first node. Default: ${DEFAULT-VALUE}.")
    int port;

    @CommandLine.Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".tandem",
            description = "Directory holding each node's data directory. Default: ${DEFAULT-VALUE}.")
    String dataDir;

    @CommandLine.Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "batch",
            description = "always | batch | everysec | never. Default: ${DEFAULT-VALUE}.")
    String fsync;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("port", Integer.toString(port));
        flags.put("data-dir", dataDir + "/n1");
        flags.put("fsync", fsync);
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(flags, System.getenv(), null);
        } catch (ConfigException e) {
            System.err.println("tandem up: " + e.getMessage());
            return 2;
        }
        return NodeCommand.runUntilStopped(config, () -> {
            System.out.println();
            System.out.printf("%-6s %-8s %-22s %s%n", "NODE", "ROLE", "CLIENT", "ADMIN");
            System.out.printf("%-6s %-8s %-22s %s%n", "n1", "leader", config.bind() + ":" + port,
                    config.adminPort() >= 0 ? "http://" + config.bind() + ":" + config.adminPort() : "-");
            System.out.println();
            System.out.println("Try: redis-cli -p " + port + " SET greeting hello");
            System.out.println("Stop with Ctrl-C.");
            System.out.flush();
        });
    }
}
