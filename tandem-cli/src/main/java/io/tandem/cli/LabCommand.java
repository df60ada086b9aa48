package io.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem lab}: fault labs on real node processes. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Fault labs on real node processes on this machine (see 'tandem lab failover --help').",
        subcommands = {FailoverLabCommand.class})
public final class LabCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
