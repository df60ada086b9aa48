package io.tandem.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import redis.clients.jedis.Jedis;

/**
 * One mode of {@code tandem lab failover}: a fresh replica set of three processes under one ack policy, the
 * writer running throughout, {@code cycles} faults on the leader of the moment, then the checks once it has
 * converged. See {@link FailoverLabCommand}.
 */
final class FailoverLab {
    /** How long a cycle may take to show a write acknowledged by a new leader. */
    static final long FAILOVER_DEADLINE_MILLIS = 30_000;
    /** A kill not followed by a new leader's acknowledgement this soon is looked into (see {@link #diagnose}). */
    static final long DIAGNOSE_AFTER_MILLIS = 5_000;
    /** How long the replica set may take to be whole again (a restarted node caught up and following). */
    static final long HEAL_DEADLINE_MILLIS = 60_000;

    enum Fault {
        KILL("kill"), PAUSE("pause"), PARTITION("partition");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    /** A mode: its name on the command line and the ack policy its nodes run with. */
    record Mode(String name, String policy, boolean promisesNoLoss) {}

    /**
     * One fault: {@code rtoMillis} from the signal to the first write acknowledged in a later term (-1: none
     * within the deadline); {@code electedSeenMillis} from the signal to the first sighting of the new leader by
     * the monitor or the writer (-1 if not seen); {@code oldLeaderAcks}: writes the old leader acknowledged in
     * its term after the fault began (see {@link FailoverLab#oldLeaderAcks}), the last of them
     * {@code oldLeaderLastAckMillis} after the fault (-1: none); set beside {@code electedSeenMillis}, how close
     * a cut-off async leader's last acknowledgement came to the new leader's election.
     */
    record Cycle(int number, Fault fault, int oldLeader, long oldTerm, int newLeader, long newTerm, long rtoMillis,
            long electedSeenMillis, long healMillis, long faultAtMillis, int electionsInCycle, long oldLeaderAcks,
            long oldLeaderLastAckMillis) {}

    /** What one mode showed. */
    record Result(Mode mode, List<Cycle> cycles, long acknowledged, long lost, List<String> lostExamples,
            long unknownTerm, long rolledBack, long deposed, List<String> deposedExamples, long falseFailovers,
            boolean digestsEqual, Map<String, Long> writerErrors, List<Long> pids, Path dir, String failure) {
        /** No acknowledged write lost where the policy promises none, none acknowledged by a deposed term. */
        boolean safe() {
            return failure == null && deposed == 0 && digestsEqual && (!mode.promisesNoLoss() || lost == 0);
        }

        /** Faults after which no new leader acknowledged a write within the deadline. */
        long missed() {
            return cycles.stream().filter(c -> c.rtoMillis() < 0).count();
        }
    }

    /** Settings shared by every mode. */
    record Settings(int cycles, List<Fault> faults, long electionTimeoutMillis, long heartbeatMillis, String ackLevel,
            String fsync, long pauseMillis, long partitionMillis, long settleMillis, int clientTimeoutMillis,
            List<String> jvmOptions) {}

    private final Settings settings;
    private final Mode mode;
    private final Path dir;
    private final PrintWriter out;
    private final LabCluster cluster;
    private LabMonitor monitor;
    private LabWriter writer;
    /** The highest term led when the cycles began (start-up elections are no false failovers). */
    private long baselineTerm;

    FailoverLab(Settings settings, Mode mode, Path dir, PrintWriter out, LabCluster cluster) {
        this.settings = settings;
        this.mode = mode;
        this.dir = dir;
        this.out = out;
        this.cluster = cluster;
    }

    /** The flags every node of {@code mode} runs with. */
    static List<String> nodeOptions(Settings settings, Mode mode) {
        return List.of("--ack-policy", mode.policy(), "--ack-level", settings.ackLevel(), "--fsync", settings.fsync(),
                "--election-timeout-millis", Long.toString(settings.electionTimeoutMillis()),
                "--heartbeat-interval-millis", Long.toString(settings.heartbeatMillis()));
    }

