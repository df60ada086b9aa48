package io.tandem.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * {@code tandem aot}: records an AOT cache (JDK 25+, JEP 483 and 515) from a training run of real node
 * processes, for bin/tandem and the bench scripts to start nodes with ({@code -XX:AOTCache}).
 *
 * <p>Why: a node started cold spends its first seconds loading classes and compiling, on the same cores as
 * its work. A follower restarted 10^6 entries behind spent more CPU in its JIT compilers than in catching up
 * (docs/benchmarks.md). The cache holds the classes loaded and linked and the method profiles of a node that
 * did the work before, so the next one starts sooner and compiles its hot code sooner; it holds no compiled
 * code (JDK 25 has none to hold), so what it saves is bounded.
 *
 * <p>The training: three nodes on loopback (async, fsync never, failover by hand); n1 runs with
 * {@code -XX:AOTCacheOutput} and plays both roles, since every node may take either and a cache recorded by
 * a follower alone made a leader slower (docs/benchmarks.md). As the leader it takes {@code --writes} SETs of
 * 100-byte values to random keys while n3 is down, streams them to n3 from its log once n3 is back, and as
 * many again live; then 3,000 clients connect to it, write once, read once and leave (the accept path). Then n2
 * is promoted and n1 follows it: stopped (SIGSTOP) while {@code --writes} more go
 * to n2, resumed and caught up, then streamed to live. Then n1 is stopped with SIGTERM, and its JVM writes
 * the cache as it exits.
 */
@Command(name = "aot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Record an AOT cache (JDK 25+) from a training run of three local node processes;"
                + " nodes that bin/tandem starts then use it: they start and catch up sooner.",
            "",
            "bin/tandem aot    (writes tandem-cli/target/tandem-jdkVERSION.aot, about 15 s)"})
