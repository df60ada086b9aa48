package io.tandem.server.agent;

import io.netty.channel.EventLoop;
import io.tandem.core.keyspace.KeyRecordCodec;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.server.metrics.ServerStats;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotReader;
import io.tandem.storage.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;

/**
 * The follower's side of a snapshot transfer. Chunks are written, in order, to a {@code .tmp} file in the
 * snapshot store; each acknowledgement names the offset needed next, so a chunk that is lost, arrives out
 * of order or fails its CRC32C is simply asked for again. Once the last byte is in, a background thread
 * syncs the file and reads it whole, which verifies every block checksum and the trailer while it loads
 * the keys into a fresh keyspace. Only then, back on the agent thread, does the snapshot replace
 * anything (see {@link Installer}); a damaged file is deleted and the leader told to start over.
 *
 * <p>Limits: a chunk is at most {@link #MAX_CHUNK_BYTES}; a snapshot larger than the free space of the
 * data directory is refused up front (the leader is told, and logs it).
 */
final class SnapshotReceiver {
    private static final System.Logger LOG = System.getLogger(SnapshotReceiver.class.getName());

    static final int MAX_CHUNK_BYTES = 16 << 20;

    /** Installs a verified snapshot on the agent thread; returns false when it no longer applies. */
    interface Installer {
        boolean install(Path file, SnapshotMeta meta, Keyspace keys);
    }

    private final SnapshotStore store;
    private final ExecutorService background;
    private final EventLoop loop;
    private final BiConsumer<NodeId, Message> send;
    private final ServerStats stats;
    private final Installer installer;

    private Transfer current;
    /** A received snapshot being verified and loaded in the background: chunks wait until it is done. */
    private boolean loading;

    private static final class Transfer {
        final NodeId from;
        final long lsn;
        final long term;
        final long totalBytes;
        final Path file;
        final FileChannel channel;
        final long startedNanos = System.nanoTime();
        long expected;

        Transfer(NodeId from, long lsn, long term, long totalBytes, Path file, FileChannel channel) {
            this.from = from;
            this.lsn = lsn;
            this.term = term;
            this.totalBytes = totalBytes;
            this.file = file;
            this.channel = channel;
        }

        boolean matches(Message.SnapshotChunk chunk) {
            return from.equals(chunk.from()) && lsn == chunk.snapshotLsn() && term == chunk.snapshotTerm()
                    && totalBytes == chunk.totalBytes();
        }
    }

    SnapshotReceiver(SnapshotStore store, ExecutorService background, EventLoop loop, BiConsumer<NodeId, Message> send,
            ServerStats stats, Installer installer) {
        this.store = store;
        this.background = background;
        this.loop = loop;
        this.send = send;
        this.stats = stats;
        this.installer = installer;
    }