    Result run() throws IOException, InterruptedException {
        List<Cycle> cycles = new ArrayList<>();
        String failure = null;
        long startMillis = System.currentTimeMillis();
        cluster.startAll();
        monitor = new LabMonitor(cluster, settings.clientTimeoutMillis());
        monitor.start();
        writer = new LabWriter(monitor, cluster, "lab:" + mode.name() + ":" + Long.toString(startMillis, 36),
                settings.clientTimeoutMillis());
        try {
            awaitHealthy("the replica set to form");
            writer.start();
            awaitAck(writer.ackCount(), a -> true, FAILOVER_DEADLINE_MILLIS, "a first acknowledged write");
            baselineTerm = monitor.elected().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            for (int c = 1; c <= settings.cycles(); c++) {
                Fault fault = settings.faults().get((c - 1) % settings.faults().size());
                Cycle cycle = cycle(c, fault);
                cycles.add(cycle);
                progress(cycle);
            }
        } catch (IllegalStateException e) {
            failure = e.getMessage();
            out.println("  " + mode.name() + ": " + failure);
            out.flush();
        }
        writer.stop();
        return check(cycles, failure);
    }

    private Cycle cycle(int number, Fault fault) throws IOException, InterruptedException {
        int leader = awaitHealthy("cycle " + number + ": the replica set to be whole again");
        // Steady writes on the healthy set before the fault.
        long settleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.settleMillis());
        while (System.nanoTime() < settleUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        int oldLeader = awaitHealthy("cycle " + number + ": the replica set to be whole again");
        long oldTerm = monitor.view(oldLeader).term();
        int from = writer.ackCount();
        long faultNanos = System.nanoTime();
        long faultMillis = System.currentTimeMillis();
        LabWriter.Ack first = switch (fault) {
            case KILL -> kill(number, oldLeader, oldTerm, from, faultNanos);
            case PAUSE -> timedFault(number, oldLeader, oldTerm, from, faultNanos, fault, settings.pauseMillis());
            case PARTITION -> timedFault(number, oldLeader, oldTerm, from, faultNanos, fault,
                    settings.partitionMillis());
        };
        long rto = first == null ? -1 : TimeUnit.NANOSECONDS.toMillis(first.ackNanos() - faultNanos);
        long newTerm = first == null ? -1 : first.term();
        long seen = -1;
        for (Map.Entry<Long, LabMonitor.Elected> e : monitor.elected().entrySet()) {
            if (e.getKey() > oldTerm && (seen < 0 || e.getValue().atMillis() - faultMillis < seen)) {
                seen = e.getValue().atMillis() - faultMillis;
            }
        }
        int healthy = awaitHealthy("cycle " + number + ": the replica set to be whole again after the fault");
        long healMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - faultNanos);
        int elections = (int) monitor.elected().keySet().stream().filter(t -> t > oldTerm).count();
        List<LabWriter.Ack> afterFault = oldLeaderAcks(from, oldLeader, oldTerm, faultNanos);
        return new Cycle(number, fault, oldLeader, oldTerm, first == null ? healthy : first.node(), newTerm, rto,
                seen, healMillis, faultMillis, elections, afterFault.size(), afterFault.isEmpty() ? -1
                        : TimeUnit.NANOSECONDS.toMillis(afterFault.getLast().ackNanos() - faultNanos));
    }

    /** kill -9 the leader; once another acknowledged a write (or the deadline passed), start it again. */
    private LabWriter.Ack kill(int number, int oldLeader, long oldTerm, int from, long faultNanos)
            throws IOException, InterruptedException {
        cluster.kill9(oldLeader);
        LabWriter.Ack first = awaitFailoverAck(from, oldLeader, oldTerm,
                faultNanos + TimeUnit.MILLISECONDS.toNanos(DIAGNOSE_AFTER_MILLIS));
        if (first == null) {
            diagnose(number, oldLeader, false, "no new leader acknowledged a write " + DIAGNOSE_AFTER_MILLIS
                    + " ms after " + LabCluster.name(oldLeader) + " was killed");
            first = awaitFailoverAck(from, oldLeader, oldTerm,
                    faultNanos + TimeUnit.MILLISECONDS.toNanos(FAILOVER_DEADLINE_MILLIS));
        }
        cluster.restart(oldLeader); // it rejoins as a follower of whoever leads
        return first;
    }

