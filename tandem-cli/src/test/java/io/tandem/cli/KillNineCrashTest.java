package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 under load, on a real node process: every acknowledged write survives, transactions are all or
 * nothing, and nothing that was never sent appears. Several cycles on one data directory, so later
 * recoveries start from logs that an earlier recovery already repaired, and segments roll (1 MiB) along
 * the way. Prints the acknowledged counts per cycle.
 */
class KillNineCrashTest {
    private static final int CYCLES = 3;
    private static final int THREADS = 6;
    private static final Duration RUN = Duration.ofMillis(1_800);
    /** Keys checked past each thread's last sent operation: they were never written. */
    private static final int NEVER_WRITTEN_PROBE = 20;

    @RegisterExtension
    final ChildNodes nodes = new ChildNodes();

    @TempDir
    Path tmp;

    /**
     * fsync always with 1 MiB segments; fsync batch also with a snapshot after every 256 KiB of log, so that the
     * kills land before, during and after snapshots and the segment deletions that follow them, and
     * recovery starts from a snapshot plus the log after it.
     */
    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(strings = {"always", "batch"})
    void acknowledgedWritesSurviveKill9(String fsync) throws Exception {
        Path data = tmp.resolve("data");
        String[] args = fsync.equals("batch")
                ? new String[] {"--fsync", fsync, "--wal-segment-bytes", "1mb", "--snapshot-after-log-bytes", "256kb"}
                : new String[] {"--fsync", fsync, "--wal-segment-bytes", "1mb"};
        List<AckedWriteLoad> loads = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            NodeProcess node = nodes.start("n-" + fsync + "-" + cycle, data, args);
            verify(node.port(), loads);
            AckedWriteLoad load = new AckedWriteLoad(cycle, THREADS, node.port());
            load.awaitProgress(RUN, 5, Duration.ofSeconds(20));
            node.kill9(); // the writers are mid-request: each has one operation in flight
            load.awaitEnd();
            load.failIfAnyWriterFailed();
            loads.add(load);
            System.out.println("fsync " + fsync + " " + load.summary());
        }
        NodeProcess last = nodes.start("n-" + fsync + "-final", data, args);
        long keys = verify(last.port(), loads);
        if (fsync.equals("batch")) {
            String log = last.logThroughReady();
            assertTrue(log.contains("snapshot loaded"), "recovery should have started from a snapshot:\n" + log);
        }
        System.out.println("fsync " + fsync + ": after " + CYCLES + " kill -9 cycles " + keys + " keys recovered, "
                + loads.stream().mapToLong(AckedWriteLoad::ackedSets).sum() + " acknowledged SETs and "
                + loads.stream().mapToLong(AckedWriteLoad::ackedTransactions).sum()
                + " acknowledged transactions all present");
        last.stop();
    }

    /** Checks every load against the node; returns the number of keys it holds. */
    private static long verify(int port, List<AckedWriteLoad> loads) throws IOException {
        long present = 0;
        try (RespConnection conn = new RespConnection(port)) {
            for (AckedWriteLoad load : loads) {
                for (AckedWriteLoad.Writer writer : load.writers()) {
                    present += verifyWriter(conn, writer);
                }
            }
            // Every key the loads could have written was counted above; any other key is an invention.
            assertEquals(present, conn.dbsize(), "DBSIZE against the keys the loads wrote");
        }
        return present;
    }

    private static long verifyWriter(RespConnection conn, AckedWriteLoad.Writer writer) throws IOException {
        String p = writer.prefix;
        int acked = writer.acked;
        int sent = writer.sent;
        int probeEnd = sent + NEVER_WRITTEN_PROBE;
        List<String> keys = new ArrayList<>();
        for (int op = 0; op < probeEnd; op++) {
            if (AckedWriteLoad.isTransaction(op)) {
                keys.add(AckedWriteLoad.txKeyA(p, op));
                keys.add(AckedWriteLoad.txKeyB(p, op));
            } else {
                keys.add(AckedWriteLoad.setKey(p, op));
            }
        }
        List<String> values = conn.mget(keys);
        long present = 0;
        int k = 0;
        for (int op = 0; op < probeEnd; op++) {
            String state = op < acked ? "acknowledged" : op < sent ? "in flight" : "never sent";
            if (AckedWriteLoad.isTransaction(op)) {
                String a = values.get(k++);
                String b = values.get(k++);
                String where = "transaction " + p + "#" + op + " (" + state + "): a=" + a + " b=" + b;
                if ((a == null) != (b == null)) {
                    throw new AssertionError("half a transaction survived: " + where);
                }
                if (a != null) {
                    assertEquals(AckedWriteLoad.txValue(AckedWriteLoad.txKeyA(p, op)), a, where);
                    assertEquals(AckedWriteLoad.txValue(AckedWriteLoad.txKeyB(p, op)), b, where);
                    present += 2;
                }
                check(op, acked, sent, a != null, where);
            } else {
                String v = values.get(k++);
                String where = "SET " + AckedWriteLoad.setKey(p, op) + " (" + state + "): " + v;
                if (v != null) {
                    assertEquals(AckedWriteLoad.setValue(p, op), v, where);
                    present++;
                }
                check(op, acked, sent, v != null, where);
            }
        }
        return present;
    }

    private static void check(int op, int acked, int sent, boolean exists, String where) {
        if (op < acked && !exists) {
            throw new AssertionError("acknowledged write lost: " + where);
        }
        if (op >= sent && exists) {
            throw new AssertionError("a write that was never sent exists: " + where);
        }
    }
}
