package io.tandem.cli;

import io.tandem.server.net.FreePorts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of a three-node replica set of child processes on loopback: n1 leads, n2 and n3 follow it. Client
 * ports are ephemeral ({@link NodeProcess} passes {@code --port 0}); peer ports are picked free up front
 * ({@link FreePorts}: outside the ephemeral range), since every node must know the others' before any starts.
 * A node started again gets the same flags, hence the same peer port, as the others expect.
 */
final class ReplicaSetArgs {
    static final int SIZE = 3;

    private final int[] peerPorts = new int[SIZE];

    ReplicaSetArgs() throws IOException {
        for (int i = 0; i < SIZE; i++) {
            peerPorts[i] = FreePorts.outsideEphemeralRange();
        }
    }

    static String name(int index) {
        return "n" + (index + 1);
    }

    /** The flags of node {@code index} (0 is n1, the leader), then {@code extra}. */
    String[] node(int index, String... extra) {
        List<String> args = new ArrayList<>(List.of("--node-id", name(index), "--peer-port",
                Integer.toString(peerPorts[index])));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            if (i != index) {
                peers.add(name(i) + "=127.0.0.1:" + peerPorts[i]);
            }
        }
        args.addAll(List.of("--peers", String.join(",", peers)));
        if (index > 0) {
            args.addAll(List.of("--replica-of", name(0)));
        }
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }
}
