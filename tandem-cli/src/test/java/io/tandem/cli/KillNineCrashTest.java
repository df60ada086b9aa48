package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
            AckedWriteLoad.verify(node.port(), loads);
            AckedWriteLoad load = new AckedWriteLoad(cycle, THREADS, node.port());
            load.awaitProgress(RUN, 5, Duration.ofSeconds(20));
            node.kill9(); // the writers are mid-request: each has one operation in flight
            load.awaitEnd();
            load.failIfAnyWriterFailed();
            loads.add(load);
            System.out.println("fsync " + fsync + " " + load.summary());
        }
        NodeProcess last = nodes.start("n-" + fsync + "-final", data, args);
        long keys = AckedWriteLoad.verify(last.port(), loads);
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
}
