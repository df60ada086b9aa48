package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tandem lab failover} for real, kept short: three node processes under quorum, one kill -9 and one
 * SIGSTOP of the leader; and two partitions of the leader (its peer traffic dropped by the lab's proxy while
 * the client still reaches it). Each cycle has a measured RTO; no acknowledged write is lost; none was
 * acknowledged in a deposed term; every process the lab started is gone afterwards.
 */
class FailoverLabCommandTest {
    /** Small heaps and C1 only: three nodes and the build share a small machine. */
    private static final String NODE_JVM = "-Xmx256m -Xss1m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    @Test
    void quorumLosesNoAcknowledgedWriteAcrossAKillAndAPauseOfTheLeader() {
        FailoverLabCommand lab = new FailoverLabCommand();
        int exit = new CommandLine(lab).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(
                "--modes", "quorum", "--faults", "kill,pause", "--cycles", "2", "--settle-millis", "300",
                "--dir", tmp.toString(), "--node-jvm-options", NODE_JVM);
        String transcript = out + "\n" + err;
        System.out.println(transcript);
        assertEquals(0, exit, transcript);
        assertEquals(1, lab.results.size(), transcript);
        FailoverLab.Result result = lab.results.get(0);
        assertEquals(List.of(FailoverLab.Fault.KILL, FailoverLab.Fault.PAUSE),
                result.cycles().stream().map(FailoverLab.Cycle::fault).toList(), transcript);
        for (FailoverLab.Cycle c : result.cycles()) {
            assertTrue(c.rtoMillis() > 0 && c.rtoMillis() < FailoverLab.FAILOVER_DEADLINE_MILLIS, "RTO of " + c);
            assertTrue(c.newTerm() > c.oldTerm(), "a later term acknowledged: " + c);
        }
        assertTrue(result.acknowledged() > 0, transcript);
        assertEquals(0, result.lost(), "acknowledged writes lost under quorum: " + result.lostExamples());
        assertEquals(0, result.deposed(), "acknowledged by a deposed term: " + result.deposedExamples());
        assertTrue(result.digestsEqual(), transcript);
        assertTrue(transcript.contains("RTO: fault -> first write acknowledged by the new leader"), transcript);
        assertTrue(result.pids().size() >= 4, "three nodes and one restart: " + result.pids());
        for (long pid : result.pids()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
    }

    @Test
    void quorumLosesNoAcknowledgedWriteWhenTheLeaderIsCutOffTwice() throws Exception {
        FailoverLabCommand lab = new FailoverLabCommand();
        int exit = new CommandLine(lab).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(
                "--modes", "quorum", "--faults", "partition", "--cycles", "2", "--settle-millis", "300",
                "--dir", tmp.toString(), "--node-jvm-options", NODE_JVM);
        String transcript = out + "\n" + err;
        System.out.println(transcript);
        assertEquals(0, exit, transcript);
        assertTrue(transcript.contains("Peer traffic between the nodes goes through the lab's proxy"), transcript);
        FailoverLab.Result result = lab.results.get(0);
        assertEquals(List.of(FailoverLab.Fault.PARTITION, FailoverLab.Fault.PARTITION),
                result.cycles().stream().map(FailoverLab.Cycle::fault).toList(), transcript);
        for (FailoverLab.Cycle c : result.cycles()) {
            assertTrue(c.rtoMillis() > 0 && c.rtoMillis() < FailoverLab.FAILOVER_DEADLINE_MILLIS, "RTO of " + c);
            assertTrue(c.newTerm() > c.oldTerm(), "a later term acknowledged: " + c);
            assertTrue(c.newLeader() != c.oldLeader(), "a cut-off leader cannot be re-elected while cut off: " + c);
        }
        assertTrue(result.acknowledged() > 0, transcript);
        assertEquals(0, result.lost(), "acknowledged writes lost under quorum: " + result.lostExamples());
        assertEquals(0, result.deposed(), "acknowledged by a deposed term: " + result.deposedExamples());
        assertTrue(result.digestsEqual(), transcript);
        assertTrue(transcript.contains("partition"), transcript);
        // The cut really was made, and healed: every node's log has the lab's markers.
        for (int i = 0; i < LabCluster.SIZE; i++) {
            String log = Files.readString(tmp.resolve("quorum").resolve(LabCluster.name(i) + ".log"));
            assertTrue(log.contains("==== lab: partition: ") && log.contains("==== lab: partition healed: "),
                    LabCluster.name(i) + ".log");
        }
        assertEquals(3, result.pids().size(), "no restarts, only the three nodes: " + result.pids());
        for (long pid : result.pids()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
    }

    @Test
    void badOptionsAreRefusedByNameBeforeAnythingStarts() {
        assertRefused("unknown mode 'sync' in --modes", "--modes", "quorum,sync");
        assertRefused("unknown fault 'nap' in --faults; expected kill, pause or partition", "--faults", "kill,nap");
        assertRefused("--partition-millis must be longer than the election timeout (500 ms)", "--partition-millis",
                "500");
        assertRefused("--cycles must be 1 or more, got 0", "--cycles", "0");
        assertRefused("K must be 1 or 2", "--modes", "semi-sync-3");
        assertRefused("--pause-millis must be longer than the election timeout (500 ms)", "--pause-millis", "400");
        assertRefused("at least twice --heartbeat-interval-millis", "--election-timeout-millis", "150");
    }

    private void assertRefused(String message, String... args) {
        StringWriter e = new StringWriter();
        String[] full = new String[args.length + 2];
        full[0] = "lab";
        full[1] = "failover";
        System.arraycopy(args, 0, full, 2, args.length);
        int exit = new CommandLine(new TandemCommand()).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(e)).execute(full);
        assertEquals(2, exit, e.toString());
        assertTrue(e.toString().contains(message), e.toString());
    }
}
