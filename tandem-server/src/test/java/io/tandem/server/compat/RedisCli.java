package io.tandem.server.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs redis-cli (or redis-benchmark) as a child process against 127.0.0.1, with a deadline. */
final class RedisCli {
    private static final long TIMEOUT_SECONDS = 30;

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private RedisCli() {}

    /** redis-cli -h 127.0.0.1 -p port args..., with stdin as its input; its standard output. */
    static String run(int port, String stdin, String... args) throws IOException, InterruptedException {
        return exec("redis-cli", port, stdin, args).stdout();
    }

    static Result exec(String program, int port, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RedisServerProcess.executable(program), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Path dir = Files.createTempDirectory("tandem-" + program);
        try {
            Path in = Files.writeString(dir.resolve("stdin"), stdin);
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Process process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS
                        + " s; output so far:\n" + Files.readString(out, StandardCharsets.UTF_8) + "\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
