package io.tandem.storage.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    @TempDir
    Path dataDir;

    private static SnapshotMeta meta(long lsn) {
        return new SnapshotMeta(1, lsn, 0, new byte[0]);
    }

    @Test
    void leftoverTmpIsIgnoredAndRemovedAtStartUp() throws Exception {
        SnapshotStore store = SnapshotStore.open(dataDir);
        store.write(meta(100), List.of(new byte[] {1}).iterator(), null);
        // A crash while writing the snapshot at 200 left its .tmp (complete-looking or not).
        Path tmp = store.directory().resolve("snapshot-00000000000000000200.tsnap.tmp");
        Files.write(tmp, new byte[] {1, 2, 3});
        assertEquals(Optional.of(store.directory().resolve("snapshot-00000000000000000100.tsnap")), store.newest());
        assertEquals(1, store.list().size());

        SnapshotStore reopened = SnapshotStore.open(dataDir);
        assertFalse(Files.exists(tmp));
        assertEquals(100, SnapshotStore.lsnOf(reopened.newest().orElseThrow()));
    }

    @Test
    void newestAndRetention() throws Exception {
        SnapshotStore store = SnapshotStore.open(dataDir);
        assertTrue(store.newest().isEmpty());
        // Written out of order: listing goes by LSN, not by time or name order of writing.
        for (long lsn : new long[] {300, 9, 1000, 20}) {
            store.write(meta(lsn), List.of(("at " + lsn).getBytes()).iterator(), null);
        }
        Files.write(store.directory().resolve("notes.txt"), new byte[] {1});
        assertEquals(List.of(9L, 20L, 300L, 1000L), store.list().stream().map(SnapshotStore::lsnOf).toList());
        assertEquals(1000, SnapshotStore.lsnOf(store.newest().orElseThrow()));

        List<Path> deleted = store.retainNewest();
        assertEquals(List.of(9L, 20L), deleted.stream().map(SnapshotStore::lsnOf).toList());
        assertEquals(List.of(300L, 1000L), store.list().stream().map(SnapshotStore::lsnOf).toList());
        assertEquals(meta(1000), store.read(store.newest().orElseThrow(), r -> { }));
        assertThrows(IllegalArgumentException.class, () -> store.retainNewest(0));
        assertTrue(Files.exists(store.directory().resolve("notes.txt")), "foreign files are left alone");
    }
}
