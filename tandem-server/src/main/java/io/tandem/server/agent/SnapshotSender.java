package io.tandem.server.agent;

import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.server.metrics.ServerStats;
import io.tandem.storage.snapshot.SnapshotMeta;
import io.tandem.storage.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;

/**
 * The leader's side of a snapshot transfer: streams its newest snapshot file to a follower that needs
 * entries the log no longer holds (the core decides that, and asks with {@code sendSnapshot}).
 *
 * <p>One chunk is in flight at a time and the follower's acknowledgement names the offset it needs next,
 * so the follower drives the transfer: a lost or damaged chunk is simply asked for again, and a follower
 * that restarted its side asks for offset 0. A chunk unacknowledged for {@link #RESEND_MILLIS} is sent
 * again (the transport drops messages while a connection is down). Each chunk carries a CRC32C of its
 * bytes; the file's own block checksums are verified again by the follower before it installs anything.
 *
 * <p>The file is opened once when the transfer starts: a newer snapshot may replace it in the store
 * meanwhile, and the open channel keeps reading the old one. Runs on the agent thread; the reads come
 * from the page cache in the common case.
 */
final class SnapshotSender {
    private static final System.Logger LOG = System.getLogger(SnapshotSender.class.getName());

    /** Bytes per chunk: large enough that the per-chunk round trip costs little, far below the frame limit. */
    static final int CHUNK_BYTES = 2 << 20;
    static final long RESEND_MILLIS = 1_000;

    private final SnapshotStore store;
    private final BiConsumer<NodeId, Message> send;
    private final ServerStats stats;
    private final Map<NodeId, Transfer> transfers = new HashMap<>();

    private static final class Transfer {
        final Path file;
        final FileChannel channel;
        final SnapshotMeta meta;
        final long totalBytes;
        final long startedNanos = System.nanoTime();
        long sentOffset = -1;
        long sentMillis;

        Transfer(Path file, FileChannel channel, SnapshotMeta meta, long totalBytes) {
            this.file = file;
            this.channel = channel;
            this.meta = meta;
            this.totalBytes = totalBytes;
        }
    }

    SnapshotSender(SnapshotStore store, BiConsumer<NodeId, Message> send, ServerStats stats) {
        this.store = store;
        this.send = send;
        this.stats = stats;
    }

    /** Starts streaming the newest snapshot to {@code to}, replacing a transfer to it under way. */
    void start(NodeId to, long term, NodeId self, long nowMillis) {
        stop(to);
        Optional<Path> newest;
        try {
            newest = store.newest();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot list snapshots to bootstrap " + to + ": " + e);
            return;
        }
        if (newest.isEmpty()) {
            // Cannot happen unless snapshot files were removed by hand: segments are deleted only once a
            // snapshot covers them. The core gives the transfer up after its stall timeout and tries again.
            LOG.log(System.Logger.Level.ERROR, "follower " + to + " needs a snapshot but " + store.directory()
                    + " holds none; run BGSAVE on this node");
            return;
        }
        Path file = newest.get();
        FileChannel channel = null;
        try {
            SnapshotMeta meta = SnapshotStore.header(file);
            channel = FileChannel.open(file, StandardOpenOption.READ);
            Transfer transfer = new Transfer(file, channel, meta, channel.size());
            transfers.put(to, transfer);
            stats.snapshotTransfersStarted++;
            LOG.log(System.Logger.Level.INFO, "bootstrapping " + to + " from snapshot " + file.getFileName() + " (LSN "
                    + meta.lsn() + ", " + transfer.totalBytes + " bytes)");
            sendChunk(to, transfer, 0, term, self, nowMillis);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot read snapshot " + file + " for " + to + ": " + e);
            closeQuietly(channel);
            transfers.remove(to);
        }
    }

    /** The follower needs {@code ack.nextOffset()} next (or gave up, or has it all). */
    void onAck(Message.SnapshotAck ack, long term, NodeId self, long nowMillis) {
        Transfer transfer = transfers.get(ack.from());
        if (transfer == null || transfer.meta.lsn() != ack.snapshotLsn()) {
            return; // an answer about a transfer that was replaced or finished
        }
        if (ack.failed()) {
            LOG.log(System.Logger.Level.WARNING, ack.from() + " gave up the snapshot transfer at byte " + ack.nextOffset());
            stop(ack.from());
            return;
        }
        if (ack.nextOffset() >= transfer.totalBytes) {
            long micros = Math.max(1, (System.nanoTime() - transfer.startedNanos) / 1000);
            stats.snapshotTransfersCompleted++;
            stats.snapshotBytesSent += transfer.totalBytes;
            LOG.log(System.Logger.Level.INFO, "snapshot at LSN " + transfer.meta.lsn() + " sent to " + ack.from() + ": "
                    + transfer.totalBytes + " bytes in " + micros / 1000 + " ms (" + transfer.totalBytes / micros
                    + " MB/s)");
            stop(ack.from());
            return;
        }
        // An acknowledgement repeating the offset just sent is a duplicate (the chunk is on its way): the
        // resend timer covers a chunk that was really lost.
        if (ack.nextOffset() == transfer.sentOffset && nowMillis - transfer.sentMillis < RESEND_MILLIS) {
            return;
        }
        sendChunk(ack.from(), transfer, ack.nextOffset(), term, self, nowMillis);
    }

    /**
     * Sends again a chunk left unacknowledged too long, and drops transfers the core no longer wants (the
     * follower said its log reaches the snapshot, or subscribed again). Called on the agent's timer.
     */
    void onTick(long term, NodeId self, long nowMillis, java.util.function.Predicate<NodeId> wanted) {
        for (Map.Entry<NodeId, Transfer> e : Map.copyOf(transfers).entrySet()) {
            Transfer transfer = e.getValue();
            if (!wanted.test(e.getKey())) {
                stop(e.getKey());
            } else if (nowMillis - transfer.sentMillis >= RESEND_MILLIS) {
                sendChunk(e.getKey(), transfer, transfer.sentOffset, term, self, nowMillis);
            }
        }
    }

    private void sendChunk(NodeId to, Transfer transfer, long offset, long term, NodeId self, long nowMillis) {
        if (offset < 0 || offset > transfer.totalBytes) {
            LOG.log(System.Logger.Level.WARNING, to + " asked for byte " + offset + " of a " + transfer.totalBytes
                    + "-byte snapshot; starting over");
            offset = 0;
        }
        int length = (int) Math.min(CHUNK_BYTES, transfer.totalBytes - offset);
        ByteBuffer data = ByteBuffer.allocate(length);
        try {
            while (data.hasRemaining()) {
                if (transfer.channel.read(data, offset + data.position()) < 0) {
                    throw new IOException("the file ended at " + (offset + data.position()));
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "reading snapshot " + transfer.file + " at offset " + offset + " for "
                    + to + " failed: " + e);
            stop(to);
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(data.array(), 0, length);
        send.accept(to, new Message.SnapshotChunk(term, self, transfer.meta.lsn(), transfer.meta.term(), offset,
                transfer.totalBytes, data.array(), (int) crc.getValue()));
        transfer.sentOffset = offset;
        transfer.sentMillis = nowMillis;
    }

    private void stop(NodeId to) {
        Transfer transfer = transfers.remove(to);
        if (transfer != null) {
            closeQuietly(transfer.channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
