package io.tandem.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tandem node} running as a child JVM on the test classpath. Its stdout and stderr are read by two
 * threads into one transcript (kept after the process is gone, so a failing test can print it), and the
 * port is taken from the "tandem node listening on HOST:PORT" line.
 */
final class NodeProcess {
    private static final Pattern READY = Pattern.compile("tandem node listening on [^:\\s]+:(\\d+)");
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final StringBuffer transcript = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final List<Thread> pumps = new ArrayList<>();

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        pumps.add(pump(process.getInputStream(), "out", true));
        pumps.add(pump(process.getErrorStream(), "err", false));
    }

    /**
     * Launches {@code tandem node --port 0 --admin-port -1 --data-dir DIR ARGS...} without waiting for it.
     * The child's heap is capped so that several tests' nodes fit on a small machine.
     */
    static NodeProcess launch(String name, Path dataDir, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-Xss1m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", testClasspath(), TandemCommand.class.getName(), "node",
                "--port", "0", "--admin-port", "-1", "--data-dir", dataDir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        return new NodeProcess(name, process);
    }

    /** Launches a node and waits until it serves. */
    static NodeProcess start(String name, Path dataDir, String... args) throws IOException {
        NodeProcess node = launch(name, dataDir, args);
        node.awaitReady();
        return node;
    }

    /**
     * Surefire may run tests from a manifest-only booter jar; its "surefire.test.class.path" holds the real
     * entries. Either works as a child's -cp, the explicit list is just more readable in ps.
     */
    private static String testClasspath() {
        String explicit = System.getProperty("surefire.test.class.path");
        return explicit != null && !explicit.isBlank() ? explicit : System.getProperty("java.class.path");
    }

    private Thread pump(InputStream in, String stream, boolean watchForReady) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    transcript.append('[').append(name).append(' ').append(stream).append("] ").append(line)
                            .append('\n');
                    if (!watchForReady) {
                        stderr.append(line).append('\n');
                    }
                    Matcher m = READY.matcher(line);
                    if (watchForReady && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                transcript.append('[').append(name).append(' ').append(stream).append("] <read failed: ")
                        .append(e).append(">\n");
            } finally {
                if (watchForReady) {
                    port.completeExceptionally(new IllegalStateException(name + ": stdout ended before the ready line"));
                }
            }
        }, "node-" + name + "-" + stream);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the ready line; fails with the transcript if the node exits or takes too long. */
    int awaitReady() {
        try {
            return port.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            destroyForcibly();
            throw new AssertionError(name + " did not become ready within " + START_TIMEOUT + " ("
                    + e.getMessage() + "); output:\n" + transcript(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    int port() {
        return awaitReady();
    }

    /** SIGKILL (destroyForcibly on Linux), then waits for the process to be gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGTERM, then waits for the exit and fails unless it was clean: the node handles SIGTERM itself,
     * closes, and exits with 0 as redis-server does. The signal is sent with kill(1), not
     * Process.destroy(), because destroy() also closes this side's pipes, and the node's last log lines
     * ("Tandem stopped") would be lost to the transcript.
     */
    void stop() throws InterruptedException {
        try {
            int killed = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            if (killed != 0) {
                throw new AssertionError("kill -TERM " + process.pid() + " failed with " + killed);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill(1)", e);
        }
        int exit = awaitExit(Duration.ofSeconds(30));
        if (exit != 0) {
            throw new AssertionError(name + " exited with " + exit + " after SIGTERM; output:\n" + transcript());
        }
    }

    /** Waits for the process to exit by itself and returns its code; kills it and fails after the timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            destroyForcibly();
            throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + transcript());
        }
        joinPumps();
        return process.exitValue();
    }

    void destroyForcibly() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Once the process is gone, its streams end; wait briefly so the transcript is complete. */
    private void joinPumps() throws InterruptedException {
        for (Thread t : pumps) {
            t.join(5_000);
        }
    }

    String name() {
        return name;
    }

    /** Everything the child printed so far, each line tagged with the node name and stream. */
    String transcript() {
        return transcript.toString();
    }

    /** Only what the child printed on stderr (its log). */
    String stderr() {
        return stderr.toString();
    }

    /**
     * Waits until the log (stderr) contains {@code text}, and returns whether it did within the timeout.
     * stdout and stderr are separate pipes read by separate threads, so a line logged before the ready line
     * may still be on its way when the ready line has been seen.
     */
    boolean awaitLog(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /**
     * Waits until the log (stderr), from character {@code fromOffset} on (a {@link #stderr()} length taken
     * earlier), has a match of {@code pattern}, and returns the first such match; fails with the transcript
     * after the timeout.
     */
    MatchResult awaitLogMatch(Pattern pattern, int fromOffset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(stderr());
            if (m.find(fromOffset)) {
                return m.toMatchResult();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": no line matching '" + pattern + "' in its log within " + timeout
                        + ":\n" + transcript());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Waits for the log's own ready line, after which everything recovery logged is in {@link #stderr()}. */
    String logThroughReady() {
        if (!awaitLog("Tandem ready", Duration.ofSeconds(10))) {
            throw new AssertionError(name + ": no 'Tandem ready' in its log:\n" + transcript());
        }
        return stderr();
    }
}
