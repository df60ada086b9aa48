package io.tandem.cli;

import io.tandem.server.net.FreePorts;

/**
 * Checks, before {@code tandem up} starts anything, the ports its nodes will listen on: node i (0-based)
 * takes client port {@code port + i}, admin port {@code port + i + adminOffset} and peer port
 * {@code port + i + peerOffset}. A port already taken would otherwise surface as one node failing to start
 * after the others did.
 *
 * <p>Peer ports are also kept out of the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default). That range is where the kernel
 * picks the local end of outgoing connections, and the nodes connect to each other while the later ones are
 * still starting: seen once with {@code --port 29379}, n2's peer port 49380 had been handed to a connection
 * for a moment and n2 could not listen on it. A port free now can be taken that way a second later, so a
 * check cannot make such a port safe; the ports are refused instead.
 */
final class UpPorts {
    private static final String[] ROLES = {"client", "admin", "peer"};

    private UpPorts() {}

    /** Null when every port is usable, else a sentence naming the first port that is not and what to do. */
    static String problem(int port, int nodes, int adminOffset, int peerOffset) {
        int[] ephemeral = FreePorts.ephemeralRange();
        for (int i = 0; i < nodes; i++) {
            int peerPort = port + i + peerOffset;
            if (peerPort >= ephemeral[0] && peerPort <= ephemeral[1]) {
                // Worked example with the default range: the highest peer port, port + nodes - 1 + peerOffset,
                // must stay below 32768, so with 3 nodes and offset 20000, --port 12765 at most.
                int highestPort = ephemeral[0] - nodes - peerOffset;
                return "n" + (i + 1) + "'s peer port " + peerPort + " (--port + " + peerOffset + ") is in the"
                        + " kernel's ephemeral range " + ephemeral[0] + "-" + ephemeral[1] + ", where outgoing"
                        + " connections take their ports; "
                        + (highestPort >= 1 ? "choose --port " + highestPort + " or lower"
                                : "start the nodes with tandem node and explicit --peer-port instead");
            }
        }
        for (int i = 0; i < nodes; i++) {
            int[] ports = {port + i, port + i + adminOffset, port + i + peerOffset};
            for (int r = 0; r < ports.length; r++) {
                if (!FreePorts.bindable(ports[r])) {
                    return "n" + (i + 1) + "'s " + ROLES[r] + " port " + ports[r] + " is already in use (another"
                            + " tandem up, or another server?); stop it or choose another --port";
                }
            }
        }
        return null;
    }
}