public final class AotCommand implements Callable<Integer> {
    /** The first JDK whose AOT cache holds method profiles (JEP 515) and takes -XX:AOTCacheOutput. */
    static final int MIN_JDK = 25;
    private static final int MAX_WRITES = 10_000_000;
    private static final int PIPELINE = 1_000;
    /** Clients that connect once each during the training (connectAndLeave). */
    private static final int CONNECTIONS = 3_000;
    private static final long CATCH_UP_TIMEOUT_MILLIS = 120_000;
    /** The JVM assembles the cache at exit, in a second JVM: tens of seconds on two busy cores. */
    private static final long CACHE_WRITE_TIMEOUT_MILLIS = 300_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--out", paramLabel = "FILE",
            description = "Where the cache goes. Default: beside the jar, tandem-jdkVERSION.aot (what bin/tandem"
                    + " looks for).")
    Path out;

    @CommandLine.Option(names = "--writes", paramLabel = "N", defaultValue = "200000",
            description = "SETs in each of the four phases (1.." + MAX_WRITES + "). Default: ${DEFAULT-VALUE}.")
    int writes;

    @CommandLine.Option(names = "--dir", paramLabel = "DIR",
            description = "Where the nodes' data and logs go; kept. Default: a temporary directory, deleted after a"
                    + " run that worked.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int jdk = Runtime.version().feature();
        if (jdk < MIN_JDK) {
            err.println("tandem aot: needs JDK " + MIN_JDK + " or newer (this is JDK " + jdk + "): older JDKs cannot"
                    + " record method profiles into a cache; nodes run without one");
            return 2;
        }
        if (writes < 1 || writes > MAX_WRITES) {
            err.println("tandem aot: --writes must be 1.." + MAX_WRITES + ", got " + writes);
            return 2;
        }
        Path target = out != null ? out : defaultCache();
        if (target == null) {
            err.println("tandem aot: not run from the distribution jar; say where the cache goes with --out FILE");
            return 2;
        }
        target = target.toAbsolutePath();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            err.println("tandem aot: cannot write the cache into " + parent + " (--out " + target + ")");
            return 2;
        }
        // The JVM writes the cache itself when n1 exits; it goes under another name and is moved into place only
        // once complete, so a failed run never leaves a half-written cache for nodes to try.
        Path partial = parent.resolve(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        boolean temporary = dir == null;
        Path work = temporary ? Files.createTempDirectory("tandem-aot-") : dir;
        boolean worked = false;
        try (LabCluster cluster = new LabCluster(work, plainJvmOptions(), List.of("--fsync", "never", "--ack-policy",
                "async", "--ack-level", "applied", "--snapshot-after-log-bytes", "0", "--election-timeout-millis", "0"),
                false)) {
            long started = System.nanoTime();
            stdout.println("tandem aot: training 3 nodes in " + work + " (JDK " + Runtime.version() + ")");
            stdout.flush();
            List<String> recording = new ArrayList<>(plainJvmOptions());
            recording.add("-XX:AOTCacheOutput=" + partial);
            cluster.jvmOptions(0, recording);
            cluster.startAll();
            cluster.stop(2, 30_000);
            int n1 = cluster.clientPort(0);
            int n2 = cluster.clientPort(1);
            // n1 records: as the leader, it takes writes and streams them to n2 live and to n3 from its log ...
            write(n1, writes, 1);
            cluster.restart(2);
            awaitApplied(cluster.clientPort(2), leaderLsn(n1));
            write(n1, writes, 2);
            awaitApplied(cluster.clientPort(2), leaderLsn(n1));
            connectAndLeave(n1, CONNECTIONS);
            stdout.printf("  n1 led: %,d SETs, n3 caught up from its log, %,d clients came and went; now n1 follows"
                    + " n2%n", 2L * writes, CONNECTIONS);
            stdout.flush();
            // ... then as a follower: stopped while writes go on, resumed behind, caught up, then streamed to.
            cluster.stop(2, 30_000);
            NodeClient.command("127.0.0.1", n2, null, "REPLICAOF", "NO", "ONE");
            NodeClient.command("127.0.0.1", n1, null, "REPLICAOF", "127.0.0.1", Integer.toString(n2));
            awaitApplied(n1, leaderLsn(n2));
            cluster.pause(0);
            write(n2, writes, 3);
            cluster.resume(0);
            awaitApplied(n1, leaderLsn(n2));
            write(n2, writes, 4);
            awaitApplied(n1, leaderLsn(n2));
            stdout.println("  n1 caught up as a follower; stopping it: its JVM writes the cache as it exits...");
            stdout.flush();
            int exit = cluster.stop(0, CACHE_WRITE_TIMEOUT_MILLIS);
            if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
                err.println("tandem aot: n1 exited (" + exit + ") without writing a cache; see " + cluster.logFile(0));
                return 1;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            stdout.printf("tandem aot: wrote %s (%,d bytes) in %.0f s%n", target, Files.size(target),
                    (System.nanoTime() - started) / 1e9);
            worked = true;
            return 0;
        } finally {
            Files.deleteIfExists(partial);
            // The profile the JVM records first, which it deletes itself once the cache is written.
            Files.deleteIfExists(parent.resolve(partial.getFileName() + ".config"));
            if (temporary && worked) {
                LabCluster.deleteQuietly(work);
            } else if (!worked) {
                err.println("tandem aot: the nodes' logs are kept in " + work);
            }
        }
    }

    /**
     * The cache bin/tandem and bench/lib.sh look for (bin/jvm-options, aot_cache): beside the jar, named after
     * it and this JDK's version, e.g. tandem-jdk25.0.1.aot; null when this JVM does not run from one jar.
     */
    static Path defaultCache() {
        String classpath = NodeLauncher.classpath();
        if (classpath.contains(java.io.File.pathSeparator) || !classpath.endsWith(".jar")) {
            return null;
        }
        return cacheFor(Path.of(classpath).toAbsolutePath());
    }

    /** The cache of {@code jar} for this JDK: tandem.jar -> tandem-jdk25.0.1.aot beside it. */
    static Path cacheFor(Path jar) {
        String name = jar.getFileName().toString();
        return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-jdk" + jdkVersion() + ".aot");
    }

    /** This JDK's version as its release file says it (JAVA_VERSION="25.0.1"): what bin/jvm-options reads. */
    static String jdkVersion() {
        return String.join(".", Runtime.version().version().stream().map(String::valueOf).toList());
    }

    /** This JVM's options (bin/tandem's) without any of the AOT cache's: the training records its own. */
    static List<String> plainJvmOptions() {
        return NodeLauncher.inheritedJvmOptions().stream().filter(o -> !o.startsWith("-XX:AOT")).toList();
    }

    /**
     * Clients that connect, write once, read once and leave: a node accepts a connection far less often than it
     * runs a command, so without these the training would record next to nothing of the accept path, and a
     * new connection's first request would wait for it interpreted (docs/benchmarks.md, eighth session).
     */
    private static void connectAndLeave(int port, int clients) {
        for (int i = 0; i < clients; i++) {
            try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
                jedis.set("client:" + i, "x");
                jedis.get("client:" + i);
            }
        }
    }

    /** Pipelined SETs of 100-byte values to random keys among 10^6, as the catch-up benchmark writes them. */
    private static void write(int port, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String value = "x".repeat(100);
        try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
            for (int done = 0; done < count; ) {
                int batch = Math.min(PIPELINE, count - done);
                Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < batch; i++) {
                    pipeline.set("key:" + random.nextInt(1_000_000), value);
                }
                pipeline.sync();
                done += batch;
            }
        }
    }

    private static long leaderLsn(int port) throws IOException {
        return Long.parseLong(NodeClient.info("127.0.0.1", port, null).get("master_repl_offset"));
    }

    /** Waits until the node's applied LSN (slave_repl_offset) reaches lsn, its link up; bounded. */
    private static void awaitApplied(int port, long lsn) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_TIMEOUT_MILLIS);
        while (true) {
            Map<String, String> info = NodeClient.info("127.0.0.1", port, null);
            String applied = info.getOrDefault("slave_repl_offset", "-1");
            if ("up".equals(info.get("master_link_status")) && Long.parseLong(applied) >= lsn) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("a training node did not reach LSN " + lsn + " within "
                        + CATCH_UP_TIMEOUT_MILLIS / 1000 + " s (at " + applied + ")");
            }
            TimeUnit.MILLISECONDS.sleep(20); // a poll, not a fix for a race: the loop waits for a condition
        }
    }
}