    /**
     * A fault that lasts {@code millis} and is then undone: SIGSTOP / SIGCONT, or cutting the leader off from
     * the other nodes / healing. It stays on for the whole time even when a new leader took over early, so that
     * the old one lives through its own view of the fault (a cut-off leader still hears from the client and must
     * step down by check-quorum; a stopped one finds a newer term when it wakes).
     */
    private LabWriter.Ack timedFault(int number, int oldLeader, long oldTerm, int from, long faultNanos, Fault fault,
            long millis) throws IOException, InterruptedException {
        if (fault == Fault.PAUSE) {
            cluster.pause(oldLeader);
        } else {
            cluster.isolate(oldLeader);
        }
        long undoAt = faultNanos + TimeUnit.MILLISECONDS.toNanos(millis);
        LabWriter.Ack first = awaitFailoverAck(from, oldLeader, oldTerm, undoAt);
        long wait = undoAt - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        if (first == null) {
            diagnose(number, oldLeader, fault == Fault.PARTITION, "no new leader acknowledged a write while "
                    + LabCluster.name(oldLeader) + (fault == Fault.PAUSE ? " was stopped" : " was cut off") + " for "
                    + millis + " ms");
        }
        if (fault == Fault.PAUSE) {
            cluster.resume(oldLeader);
        } else {
            cluster.heal(oldLeader);
        }
        if (first == null) {
            first = awaitFailoverAck(from, oldLeader, oldTerm,
                    faultNanos + TimeUnit.MILLISECONDS.toNanos(FAILOVER_DEADLINE_MILLIS));
        }
        return first;
    }

    /**
     * Writes the old leader acknowledged in its own term after the fault began. After a kill or a pause it
     * cannot; cut off, it still hears the client: under a policy that waits for replicas nothing commits
     * (only writes whose replica acks were already on their way count here), under async it acknowledges
     * alone until check-quorum steps it down, and the new leader never had those writes.
     */
    private List<LabWriter.Ack> oldLeaderAcks(int from, int oldLeader, long oldTerm, long faultNanos) {
        List<LabWriter.Ack> acks = writer.acks();
        return acks.subList(Math.min(from, acks.size()), acks.size()).stream()
                .filter(a -> a.node() == oldLeader && (a.term() == oldTerm || a.term() < 0))
                .filter(a -> a.ackNanos() > faultNanos).toList();
    }

    /**
     * A failover that does not happen: writes what each other node says (INFO replication, as the monitor last
     * saw it and asked now) and its threads (jcmd Thread.print) to {@code cycle-N-no-failover.txt}, while the
     * fault is still on.
     */
    private void diagnose(int number, int oldLeader, boolean oldLeaderAnswers, String what) {
        Path file = dir.resolve("cycle-" + number + "-no-failover.txt");
        StringBuilder text = new StringBuilder("cycle " + number + ": " + what + " (at "
                + java.time.LocalTime.now() + ")\n");
        for (int i = 0; i < LabCluster.SIZE; i++) {
            if (i == oldLeader && !oldLeaderAnswers) {
                continue; // stopped or dead: INFO and jcmd would hang or fail
            }
            text.append("\n==== ").append(LabCluster.name(i)).append(" (pid ").append(cluster.pid(i))
                    .append("), monitor view ").append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                            - monitor.view(i).atNanos())).append(" ms old: ").append(monitor.view(i)).append('\n');
            try (Jedis jedis = LabMonitor.connect(cluster.clientPort(i), 2_000)) {
                text.append(jedis.info("replication")).append('\n');
            } catch (RuntimeException e) {
                text.append("INFO replication failed: ").append(e).append('\n');
            }
            try {
                String javaBin = ProcessHandle.current().info().command().orElse("java");
                Path jcmd = Path.of(javaBin).resolveSibling("jcmd");
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(cluster.pid(i)), "Thread.print")
                        .redirectErrorStream(true).start();
                text.append(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (IOException e) {
                text.append("jcmd failed: ").append(e).append('\n');
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            java.nio.file.Files.writeString(file, text);
        } catch (IOException e) {
            // the line below still says it happened
        }
        out.println("  " + mode.name() + " cycle " + number + ": " + what + "; node states and threads in " + file);
        out.flush();
    }

