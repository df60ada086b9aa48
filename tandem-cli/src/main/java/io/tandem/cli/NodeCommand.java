package io.tandem.cli;

import io.tandem.server.TandemNode;
import io.tandem.server.config.ConfigException;
import io.tandem.server.config.ConfigKey;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code tandem node}: runs one node in the foreground until Ctrl-C or SIGTERM. Every configuration key
 * is a flag (--port, --data-dir, --fsync, ...); flags override TANDEM_* environment variables, which
 * override the --config file.
 */
@Command(name = "node", description = "Run one Tandem node in the foreground (stop it with Ctrl-C or SIGTERM).",
        mixinStandardHelpOptions = true)
public final class NodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--config", paramLabel = "FILE",
            description = "Config file: one 'key value' per line, Redis style (see docs/configuration.md).")
    Path configFile;

    /** Adds a --key option for every configuration key, documented with its default. */
    static CommandSpec withConfigOptions(CommandSpec spec) {
        for (ConfigKey key : ConfigKey.all()) {
            spec.addOption(OptionSpec.builder(key.flag())
                    .paramLabel(key.name().toUpperCase().replace('-', '_'))
                    .type(String.class)
                    .description(key.description() + " Default: "
                            + (key.defaultValue().isEmpty() ? "(none)" : key.defaultValue()) + ".")
                    .build());
        }
        return spec;
    }

    static Map<String, String> flagValues(CommandSpec spec) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.all()) {
            OptionSpec option = spec.findOption(key.flag());
            if (option != null && option.getValue() != null) {
                flags.put(key.name(), option.getValue());
            }
        }
        return flags;
    }

    @Override
    public Integer call() throws Exception {
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(flagValues(spec), System.getenv(), configFile);
        } catch (ConfigException e) {
            System.err.println("tandem node: " + e.getMessage());
            return 2;
        }
        return runUntilStopped(config, null);
    }

    /**
     * Starts a node, prints where it listens, and blocks until Ctrl-C, SIGTERM, SHUTDOWN or a fatal error
     * stops it. SIGINT and SIGTERM close the node and return normally, so a clean stop exits with 0 (as
     * redis-server does) and the node's last log lines are written; the shutdown hook is a fallback for
     * other ways the JVM exits.
     */
    static int runUntilStopped(NodeConfig config, Runnable afterStart) throws Exception {
        TandemNode node = TandemNode.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "tandem-shutdown"));
        Signals.onTerminate(node::close);
        System.out.println("tandem node listening on " + config.bind() + ":" + node.port()
                + (node.adminPort() >= 0 ? "  admin http://" + config.bind() + ":" + node.adminPort() : "")
                + "  fsync " + config.fsync().configName() + "  data " + config.dataDir().toAbsolutePath());
        System.out.flush();
        if (afterStart != null) {
            afterStart.run();
        }
        Throwable cause = node.terminated().get();
        Logging.shutdown();
        if (cause != null) {
            System.err.println("tandem node stopped: " + cause);
            return 1;
        }
        return 0;
    }
}
