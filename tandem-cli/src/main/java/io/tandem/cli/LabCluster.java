package io.tandem.cli;

import io.tandem.server.net.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Three {@code tandem node} child processes on loopback for the fault lab: client ports ephemeral (each start
 * reads its port from the ready line), peer ports picked free up front (a restarted node must come back on
 * its own), one data directory and one log file ({@code nK.log}, stdout and stderr, kept across restarts, with
 * the lab's own markers) per node under {@code dir}. Faults: SIGKILL, SIGSTOP / SIGCONT, and, when the
 * cluster is proxied, partitions: every node then reaches each other node through its own route of a
 * {@link PeerProxy} ({@code --peers} name the routes' ports, never the real peer ports), so cutting one node
 * off is black-holing the four routes that start or end at it. Client ports are never proxied: a client
 * still reaches a node that the others cannot.
 */
final class LabCluster implements AutoCloseable {
    static final int SIZE = 3;
    private static final Pattern READY = Pattern.compile("tandem node listening on [^:\\s]+:(\\d+)");
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Path dir;
    private final List<String> jvmOptions;
    /** Per node, JVM options that replace {@link #jvmOptions} from its next start on; null: the shared ones. */
    private final List<String>[] ownJvmOptions = newOptionsArray();
    private final List<String> nodeOptions;
    private final int[] peerPorts = new int[SIZE];
    private final Process[] processes = new Process[SIZE];
    private final boolean[] paused = new boolean[SIZE];
    private final int[] clientPorts = new int[SIZE];
    private final List<Long> pids = new ArrayList<>();
    /** Null unless proxied; {@code routePorts[from][to]}: where node {@code from} dials node {@code to}. */
    private final PeerProxy proxy;
    private final int[][] routePorts = new int[SIZE][SIZE];
    /** The cut-off node's dropped-byte count when it was cut off (one partition at a time). */
    private long droppedBeforeCut;
    private boolean closed;

    /**
     * {@code nodeOptions}: the flags every node gets besides its identity, ports and data directory;
     * {@code proxied}: peer traffic goes through a {@link PeerProxy}, so that {@link #isolate} can cut a node off.
     */
    LabCluster(Path dir, List<String> jvmOptions, List<String> nodeOptions, boolean proxied) throws IOException {
        this.dir = dir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.nodeOptions = List.copyOf(nodeOptions);
        Files.createDirectories(dir);
        for (int i = 0; i < SIZE; i++) {
            peerPorts[i] = FreePorts.outsideEphemeralRange();
        }
        PeerProxy routes = proxied ? new PeerProxy() : null;
        try {
            // A route listens on an ephemeral port, a peer port lies outside that range: they cannot meet.
            for (int from = 0; routes != null && from < SIZE; from++) {
                for (int to = 0; to < SIZE; to++) {
                    if (from != to) { // a node's real port stays the same across restarts: routes outlive nodes
                        routePorts[from][to] = routes.addRoute(route(from, to),
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPorts[to]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (routes != null) {
                routes.close();
            }
            throw e;
        }
        proxy = routes;
    }

    @SuppressWarnings("unchecked")
    private static List<String>[] newOptionsArray() {
        return (List<String>[]) new List<?>[SIZE];
    }

    /** Node {@code index} starts with these JVM options instead of the shared ones from its next start on. */
    synchronized void jvmOptions(int index, List<String> options) {
        ownJvmOptions[index] = List.copyOf(options);
    }

    private static String route(int from, int to) {
        return name(from) + "->" + name(to);
    }

    static String name(int index) {
        return "n" + (index + 1);
    }

    static int index(String name) {
        return Integer.parseInt(name.substring(1)) - 1;
    }

    Path dir() {
        return dir;
    }

    Path dataDir(int index) {
        return dir.resolve(name(index));
    }

    Path logFile(int index) {
        return dir.resolve(name(index) + ".log");
    }

    /** Starts every node and waits until all serve. */
    void startAll() throws IOException {
        List<CompletableFuture<Integer>> ready = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            ready.add(launch(i));
        }
        for (int i = 0; i < SIZE; i++) {
            clientPorts[i] = awaitReady(i, ready.get(i));
        }
    }

    /** Starts node {@code index} again on its data directory (after a kill) and waits until it serves. */
    void restart(int index) throws IOException {
        clientPorts[index] = awaitReady(index, launch(index));
    }

    private synchronized CompletableFuture<Integer> launch(int index) throws IOException {
        if (closed) {
            throw new IOException("the lab is stopping");
        }
        String id = name(index);
        List<String> args = new ArrayList<>(List.of("--node-id", id, "--port", "0", "--admin-port", "-1",
                "--data-dir", dataDir(index).toString(), "--peer-port", Integer.toString(peerPorts[index])));
        List<String> peers = new ArrayList<>();
        for (int j = 0; j < SIZE; j++) {
            if (j != index) {
                peers.add(name(j) + "=127.0.0.1:" + (proxy != null ? routePorts[index][j] : peerPorts[j]));
            }
        }
        args.addAll(List.of("--peers", String.join(",", peers)));
        if (index > 0) {
            args.addAll(List.of("--replica-of", name(0)));
        }
        args.addAll(nodeOptions);
        List<String> command = NodeLauncher.command(ownJvmOptions[index] != null ? ownJvmOptions[index] : jvmOptions,
                args);
        mark(index, "starting: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes[index] = process;
        paused[index] = false;
        pids.add(process.pid());
        return pump(index, process);
    }

    private int awaitReady(int index, CompletableFuture<Integer> ready) throws IOException {
        try {
            return ready.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + name(index) + " started", e);
        } catch (Exception e) {
            throw new IOException(name(index) + " did not start within " + START_TIMEOUT_MILLIS / 1000 + " s ("
                    + e.getMessage() + "); see " + logFile(index), e);
        }
    }

    /** Copies the child's output to its log file; completes with its client port once it says it listens. */
    private CompletableFuture<Integer> pump(int index, Process process) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    append(index, line);
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            port.completeExceptionally(new IllegalStateException(name(index) + " exited before it served"));
        }, "lab-" + name(index) + "-output");
        thread.setDaemon(true);
        thread.start();
        return port;
    }

    /** Writes a line of the lab's own into the node's log, so its log reads alongside the faults. */
    void mark(int index, String text) {
        append(index, LocalTime.now() + " ==== lab: " + text);
    }

    private synchronized void append(int index, String line) {
        try (Writer out = Files.newBufferedWriter(logFile(index), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            // a log line lost is no reason to stop the lab
        }
    }

    /** The client port of a running node, or -1 while it is down. */
    synchronized int clientPort(int index) {
        Process p = processes[index];
        return p != null && p.isAlive() ? clientPorts[index] : -1;
    }

    synchronized long pid(int index) {
        return processes[index] == null ? -1 : processes[index].pid();
    }

    synchronized boolean isPaused(int index) {
        return paused[index];
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill9(int index) throws IOException, InterruptedException {
        Process p;
        synchronized (this) {
            p = processes[index];
        }
        mark(index, "kill -9 " + p.pid());
        p.destroyForcibly(); // SIGKILL on Linux
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException(name(index) + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGTERM, then waits up to {@code timeoutMillis} for the node to exit as it does on a clean stop (its log
     * synced, and whatever its JVM does at exit). Returns its exit code.
     */
    int stop(int index, long timeoutMillis) throws IOException, InterruptedException {
        Process p;
        synchronized (this) {
            p = processes[index];
        }
        mark(index, "kill -TERM " + p.pid());
        // kill(1), not Process#destroy: destroy also closes our ends of the child's pipes, and what the node
        // prints while it stops would then die of SIGPIPE (the JVM's AOT cache writer among it).
        signal(index, "TERM");
        if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IOException(name(index) + " (pid " + p.pid() + ") did not exit within " + timeoutMillis / 1000
                    + " s of SIGTERM; see " + logFile(index));
        }
        return p.exitValue();
    }

    /** SIGSTOP: the process stays, frozen (its sockets stay open, nothing answers). */
    void pause(int index) throws IOException, InterruptedException {
        mark(index, "kill -STOP " + pid(index));
        signal(index, "STOP");
        synchronized (this) {
            paused[index] = true;
        }
    }

    /** SIGCONT. */
    void resume(int index) throws IOException, InterruptedException {
        signal(index, "CONT");
        synchronized (this) {
            paused[index] = false;
        }
        mark(index, "kill -CONT " + pid(index));
    }

    private void signal(int index, String signal) throws IOException, InterruptedException {
        long pid = pid(index);
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + signal + " " + pid + " (" + name(index) + ") failed with " + exit);
        }
    }

    /**
     * Cuts node {@code index} off from the others: from now on no peer byte reaches it or leaves it (its
     * connections stay open and go silent, as in a real partition). Its client port still answers.
     */
    void isolate(int index) throws IOException {
        proxy().blackHole(routesOf(index));
        droppedBeforeCut = droppedBytes(index);
        for (int i = 0; i < SIZE; i++) {
            mark(i, "partition: " + name(index) + " cut off from the other nodes (its peer traffic dropped by the"
                    + " lab's proxy)");
        }
    }

    /** Ends {@link #isolate}: the silenced connections are closed, and the nodes' new ones forwarded. */
    void heal(int index) throws IOException {
        long dropped = droppedBytes(index) - droppedBeforeCut;
        proxy().heal(routesOf(index));
        for (int i = 0; i < SIZE; i++) {
            mark(i, "partition healed: " + name(index) + " reaches the other nodes again (" + dropped
                    + " bytes of its peer traffic were dropped)");
        }
    }

    /** The proxy's count of bytes dropped on node {@code index}'s routes, over the whole run. */
    private long droppedBytes(int index) throws IOException {
        long dropped = 0;
        for (String route : routesOf(index)) {
            dropped += proxy().stats(route).discardedBytes();
        }
        return dropped;
    }

    /** The routes that start or end at node {@code index}: all its peer traffic, both directions. */
    private static String[] routesOf(int index) {
        List<String> routes = new ArrayList<>();
        for (int other = 0; other < SIZE; other++) {
            if (other != index) {
                routes.add(route(index, other));
                routes.add(route(other, index));
            }
        }
        return routes.toArray(String[]::new);
    }

    private PeerProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("a partition needs the cluster's peer proxy (started without it)");
        }
        return proxy;
    }

    /** Deletes a lab's directory tree, nodes' data and logs (after close); one left behind is no failure. */
    static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is no failure
        }
    }

    /** Every pid this cluster ever started (restarts included). */
    synchronized List<Long> pids() {
        return List.copyOf(pids);
    }

    /** The lines of every rollback file under the nodes' data directories: entries rewound away. */
    long rolledBackEntries() throws IOException {
        long lines = 0;
        for (int i = 0; i < SIZE; i++) {
            Path rollback = dataDir(i).resolve("rollback");
            if (!Files.isDirectory(rollback)) {
                continue;
            }
            try (Stream<Path> files = Files.list(rollback)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                    try (Stream<String> content = Files.lines(file, StandardCharsets.UTF_8)) {
                        lines += content.filter(l -> !l.isBlank()).count();
                    }
                }
            }
        }
        return lines;
    }

    /**
     * Kills every node (SIGCONT first for a paused one, so nothing is left stopped) and waits for them, then
     * stops the proxy. Safe to call twice and from a signal handler.
     */
    @Override
    public void close() {
        List<Process> running = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Process p : processes) {
                if (p != null) {
                    running.add(p);
                }
            }
        }
        for (Process p : running) {
            if (p.isAlive()) {
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // SIGKILL works on a stopped process too
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                p.destroyForcibly();
            }
        }
        for (Process p : running) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (proxy != null) {
            proxy.close();
        }
    }
}
