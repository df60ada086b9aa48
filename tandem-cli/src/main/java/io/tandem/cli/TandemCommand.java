package io.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command: the entry point of the distribution. */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = TandemCommand.Version.class,
        description = {
            "Tandem: a replicated key-value database that speaks the Redis protocol.",
            "",
            "Start a local cluster with 'tandem up', then talk to it with redis-cli or any Redis client."
        },
        subcommands = {UpCommand.class, NodeCommand.class, StatusCommand.class, ScenarioCommand.class,
            SimCommand.class, FailoverCommand.class, LabCommand.class, AotCommand.class, CommandLine.HelpCommand.class})
public final class TandemCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        Logging.configure();
        // Netty samples buffer allocations for leak reports by default, capturing stack traces on the hot
        // path (1-3% of the node's CPU under load). Tests keep the default; -Dio.netty.leakDetection.level
        // overrides this.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        CommandLine commandLine = new CommandLine(new TandemCommand());
        NodeCommand.withConfigOptions(commandLine.getSubcommands().get("node").getCommandSpec());
        int exit = commandLine
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("tandem: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        System.exit(exit);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tandem " + io.tandem.server.session.SessionCommands.TANDEM_VERSION
                    + " (Redis protocol " + io.tandem.server.session.SessionCommands.REDIS_VERSION + ")"};
        }
    }
}
