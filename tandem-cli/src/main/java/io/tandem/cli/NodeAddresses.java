package io.tandem.cli;

import java.util.List;
import picocli.CommandLine;

/** Where an operator command finds the nodes: host, client ports and password (a picocli mixin). */
final class NodeAddresses {
    @CommandLine.Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;

    @CommandLine.Option(names = "--ports", split = ",", defaultValue = "7379,7380,7381",
            description = "Client ports of the nodes, comma-separated. Default: ${DEFAULT-VALUE} (those of 'tandem up').")
    List<Integer> ports;

    @CommandLine.Option(names = {"-a", "--password"}, description = "requirepass of the nodes, if set.")
    String password;
}
