package io.tandem.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem up}: the main job, a local replica set of three node processes (n1 leads, n2 and n3
 * follow) on consecutive ports. Prints where each listens, forwards their logs with a node prefix, and
 * stops them all on Ctrl-C or SIGTERM.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start a local 3-node Tandem replica set in the foreground and print where it listens"
                + " (Ctrl-C stops it).")
public final class UpCommand implements java.util.concurrent.Callable<Integer> {
    /** A node's admin port is its client port + this (the node's own default: 7379 -> 17379). */
    static final int ADMIN_PORT_OFFSET = 10_000;
    /** A node's peer port is its client port + this. */
    static final int PEER_PORT_OFFSET = 20_000;
    private static final Pattern READY = Pattern.compile("tandem node listening on (\\S+):(\\d+)");

    @CommandLine.Option(names = "--port", paramLabel = "PORT", defaultValue = "7379",
            description = "Client port of n1; n2 and n3 take the next two. Default: ${DEFAULT-VALUE}.")
    int port;

    @CommandLine.Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "How many nodes (1 to 7). Default: ${DEFAULT-VALUE}.")
    int nodes;

    @CommandLine.Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".tandem",
            description = "Directory holding each node's data directory. Default: ${DEFAULT-VALUE}.")
    String dataDir;

    @CommandLine.Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "batch",
            description = "always | batch | everysec | never. Default: ${DEFAULT-VALUE}.")
    String fsync;

    @CommandLine.Option(names = "--ack-policy", paramLabel = "POLICY", defaultValue = "async",
            description = "async | semi-sync K | quorum | all | first K (..) | any K (..). Default: ${DEFAULT-VALUE}.")
    String ackPolicy;

    @CommandLine.Option(names = "--cascade", description = "Cascading: the last node streams from n2 (which relays)"
            + " instead of from n1. Needs 3 nodes or more.")
    boolean cascade;

    @CommandLine.Option(names = "--election-timeout-millis", paramLabel = "MS", defaultValue = "500",
            description = "Automatic failover: members elect a new leader after this long without one (the fault"
                    + " lab measured a median of 0.7 s from kill -9 to the first write acknowledged by the new"
                    + " leader with 500). 0: failover by hand (REPLICAOF NO ONE). Default: ${DEFAULT-VALUE}.")
    long electionTimeoutMillis;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final List<Process> children = new ArrayList<>();

    /** Node i's admin port (0-based i). */
    private int adminPort(int index) {
        return port + index + ADMIN_PORT_OFFSET;
    }

    /** Node i's peer port (0-based i). */
    private int peerPort(int index) {
        return port + index + PEER_PORT_OFFSET;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 1 || nodes > 7) {
            err.println("tandem up: --nodes must be between 1 and 7, got " + nodes);
            return 2;
        }
        if (cascade && nodes < 3) {
            err.println("tandem up: --cascade needs 3 nodes or more (n1 leads, n2 relays), got " + nodes);
            return 2;
        }
        if (port < 1 || peerPort(nodes - 1) > 65535) {
            err.println("tandem up: --port " + port + " leaves no room for " + nodes + " nodes and their"
                    + " peer ports (port + " + PEER_PORT_OFFSET + ")");
            return 2;
        }
        String portProblem = UpPorts.problem(port, nodes, ADMIN_PORT_OFFSET, PEER_PORT_OFFSET);
        if (portProblem != null) {
            err.println("tandem up: " + portProblem);
            return 2;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "tandem-up-stop"));
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Process child = start(i);
            children.add(child);
            CompletableFuture<String> ready = forward(child, "n" + (i + 1));
            String where;
            try {
                where = ready.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("tandem up: n" + (i + 1) + " did not start: " + e.getMessage());
                stopAll();
                return 1;
            }
            rows.add(String.format("%-6s %-9s %-22s %s", "n" + (i + 1), i == 0 ? "leader" : "follower", where,
                    "http://127.0.0.1:" + adminPort(i)));
        }
        System.out.println();
        System.out.printf("%-6s %-9s %-22s %s%n", "NODE", "ROLE", "CLIENT", "ADMIN");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("Try: redis-cli -p " + port + " SET greeting hello; redis-cli -p " + (port + 1)
                + " GET greeting");
        if (electionTimeoutMillis > 0) {
            System.out.println("Elections are on: the roles above are the starting ones (a restarted node follows"
                    + " whoever leads); ask any node with redis-cli ROLE.");
            if (cascade) {
                System.out.println("With elections, n" + nodes + " streams from n2 only until the first election;"
                        + " add --election-timeout-millis 0 to keep the chain through failovers.");
            }
        }
        System.out.println("Stop with Ctrl-C.");
        System.out.flush();
        for (Process child : children) {
            child.waitFor();
        }
        return 0;
    }

    private Process start(int index) throws IOException {
        String id = "n" + (index + 1);
        Path dir = Path.of(dataDir, id);
        Files.createDirectories(dir);
        List<String> peers = new ArrayList<>();
        for (int j = 0; j < nodes; j++) {
            if (j != index) {
                peers.add("n" + (j + 1) + "=127.0.0.1:" + peerPort(j));
            }
        }
        List<String> command = NodeLauncher.command(NodeLauncher.inheritedJvmOptions(), List.of(
                "--node-id", id, "--port", Integer.toString(port + index),
                "--admin-port", Integer.toString(adminPort(index)),
                "--peer-port", Integer.toString(peerPort(index)), "--data-dir", dir.toString(),
                "--fsync", fsync, "--ack-policy", ackPolicy, "--election-timeout-millis",
                Long.toString(electionTimeoutMillis)));
        if (!peers.isEmpty()) {
            command.addAll(List.of("--peers", String.join(",", peers)));
        }
        if (index > 0) {
            command.addAll(List.of("--replica-of", "n1"));
        }
        if (cascade && index == nodes - 1) {
            command.addAll(List.of("--upstream", "n2"));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Copies a child's output with a prefix; completes with host:port once it says it listens. */
    private static CompletableFuture<String> forward(Process child, String name) {
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(m.group(1) + ":" + m.group(2));
                    } else {
                        System.err.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the child is gone; its exit is reported below
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited with " + exitCode(child)));
        }, "tandem-up-" + name);
        pump.setDaemon(true);
        pump.start();
        return ready;
    }

    private static String exitCode(Process child) {
        try {
            return Integer.toString(child.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** SIGTERM to every node (each closes cleanly), then wait for them. */
    private void stopAll() {
        for (Process child : children) {
            child.toHandle().destroy(); // SIGTERM, keeping our end of its output open for its last lines
        }
        for (Process child : children) {
            try {
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
