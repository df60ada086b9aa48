package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.net.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem up}, the README's first command, as a user runs it: a child JVM that starts three node
 * processes, prints where they listen, and stops them all on SIGTERM; and its refusals of ports it cannot use,
 * which must come before any node starts.
 */
class UpProcessTest {
    private static final int NODES = 3;

    @TempDir
    Path tmp;

    private Process up;
    private final StringBuffer transcript = new StringBuffer();

    @AfterEach
    void stopUp() {
        if (up != null && up.isAlive()) {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }

    @Test
    void upStartsAReplicaSetThatReplicatesAndStopsOnSigterm() throws Exception {
        int port = freeUpPort();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", NodeLauncher.classpath(), TandemCommand.class.getName(), "up",
                "--port", Integer.toString(port), "--data-dir", tmp.resolve("up").toString()));
        up = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> table = readUntilStarted();

        for (int i = 0; i < NODES; i++) {
            String row = table.stream().filter(line -> line.startsWith("n")).toList().get(i);
            assertTrue(row.matches("n" + (i + 1) + "\\s+" + (i == 0 ? "leader" : "follower") + "\\s+127\\.0\\.0\\.1:"
                    + (port + i) + "\\s+http://127\\.0\\.0\\.1:" + (port + i + UpCommand.ADMIN_PORT_OFFSET)),
                    "row " + row + "\n" + transcript);
        }
        List<ProcessHandle> nodes = up.descendants().toList();
        assertEquals(NODES, nodes.size(), "node processes under tandem up: " + nodes);

        try (RespConnection leader = new RespConnection(port)) {
            assertTrue(RespConnection.isOk(leader.call("SET", "greeting", "hello")), transcript.toString());
        }
        for (int i = 1; i < NODES; i++) {
            int follower = port + i;
            Await.until(() -> {
                try (RespConnection conn = new RespConnection(follower)) {
                    return "hello".equals(conn.mget(List.of("greeting")).get(0));
                }
            }, "n" + (i + 1) + " serves the write made on n1", Duration.ofSeconds(30));
        }

        // Ctrl-C in a terminal; kill(1) rather than destroy(), which would close our end of its output.
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(up.pid())).start().waitFor());
        assertTrue(up.waitFor(60, TimeUnit.SECONDS), "tandem up still running 60 s after SIGTERM:\n" + transcript);
        for (ProcessHandle node : nodes) {
            node.onExit().get(30, TimeUnit.SECONDS); // throws TimeoutException if the node outlives tandem up
            assertFalse(node.isAlive(), "node " + node.pid() + " outlived tandem up");
        }
    }

    @Test
    void upRefusesATakenPortBeforeStartingAnyNode() throws Exception {
        int port = freeUpPort();
        int n2PeerPort = port + 1 + UpCommand.PEER_PORT_OFFSET;
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), n2PeerPort));
            CliRun cli = new CliRun();
            Path data = tmp.resolve("up");
            assertEquals(2, cli.tandem("up", "--port", Integer.toString(port), "--data-dir", data.toString()));
            assertTrue(cli.err.toString().contains("n2's peer port " + n2PeerPort + " is already in use"),
                    cli.err.toString());
            assertFalse(Files.exists(data), "no node was to be started, yet its data directory was made");
        }
    }

    @Test
    void upRefusesPeerPortsInTheEphemeralRange() {
        int[] ephemeral = FreePorts.ephemeralRange();
        // n1's peer port is the first port of the range.
        int port = ephemeral[0] - UpCommand.PEER_PORT_OFFSET;
        CliRun cli = new CliRun();
        Path data = tmp.resolve("up");
        assertEquals(2, cli.tandem("up", "--port", Integer.toString(port), "--data-dir", data.toString()));
        String expected = "n1's peer port " + ephemeral[0] + " (--port + " + UpCommand.PEER_PORT_OFFSET
                + ") is in the kernel's ephemeral range " + ephemeral[0] + "-" + ephemeral[1];
        assertTrue(cli.err.toString().contains(expected), cli.err.toString());
        assertTrue(cli.err.toString().contains("choose --port " + (ephemeral[0] - NODES - UpCommand.PEER_PORT_OFFSET)
                + " or lower"), cli.err.toString());
        assertFalse(Files.exists(data));
    }

    /** Reads tandem up's output until it says how to stop it; returns every line read. */
    private List<String> readUntilStarted() throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
        List<String> read = new ArrayList<>();
        Thread pump = new Thread(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    transcript.append(line).append('\n');
                    synchronized (read) {
                        read.add(line);
                    }
                }
            } catch (IOException e) {
                transcript.append("<read failed: ").append(e).append(">\n");
            }
        }, "tandem-up-output");
        pump.setDaemon(true);
        pump.start();
        Await.until(() -> {
            synchronized (read) {
                return read.contains("Stop with Ctrl-C.");
            }
        }, "tandem up prints its table", Duration.ofSeconds(90));
        synchronized (read) {
            return new ArrayList<>(read);
        }
    }

    /**
     * A client port for tandem up whose nine ports (client, admin and peer of three nodes) are all free, with
     * the peer ports below the ephemeral range as tandem up requires.
     */
    private static int freeUpPort() {
        int highest = FreePorts.ephemeralRange()[0] - NODES - UpCommand.PEER_PORT_OFFSET;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(2_000, highest + 1);
            if (UpPorts.problem(port, NODES, UpCommand.ADMIN_PORT_OFFSET, UpCommand.PEER_PORT_OFFSET) == null) {
                return port;
            }
        }
        throw new IllegalStateException("no free port for tandem up below " + highest);
    }
}