    /** Waits for a write acknowledged in a term after {@code oldTerm} (or by another node, if its term is unknown). */
    private LabWriter.Ack awaitFailoverAck(int from, int oldLeader, long oldTerm, long untilNanos) {
        while (true) {
            LabWriter.Ack ack = writer.firstAck(from,
                    a -> a.term() > oldTerm || (a.term() < 0 && a.node() != oldLeader));
            if (ack != null || System.nanoTime() >= untilNanos) {
                return ack;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void awaitAck(int from, java.util.function.Predicate<LabWriter.Ack> matching, long deadlineMillis,
            String what) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        while (writer.firstAck(from, matching) == null) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("no " + what + " within " + deadlineMillis / 1000 + " s (writer: "
                        + writer.errors() + "); node logs in " + dir);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private int awaitHealthy(String what) {
        return await(monitor::healthyLeader, what, HEAL_DEADLINE_MILLIS);
    }

    private int await(IntSupplier probe, String what, long deadlineMillis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        while (true) {
            int leader = probe.getAsInt();
            if (leader >= 0) {
                return leader;
            }
            if (System.nanoTime() > until) {
                StringBuilder views = new StringBuilder();
                for (int i = 0; i < LabCluster.SIZE; i++) {
                    views.append(' ').append(LabCluster.name(i)).append('=').append(monitor.view(i));
                }
                throw new IllegalStateException("waited " + deadlineMillis / 1000 + " s for " + what + ";" + views
                        + "; node logs in " + dir);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private void progress(Cycle c) {
        out.printf("  %-12s cycle %3d/%-3d %-9s %s (term %d) -> %s (term %d)  RTO %s  elected seen %s  whole again"
                        + " %d ms  acked %d%s%n",
                mode.name(), c.number(), settings.cycles(), c.fault().label, LabCluster.name(c.oldLeader()),
                c.oldTerm(), LabCluster.name(c.newLeader()), c.newTerm(),
                c.rtoMillis() < 0 ? "NONE" : c.rtoMillis() + " ms",
                c.electedSeenMillis() < 0 ? "-" : c.electedSeenMillis() + " ms", c.healMillis(), writer.ackCount(),
                (c.electionsInCycle() > 1 ? "  (" + c.electionsInCycle() + " new terms led)" : "")
                        + (c.oldLeaderAcks() > 0 ? "  (" + LabCluster.name(c.oldLeader()) + " acknowledged "
                        + c.oldLeaderAcks() + " after the fault, the last at " + c.oldLeaderLastAckMillis() + " ms)"
                        : ""));
        out.flush();
    }

    /** Converges, then checks every acknowledged write on the final leader, the digests, terms and rollbacks. */
    private Result check(List<Cycle> cycles, String failure) throws IOException {
        int leader = -1;
        boolean digestsEqual = false;
        long lost = 0;
        List<String> lostExamples = new ArrayList<>();
        List<LabWriter.Ack> acks = writer.acks();
        try {
            leader = awaitHealthy("the replica set to converge after the run");
            digestsEqual = awaitEqualDigests();
            try (Jedis jedis = LabMonitor.connect(cluster.clientPort(leader), 30_000)) {
                for (int i = 0; i < acks.size(); i += 500) {
                    List<LabWriter.Ack> chunk = acks.subList(i, Math.min(acks.size(), i + 500));
                    List<String> values = jedis.mget(chunk.stream().map(a -> writer.key(a.seq()))
                            .toArray(String[]::new));
                    for (int j = 0; j < chunk.size(); j++) {
                        LabWriter.Ack a = chunk.get(j);
                        if (!writer.value(a.seq()).equals(values.get(j))) {
                            lost++;
                            if (lostExamples.size() < 5) {
                                lostExamples.add(writer.key(a.seq()) + " (acknowledged by " + LabCluster.name(a.node())
                                        + " term " + a.term() + " lsn " + a.lsn() + " at " + a.ackMillis() + ") reads "
                                        + values.get(j));
                            }
                        }
                    }
                }
            }
        } catch (IllegalStateException e) {
            failure = failure == null ? "after the run: " + e.getMessage() : failure;
        } catch (RuntimeException e) {
            failure = failure == null ? "reading the acknowledged writes back: " + e : failure;
        }
        // Deposed: acknowledged in a term lower than one whose leader was already known before the ack.
        List<Map.Entry<Long, LabMonitor.Elected>> known = new ArrayList<>(monitor.elected().entrySet());
        known.sort(Comparator.comparingLong(e -> e.getValue().atMillis()));
        long deposed = 0;
        long unknownTerm = 0;
        List<String> deposedExamples = new ArrayList<>();
        int k = 0;
        long maxKnown = 0;
        long maxKnownAt = 0;
        int maxKnownNode = -1;
        for (LabWriter.Ack a : acks) { // in acknowledgement order
            while (k < known.size() && known.get(k).getValue().atMillis() < a.ackMillis()) {
                if (known.get(k).getKey() > maxKnown) {
                    maxKnown = known.get(k).getKey();
                    maxKnownAt = known.get(k).getValue().atMillis();
                    maxKnownNode = known.get(k).getValue().node();
                }
                k++;
            }
            if (a.term() < 0) {
                unknownTerm++;
            } else if (a.term() < maxKnown) {
                deposed++;
                if (deposedExamples.size() < 5) {
                    deposedExamples.add(writer.key(a.seq()) + " acknowledged by " + LabCluster.name(a.node()) + " in term "
                            + a.term() + " at " + a.ackMillis() + " (sent " + a.sentMillis() + "), but "
                            + LabCluster.name(maxKnownNode) + " was known to lead term " + maxKnown + " at " + maxKnownAt);
                }
            }
        }
        // False failovers: terms led after the cycles began that no fault explains (one per cycle does).
        long led = monitor.elected().keySet().stream().filter(t -> t > baselineTerm).count();
        long explained = cycles.stream().filter(c -> c.rtoMillis() >= 0).count();
        long falseFailovers = Math.max(0, led - explained);
        long rolledBack = cluster.rolledBackEntries();
        return new Result(mode, cycles, acks.size(), lost, lostExamples, unknownTerm, rolledBack, deposed,
                deposedExamples, falseFailovers, digestsEqual, writer.errors(), cluster.pids(), dir, failure);
    }

    private boolean awaitEqualDigests() {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAL_DEADLINE_MILLIS);
        while (System.nanoTime() < until) {
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < LabCluster.SIZE; i++) {
                int port = cluster.clientPort(i);
                try (Jedis jedis = LabMonitor.connect(port, 5_000)) {
                    Object reply = jedis.sendCommand(() -> "TANDEM.DIGEST".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    digests.add(reply instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.US_ASCII)
                            : String.valueOf(reply));
                } catch (RuntimeException e) {
                    digests.add("unreachable " + i + ": " + e.getMessage());
                }
            }
            if (digests.stream().distinct().count() == 1) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    static Map<Fault, List<Long>> rtoByFault(List<Cycle> cycles) {
        Map<Fault, List<Long>> by = new TreeMap<>();
        for (Cycle c : cycles) {
            if (c.rtoMillis() >= 0) {
                by.computeIfAbsent(c.fault(), f -> new ArrayList<>()).add(c.rtoMillis());
            }
        }
        return by;
    }

    /** Nearest-rank percentile of a non-empty list. */
    static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static String orNone(Object o) {
        return Objects.toString(o, "-");
    }

    void closeQuietly() {
        if (writer != null) {
            try {
                writer.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (monitor != null) {
            monitor.close();
        }
    }
}