    /** A chunk the core accepted (current term, from the leader). {@code nodeTerm} signs the answer. */
    void onChunk(Message.SnapshotChunk chunk, long nodeTerm, NodeId self, int hashSeed) {
        if (loading) {
            return; // the previous transfer is being loaded; the leader resends what stays unanswered
        }
        // A chunk of another transfer (a newer snapshot, or the leader started over): begin again at 0.
        if (current == null || !current.matches(chunk)) {
            if (chunk.offset() != 0) {
                ack(chunk.from(), nodeTerm, self, chunk.snapshotLsn(), 0, false);
                return;
            }
            abort("the leader started another transfer");
            if (!begin(chunk, nodeTerm, self)) {
                return;
            }
        }
        Transfer t = current;
        // Is this the chunk we need next? A duplicate or one after a lost chunk: ask for the right one.
        if (chunk.offset() != t.expected || chunk.data().length > MAX_CHUNK_BYTES) {
            ack(t.from, nodeTerm, self, t.lsn, t.expected, false);
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(chunk.data());
        if ((int) crc.getValue() != chunk.crc32c()) {
            LOG.log(System.Logger.Level.WARNING, "snapshot chunk at offset " + chunk.offset() + " from " + t.from
                    + " failed its CRC32C; asking for it again");
            stats.snapshotChunksRejected++;
            ack(t.from, nodeTerm, self, t.lsn, t.expected, false);
            return;
        }
        try {
            ByteBuffer data = ByteBuffer.wrap(chunk.data());
            while (data.hasRemaining()) {
                t.channel.write(data, t.expected + data.position());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "writing the snapshot from " + t.from + " to " + t.file + " failed: " + e);
            abort("write failed");
            ack(chunk.from(), nodeTerm, self, chunk.snapshotLsn(), 0, true);
            return;
        }
        t.expected += chunk.data().length;
        ack(t.from, nodeTerm, self, t.lsn, t.expected, false);
        if (t.expected == t.totalBytes) {
            finish(t, nodeTerm, self, hashSeed);
        }
    }

    private boolean begin(Message.SnapshotChunk chunk, long nodeTerm, NodeId self) {
        Path file = store.receivingFile(chunk.snapshotLsn());
        try {
            long usable = Files.getFileStore(store.directory()).getUsableSpace();
            if (chunk.totalBytes() > usable) {
                LOG.log(System.Logger.Level.ERROR, "the snapshot from " + chunk.from() + " needs " + chunk.totalBytes()
                        + " bytes but " + store.directory() + " has " + usable + " free: cannot bootstrap");
                ack(chunk.from(), nodeTerm, self, chunk.snapshotLsn(), 0, true);
                return false;
            }
            Files.deleteIfExists(file);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            current = new Transfer(chunk.from(), chunk.snapshotLsn(), chunk.snapshotTerm(), chunk.totalBytes(), file,
                    channel);
            LOG.log(System.Logger.Level.INFO, "receiving a snapshot from " + chunk.from() + " (LSN " + chunk.snapshotLsn()
                    + ", " + chunk.totalBytes() + " bytes): this node's log is behind the leader's first entry");
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot create " + file + " for the snapshot from " + chunk.from() + ": " + e);
            ack(chunk.from(), nodeTerm, self, chunk.snapshotLsn(), 0, true);
            return false;
        }
    }

    /** Every byte is in: sync, verify and load in the background, then install on the agent thread. */
    private void finish(Transfer t, long nodeTerm, NodeId self, int hashSeed) {
        current = null;
        loading = true;
        long receiveMillis = (System.nanoTime() - t.startedNanos) / 1_000_000;
        background.execute(() -> {
            Keyspace keys = new Keyspace(hashSeed);
            SnapshotMeta meta = null;
            Exception failure = null;
            try (FileChannel channel = t.channel) {
                channel.force(true);
                meta = SnapshotReader.read(t.file, record -> KeyRecordCodec.decodeInto(keys, record));
                if (meta.lsn() != t.lsn || meta.term() != t.term) {
                    throw new IOException("the file says LSN " + meta.lsn() + " term " + meta.term() + " but the leader"
                            + " announced LSN " + t.lsn + " term " + t.term);
                }
            } catch (Exception e) {
                failure = e;
            }
            SnapshotMeta loaded = meta;
            Exception failed = failure;
            loop.execute(() -> installed(t, loaded, keys, failed, receiveMillis, nodeTerm, self));
        });
    }

    private void installed(Transfer t, SnapshotMeta meta, Keyspace keys, Exception failure, long receiveMillis,
            long nodeTerm, NodeId self) {
        loading = false;
        if (failure != null) {
            // Never serve bad data: the file is dropped and the leader starts over.
            LOG.log(System.Logger.Level.ERROR, "the snapshot received from " + t.from + " does not verify; deleting it"
                    + " and asking again: " + failure.getMessage());
            stats.snapshotChunksRejected++;
            deleteQuietly(t.file);
            ack(t.from, nodeTerm, self, t.lsn, 0, true);
            return;
        }
        int keyCount = keys.size(); // the core takes the keys over
        if (!installer.install(t.file, meta, keys)) {
            LOG.log(System.Logger.Level.INFO, "the snapshot at LSN " + meta.lsn() + " no longer applies here; discarded");
            deleteQuietly(t.file);
            return;
        }
        stats.snapshotsInstalled++;
        LOG.log(System.Logger.Level.INFO, "installed the snapshot from " + t.from + " at LSN " + meta.lsn() + ": "
                + keyCount + " keys, " + t.totalBytes + " bytes received in " + receiveMillis + " ms");
    }

    /**
     * Drops a transfer under way because this node's own state is being rebuilt (a rewind): the leader
     * starts a new one if it still needs to. A transfer already being loaded is refused when it comes to be
     * installed (the installer checks).
     */
    void abandon(String why) {
        abort(why);
    }

    /** Drops a transfer under way (another transfer begins). */
    private void abort(String why) {
        Transfer t = current;
        current = null;
        if (t == null) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "dropping the partial snapshot from " + t.from + " (" + t.expected + " of "
                + t.totalBytes + " bytes): " + why);
        try {
            t.channel.close();
        } catch (IOException ignored) {
            // deleted next
        }
        deleteQuietly(t.file);
    }

    private void ack(NodeId to, long nodeTerm, NodeId self, long lsn, long nextOffset, boolean failed) {
        send.accept(to, new Message.SnapshotAck(nodeTerm, self, lsn, nextOffset, failed));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + file + ": " + e);
        }
    }
}
