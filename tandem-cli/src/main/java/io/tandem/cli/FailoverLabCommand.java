package io.tandem.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem lab failover}: for each mode (an ack policy), three node processes on loopback with elections
 * on, one Jedis client writing unique keys to the leader of the moment, and N faults on that leader (kill -9
 * then a restart, SIGSTOP past the election timeout then SIGCONT, or its peer traffic cut off by the lab's
 * {@link PeerProxy} for a while then healed). Prints per cycle the RTO (fault to the
 * first write acknowledged by the new leader, as the client saw it), then per mode the RTO percentiles and the
 * safety checks: acknowledged writes lost (read back from the final leader once all digests agree), writes
 * rolled back (the rollback/ files), writes acknowledged in a term older than a leader already known, and
 * elections no fault explains.
 */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Kill, pause or cut off the leader of a local 3-node replica set again and again while a client"
                + " writes;"
                + " measure the RTO and check that no acknowledged write is lost.",
            "",
            "Example: tandem lab failover --modes quorum,semi-sync-1,async --faults kill,pause,partition --cycles 30"})
public final class FailoverLabCommand implements Callable<Integer> {
    private static final Pattern SEMI_SYNC = Pattern.compile("semi-sync[- ](\\d+)");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--cycles", paramLabel = "N", defaultValue = "10",
            description = "Faults per mode (the fault kinds take turns). Default: ${DEFAULT-VALUE}.")
    int cycles;

    @CommandLine.Option(names = "--modes", paramLabel = "MODE", split = ",", defaultValue = "quorum",
            description = "Ack policies, one replica set each: quorum | all | semi-sync-K | async."
                    + " Default: ${DEFAULT-VALUE}.")
    List<String> modes;

    @CommandLine.Option(names = "--faults", paramLabel = "FAULT", split = ",", defaultValue = "kill,pause",
            description = "kill: kill -9 the leader, restart it once a new leader acknowledged a write;"
                    + " pause: SIGSTOP the leader for --pause-millis, then SIGCONT;"
                    + " partition: drop the leader's peer traffic both ways for --partition-millis, then heal (its"
                    + " client port still answers; peer traffic then goes through the lab's proxy)."
                    + " Default: ${DEFAULT-VALUE}.")
    List<String> faults;

    @CommandLine.Option(names = "--election-timeout-millis", paramLabel = "MS", defaultValue = "500",
            description = "The nodes' election-timeout-millis. Default: ${DEFAULT-VALUE}.")
    long electionTimeoutMillis;

    @CommandLine.Option(names = "--heartbeat-interval-millis", paramLabel = "MS", defaultValue = "100",
            description = "The nodes' heartbeat-interval-millis. Default: ${DEFAULT-VALUE}.")
    long heartbeatMillis;

    @CommandLine.Option(names = "--ack-level", paramLabel = "LEVEL", defaultValue = "durable",
            description = "received | durable | applied. Default: ${DEFAULT-VALUE}.")
    String ackLevel;

    @CommandLine.Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "batch",
            description = "always | batch | everysec | never. Default: ${DEFAULT-VALUE}.")
    String fsync;

    @CommandLine.Option(names = "--pause-millis", paramLabel = "MS", defaultValue = "0",
            description = "How long a paused leader stays stopped; more than the election timeout."
                    + " Default: 4 x the election timeout.")
    long pauseMillis;

    @CommandLine.Option(names = "--partition-millis", paramLabel = "MS", defaultValue = "0",
            description = "How long a cut-off leader stays cut off; more than the election timeout."
                    + " Default: 4 x the election timeout.")
    long partitionMillis;

    @CommandLine.Option(names = "--settle-millis", paramLabel = "MS", defaultValue = "500",
            description = "Writes on the whole replica set before each fault. Default: ${DEFAULT-VALUE}.")
    long settleMillis;

    @CommandLine.Option(names = "--client-timeout-millis", paramLabel = "MS", defaultValue = "500",
            description = "The client's connect and read timeout (a write unanswered this long is given up, not"
                    + " acknowledged). Default: ${DEFAULT-VALUE}.")
    int clientTimeoutMillis;

    @CommandLine.Option(names = "--node-jvm-options", paramLabel = "OPTIONS",
            description = "JVM options of the node processes, space-separated. Default: this JVM's own"
                    + " (bin/tandem's).")
    String nodeJvmOptions;

    @CommandLine.Option(names = "--dir", paramLabel = "DIR",
            description = "Where the nodes' data and logs go (one subdirectory per mode); kept. Default: a new"
                    + " temporary directory, deleted after a run that passed every check.")
    Path dir;

    @CommandLine.Option(names = "--keep", description = "Keep the temporary directory even if every check passed.")
    boolean keep;

    @CommandLine.Option(names = "--csv", paramLabel = "FILE", description = "Also write one line per cycle to FILE.")
    Path csv;

    /** The results of the last run (for tests). */
    volatile List<FailoverLab.Result> results = List.of();

    private final List<LabCluster> clusters = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FailoverLab.Mode> parsedModes = new ArrayList<>();
        List<FailoverLab.Fault> parsedFaults = new ArrayList<>();
        String problem = validate(parsedModes, parsedFaults);
        if (problem != null) {
            err.println("tandem lab failover: " + problem);
            err.flush();
            return 2;
        }
        long pause = pauseMillis > 0 ? pauseMillis : 4 * electionTimeoutMillis;
        long partition = partitionMillis > 0 ? partitionMillis : 4 * electionTimeoutMillis;
        // Only a run that cuts nodes off pays for the extra hop: kill and pause figures stay comparable.
        boolean proxied = parsedFaults.contains(FailoverLab.Fault.PARTITION);
        List<String> jvm = nodeJvmOptions == null ? NodeLauncher.inheritedJvmOptions()
                : List.of(nodeJvmOptions.trim().split("\\s+"));
        FailoverLab.Settings settings = new FailoverLab.Settings(cycles, parsedFaults, electionTimeoutMillis,
                heartbeatMillis, ackLevel, fsync, pause, partition, settleMillis, clientTimeoutMillis, jvm);
        boolean temporary = dir == null;
        Path root = temporary ? Files.createTempDirectory("tandem-lab-") : dir;
        Thread hook = new Thread(this::stopAll, "tandem-lab-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onTerminate(() -> {
            stopAll();
            System.exit(130);
        });
        out.printf("tandem lab failover: modes %s, faults %s, %d cycles each, election timeout %d ms (heartbeat %d ms),"
                + " pause %d ms, partition %d ms, ack level %s, fsync %s, %d cores%n", String.join(",", modes),
                String.join(",", faults), cycles, electionTimeoutMillis, heartbeatMillis, pause, partition, ackLevel,
                fsync, Runtime.getRuntime().availableProcessors());
        if (proxied) {
            out.println("Peer traffic between the nodes goes through the lab's proxy (client ports are direct).");
        }
        out.println("Node data and logs: " + root);
        out.flush();
        List<FailoverLab.Result> done = new ArrayList<>();
        try {
            for (FailoverLab.Mode mode : parsedModes) {
                Path modeDir = root.resolve(mode.name());
                LabCluster cluster = new LabCluster(modeDir, jvm, FailoverLab.nodeOptions(settings, mode), proxied);
                synchronized (clusters) {
                    clusters.add(cluster);
                }
                out.printf("%n== %s (ack-policy %s, ack-level %s)%n", mode.name(), mode.policy(), ackLevel);
                out.flush();
                FailoverLab lab = new FailoverLab(settings, mode, modeDir, out, cluster);
                FailoverLab.Result result;
                try {
                    result = lab.run();
                } finally {
                    lab.closeQuietly();
                    cluster.close();
                }
                done.add(result);
                printMode(out, result);
                results = List.copyOf(done);
            }
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        if (csv != null) {
            writeCsv(done);
        }
        printSummary(out, done);
        boolean safe = done.stream().allMatch(r -> r.safe() && r.missed() == 0);
        if (temporary && safe && !keep) {
            LabCluster.deleteQuietly(root);
            out.println("(deleted " + root + "; --keep keeps it)");
        } else {
            out.println("Node data and logs kept in " + root);
        }
        out.flush();
        return safe ? 0 : 1;
    }

    private String validate(List<FailoverLab.Mode> parsedModes, List<FailoverLab.Fault> parsedFaults) {
        if (cycles < 1) {
            return "--cycles must be 1 or more, got " + cycles;
        }
        for (String m : modes) {
            String name = m.trim().toLowerCase();
            Matcher semi = SEMI_SYNC.matcher(name);
            if (name.equals("quorum") || name.equals("all")) {
                parsedModes.add(new FailoverLab.Mode(name, name, true));
            } else if (name.equals("async")) {
                parsedModes.add(new FailoverLab.Mode(name, name, false));
            } else if (semi.matches()) {
                int k = Integer.parseInt(semi.group(1));
                if (k < 1 || k > LabCluster.SIZE - 1) {
                    return "mode " + m + ": a replica set of " + LabCluster.SIZE + " has " + (LabCluster.SIZE - 1)
                            + " replicas; K must be 1 or 2";
                }
                // The leader and K replicas: a majority of three for any K >= 1.
                parsedModes.add(new FailoverLab.Mode("semi-sync-" + k, "semi-sync " + k, true));
            } else {
                return "unknown mode '" + m + "' in --modes; expected quorum, all, semi-sync-K (K = 1 or 2) or async";
            }
        }
        if (parsedModes.stream().map(FailoverLab.Mode::name).distinct().count() != parsedModes.size()) {
            return "--modes names a mode twice: " + String.join(",", modes);
        }
        for (String f : faults) {
            switch (f.trim().toLowerCase()) {
                case "kill" -> parsedFaults.add(FailoverLab.Fault.KILL);
                case "pause" -> parsedFaults.add(FailoverLab.Fault.PAUSE);
                case "partition" -> parsedFaults.add(FailoverLab.Fault.PARTITION);
                default -> {
                    return "unknown fault '" + f + "' in --faults; expected kill, pause or partition";
                }
            }
        }
        if (heartbeatMillis < 1) {
            return "--heartbeat-interval-millis must be 1 or more, got " + heartbeatMillis;
        }
        if (electionTimeoutMillis < 2 * heartbeatMillis) {
            return "--election-timeout-millis must be at least twice --heartbeat-interval-millis (" + heartbeatMillis
                    + "), got " + electionTimeoutMillis;
        }
        if (pauseMillis != 0 && pauseMillis <= electionTimeoutMillis) {
            return "--pause-millis must be longer than the election timeout (" + electionTimeoutMillis + " ms), got "
                    + pauseMillis;
        }
        if (partitionMillis != 0 && partitionMillis <= electionTimeoutMillis) {
            return "--partition-millis must be longer than the election timeout (" + electionTimeoutMillis
                    + " ms), got " + partitionMillis;
        }
        if (!List.of("received", "durable", "applied").contains(ackLevel)) {
            return "--ack-level must be received, durable or applied, got '" + ackLevel + "'";
        }
        if (!List.of("always", "batch", "everysec", "never").contains(fsync)) {
            return "--fsync must be always, batch, everysec or never, got '" + fsync + "'";
        }
        if (clientTimeoutMillis < 10) {
            return "--client-timeout-millis must be 10 or more, got " + clientTimeoutMillis;
        }
        if (settleMillis < 0) {
            return "--settle-millis must not be negative, got " + settleMillis;
        }
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            return "--dir " + dir + " is not a directory";
        }
        return null;
    }

    private void stopAll() {
        List<LabCluster> all;
        synchronized (clusters) {
            all = List.copyOf(clusters);
        }
        for (LabCluster cluster : all) {
            cluster.close();
        }
    }

    private static void printMode(PrintWriter out, FailoverLab.Result r) {
        out.printf("  %s: %d cycles, %d acknowledged writes, %d lost, %d rolled back, %d acknowledged by a deposed"
                        + " term, %d false failovers, digests %s%n", r.mode().name(), r.cycles().size(), r.acknowledged(),
                r.lost(), r.rolledBack(), r.deposed(), r.falseFailovers(), r.digestsEqual() ? "equal" : "DIFFER");
        long oldLeaderAcks = r.cycles().stream().mapToLong(FailoverLab.Cycle::oldLeaderAcks).sum();
        if (oldLeaderAcks > 0) {
            out.println("    " + oldLeaderAcks + " writes acknowledged by an old leader in its own term after its fault"
                    + " began (in flight as it was cut off, or acknowledged alone before it stepped down; LOST says"
                    + " whether the new leader has them)");
        }
        for (String example : r.lostExamples()) {
            out.println("    lost: " + example);
        }
        for (String example : r.deposedExamples()) {
            out.println("    deposed: " + example);
        }
        if (r.unknownTerm() > 0) {
            out.println("    " + r.unknownTerm() + " acknowledged writes whose token could not be read (connection lost"
                    + " right after the OK): checked for loss, not for their term");
        }
        out.println("    client errors (not acknowledged): " + (r.writerErrors().isEmpty() ? "none" : r.writerErrors()));
        if (r.failure() != null) {
            out.println("    FAILED: " + r.failure());
        }
        out.flush();
    }

    private static void printSummary(PrintWriter out, List<FailoverLab.Result> results) {
        out.println();
        out.println("RTO: fault -> first write acknowledged by the new leader, as the client saw it (nearest-rank"
                + " percentiles)");
        out.printf("%-12s %-9s %6s %8s %8s %8s %8s %8s%n", "MODE", "FAULT", "CYCLES", "MEDIAN", "P90", "P99", "MAX",
                "MISSED");
        for (FailoverLab.Result r : results) {
            Map<FailoverLab.Fault, List<Long>> by = FailoverLab.rtoByFault(r.cycles());
            List<Long> all = new ArrayList<>();
            by.values().forEach(all::addAll);
            long missed = r.missed();
            for (Map.Entry<FailoverLab.Fault, List<Long>> e : by.entrySet()) {
                long missedHere = r.cycles().stream().filter(c -> c.fault() == e.getKey() && c.rtoMillis() < 0).count();
                rtoRow(out, r.mode().name(), e.getKey().label, e.getValue(), missedHere);
            }
            if (by.size() > 1) {
                rtoRow(out, r.mode().name(), "all", all, missed);
            }
            if (by.isEmpty()) {
                out.printf("%-12s %-9s %6d %8s %8s %8s %8s %8d%n", r.mode().name(), "-", 0, "-", "-", "-", "-", missed);
            }
        }
        out.println();
        out.printf("%-12s %6s %10s %6s %11s %8s %9s %8s  %s%n", "MODE", "CYCLES", "ACKED", "LOST", "ROLLED BACK",
                "DEPOSED", "FALSE F/O", "DIGESTS", "VERDICT");
        for (FailoverLab.Result r : results) {
            out.printf("%-12s %6d %10d %6d %11d %8d %9d %8s  %s%n", r.mode().name(), r.cycles().size(), r.acknowledged(),
                    r.lost(), r.rolledBack(), r.deposed(), r.falseFailovers(), r.digestsEqual() ? "equal" : "DIFFER",
                    !r.safe() ? "FAILED" : r.missed() > 0 ? "safe, but " + r.missed() + " failovers missed"
                            : r.lost() > 0 ? "ok (" + r.mode().name() + " promises no durability on failover)" : "ok");
        }
        out.flush();
    }

    private static void rtoRow(PrintWriter out, String mode, String fault, List<Long> rto, long missed) {
        out.printf("%-12s %-9s %6d %6d ms %5d ms %5d ms %5d ms %8d%n", mode, fault, rto.size(),
                FailoverLab.percentile(rto, 50), FailoverLab.percentile(rto, 90), FailoverLab.percentile(rto, 99),
                FailoverLab.percentile(rto, 100), missed);
    }

    private void writeCsv(List<FailoverLab.Result> done) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("mode,cycle,fault,old_leader,old_term,new_leader,new_term,rto_ms,elected_seen_ms,whole_again_ms,"
                + "fault_at_epoch_ms,new_terms_led,old_leader_acks_after_fault,old_leader_last_ack_ms");
        for (FailoverLab.Result r : done) {
            for (FailoverLab.Cycle c : r.cycles()) {
                lines.add(String.join(",", r.mode().name(), Integer.toString(c.number()), c.fault().label,
                        LabCluster.name(c.oldLeader()), Long.toString(c.oldTerm()), LabCluster.name(c.newLeader()),
                        Long.toString(c.newTerm()), Long.toString(c.rtoMillis()), Long.toString(c.electedSeenMillis()),
                        Long.toString(c.healMillis()), Long.toString(c.faultAtMillis()),
                        Integer.toString(c.electionsInCycle()), Long.toString(c.oldLeaderAcks()),
                        Long.toString(c.oldLeaderLastAckMillis())));
            }
        }
        Files.write(csv, lines);
    }
}
