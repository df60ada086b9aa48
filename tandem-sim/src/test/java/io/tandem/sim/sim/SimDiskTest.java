package io.tandem.sim.sim;

import static io.tandem.sim.sim.SimLogTest.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The disk model: group commit (an fsync covers what was appended before it started), the durable LSN the
 * node hears, crashes that keep only the durable image (or, torn, a prefix of the batch being synced).
 */
class SimDiskTest {
    /** Writes take 100 us, fsyncs 1000 us, exactly. */
    private static final DiskProfile FIXED = new DiskProfile(100, 100, 1000, 1000, 0, 1);

    private final Scheduler scheduler = new Scheduler(new Trace(100, false));
    private final SimDisk disk = new SimDisk("n1", scheduler, new SplittableRandom(7), FIXED, 1);
    private final List<Long> heard = new ArrayList<>();

    SimDiskTest() {
        disk.onDurable(heard::add);
    }

    @Test
    void groupCommitCoversWhatWasAppendedBeforeTheFsyncStarted() {
        disk.append(entry(1, 1, "a"));
        scheduler.runUntil(50);
        disk.append(entry(1, 2, "b")); // still in the write: joins the first fsync
        scheduler.runUntil(500);
        disk.append(entry(1, 3, "c")); // the fsync started at 100: waits for the next one
        scheduler.runUntil(1100);
        assertEquals(List.of(2L), heard);
        assertEquals(2, disk.durableLsn());
        scheduler.runUntil(10_000);
        assertEquals(List.of(2L, 3L), heard);
        assertTrue(disk.idle());
    }

    @Test
    void crashKeepsOnlyTheDurableImage() {
        disk.append(entry(1, 1, "a"));
        scheduler.runUntil(2000);
        disk.append(entry(1, 2, "b"));
        disk.append(entry(1, 3, "c"));
        scheduler.runUntil(2500); // the second fsync is in flight
        assertEquals(2, disk.crash(false));
        assertEquals(1, disk.log().lastLsn());
        scheduler.runUntil(10_000);
        assertEquals(List.of(1L), heard, "the fsync of the crashed process never completes");
    }

    @Test
    void tornTailKeepsAPrefixOfTheBatchBeingSynced() {
        disk.append(entry(1, 1, "a"));
        scheduler.runUntil(2000);
        for (int lsn = 2; lsn <= 9; lsn++) {
            disk.append(entry(1, lsn, "x"));
        }
        scheduler.runUntil(2500);
        disk.crash(true);
        long kept = disk.log().lastLsn();
        assertTrue(kept >= 1 && kept <= 9, "kept " + kept);
        assertEquals(kept, disk.durableEntries().size());
        for (long lsn = 1; lsn <= kept; lsn++) {
            assertEquals(lsn, disk.log().get(lsn).lsn());
        }
    }

    @Test
    void truncationDuringAnFsyncLimitsWhatTheNodeHears() {
        for (int lsn = 1; lsn <= 10; lsn++) {
            disk.append(entry(1, lsn, "a"));
        }
        scheduler.runUntil(500); // fsync of 1..10 in flight
        disk.truncateAfter(7);
        disk.append(entry(2, 8, "new"));
        scheduler.runUntil(1200);
        assertEquals(List.of(7L), heard, "the image holds the old 8..10: only 1..7 agree with the log");
        scheduler.runUntil(10_000);
        assertEquals(List.of(7L, 8L), heard);
        assertEquals(2, disk.durableEntries().get(7).term());
        assertEquals(8, disk.durableEntries().size());
    }
}
