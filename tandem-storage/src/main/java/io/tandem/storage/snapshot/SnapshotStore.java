package io.tandem.storage.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The snapshots of one data directory, in {@code <dataDir>/snapshots}: finds the newest, lists them,
 * deletes all but the newest few, and at start-up removes the {@code .tmp} files that crashed writes left.
 */
public final class SnapshotStore {
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());

    public static final String DIRECTORY = "snapshots";
    /** Keep the newest two: if the newest turns out damaged, the one before it (plus the log) still works. */
    public static final int DEFAULT_KEEP = 2;

    private final Path directory;

    private SnapshotStore(Path directory) {
        this.directory = directory;
    }

    /**
     * Opens the store, creating the directory if needed and deleting stale {@code .tmp} files. Call at
     * start-up, before any snapshot is being written: a .tmp is stale only when no writer is running.
     */
    public static SnapshotStore open(Path dataDir) throws IOException {
        Path directory = dataDir.resolve(DIRECTORY);
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory);
            SnapshotWriter.syncDirectory(dataDir);
        }
        boolean removed = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SnapshotFormat.TMP_SUFFIX)) {
            for (Path tmp : files) {
                LOG.log(System.Logger.Level.INFO, "snapshot: removing " + tmp + ", left by an interrupted write");
                Files.deleteIfExists(tmp);
                removed = true;
            }
        }
        if (removed) {
            SnapshotWriter.syncDirectory(directory);
        }
        return new SnapshotStore(directory);
    }

    public Path directory() {
        return directory;
    }

    /** The complete snapshots, oldest (lowest LSN) first; .tmp and foreign files are not listed. */
    public List<Path> list() throws IOException {
        List<Path> snapshots = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                if (lsnOf(file) >= 0 && Files.isRegularFile(file)) {
                    snapshots.add(file);
                }
            }
        }
        snapshots.sort(Comparator.comparingLong(SnapshotStore::lsnOf));
        return snapshots;
    }

    /** The snapshot with the highest LSN, if any. */
    public Optional<Path> newest() throws IOException {
        List<Path> snapshots = list();
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(snapshots.size() - 1));
    }

    /** Deletes all but the newest {@code keep} snapshots (keep >= 1) and returns what it deleted. */
    public List<Path> retainNewest(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        List<Path> snapshots = list();
        List<Path> deleted = new ArrayList<>();
        for (int i = 0; i < snapshots.size() - keep; i++) {
            Files.deleteIfExists(snapshots.get(i));
            deleted.add(snapshots.get(i));
        }
        if (!deleted.isEmpty()) {
            SnapshotWriter.syncDirectory(directory);
        }
        return deleted;
    }

    /** {@link #retainNewest(int)} with {@link #DEFAULT_KEEP}. */
    public List<Path> retainNewest() throws IOException {
        return retainNewest(DEFAULT_KEEP);
    }

    /** Writes a snapshot into this store; see {@link SnapshotWriter#write}. */
    public Path write(SnapshotMeta meta, Iterator<byte[]> records, LongConsumer progressRecords) throws IOException {
        return SnapshotWriter.write(directory, meta, records, progressRecords);
    }

    /** Reads a snapshot; see {@link SnapshotReader#read}. */
    public SnapshotMeta read(Path file, Consumer<byte[]> records) throws IOException {
        return SnapshotReader.read(file, records);
    }

    /**
     * Where a snapshot streamed from the leader is written while it arrives. A {@code .tmp} name, so a
     * transfer a crash interrupted is removed at the next start-up.
     */
    public Path receivingFile(long lsn) {
        return directory.resolve(SnapshotFormat.fileName(lsn) + ".recv" + SnapshotFormat.TMP_SUFFIX);
    }

    /**
     * Makes a received snapshot, already verified by reading it, one of this store's: synced, renamed to
     * its LSN's name atomically, directory synced. From then on a restart recovers from it.
     */
    public Path install(Path received, long lsn) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(received,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Path target = directory.resolve(SnapshotFormat.fileName(lsn));
        Files.move(received, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        SnapshotWriter.syncDirectory(directory);
        return target;
    }

    /** The header of a snapshot (term, LSN, time), verified by its CRC, without reading the keys. */
    public static SnapshotMeta header(Path file) throws IOException {
        return SnapshotReader.header(file);
    }

    /** The LSN in a snapshot's file name, or -1 if it is not a snapshot file name. */
    public static long lsnOf(Path file) {
        return SnapshotFormat.lsnOf(file.getFileName().toString());
    }
}
