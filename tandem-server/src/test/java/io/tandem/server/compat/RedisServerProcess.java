package io.tandem.server.compat;

import io.tandem.server.net.FreePorts;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server, started as a child process on a free loopback port with persistence off, for
 * differential tests. When redis-server is not installed the test fails (it does not skip): the comparison
 * with Redis is the point of these tests, and CI installs it.
 */
final class RedisServerProcess implements AutoCloseable {
    private static final int START_ATTEMPTS = 5;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    int port() {
        return port;
    }

    /** The path of an executable on PATH, or a failure that says what to install. */
    static String executable(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File candidate = new File(dir, name);
                if (candidate.isFile() && candidate.canExecute()) {
                    return candidate.getAbsolutePath();
                }
            }
        }
        throw new AssertionError(name + " is not on PATH. The Redis compatibility tests compare Tandem with a real"
                + " Redis 7 and use redis-cli and redis-benchmark: install them (Debian/Ubuntu: apt-get install"
                + " redis-server redis-tools; CI's bin/test installs them) and run the tests again.");
    }

    /**
     * Starts redis-server in dir on a free port, with extra arguments (e.g. "--requirepass", "pw"); retries
     * with another port when the chosen one was taken.
     */
    static RedisServerProcess start(Path dir, String... extraArgs) throws IOException {
        String redisServer = executable("redis-server");
        String failures = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = FreePorts.outsideEphemeralRange(); // a replica's outgoing connection cannot hold it
            Path log = dir.resolve("redis-" + port + ".log");
            List<String> command = new ArrayList<>(List.of(redisServer, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", dir.toAbsolutePath().toString()));
            command.addAll(List.of(extraArgs));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Process process = builder.start();
            RedisServerProcess redis = new RedisServerProcess(process, port, log);
            String failure = redis.awaitReady();
            if (failure == null) {
                return redis;
            }
            redis.close();
            failures += "\n  attempt " + attempt + " on port " + port + ": " + failure;
            if (!failure.contains("Address already in use")) {
                break; // not a port clash: another port will not help
            }
        }
        throw new AssertionError("could not start redis-server:" + failures);
    }

    /** Null once redis-server answers PING (or NOAUTH, with a password set); otherwise why it did not. */
    private String awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastError = "no attempt";
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                return "redis-server exited with " + process.exitValue() + "; its log:\n" + logText();
            }
            try (RespConnection conn = new RespConnection(port)) {
                String reply = conn.call("PING").toString();
                if (reply.equals("+PONG") || reply.startsWith("-NOAUTH")) {
                    return null;
                }
                lastError = "PING answered " + reply; // e.g. -LOADING while starting
            } catch (IOException e) {
                lastError = e.toString();
            }
            try {
                // The pause between attempts doubles as the liveness check.
                process.waitFor(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "no PONG within " + START_TIMEOUT.toSeconds() + " s (" + lastError + "); log:\n" + logText();
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** "Redis server v=7.0.15 ..." as redis-server --version prints it, for messages. */
    static String version() {
        try {
            Process process = new ProcessBuilder(executable("redis-server"), "--version").redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes()).strip();
            process.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "(redis-server --version failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
