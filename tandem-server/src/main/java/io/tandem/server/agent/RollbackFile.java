package io.tandem.server.agent;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where a node records the entries it drops because they diverge from its leader's log (a deposed leader's
 * writes that no majority kept): {@code <data-dir>/rollback/<term>-<lsn>.jsonl}, term being this node's term
 * when it dropped them and lsn the first LSN dropped. Like MongoDB's rollback directory: nothing a node drops
 * is gone without a trace; an operator can read it and apply again what still matters.
 *
 * <p>One JSON object a line, one line per effect (an entry without effects, such as a new leader's opening
 * entry, is one {@code "effect":"noop"} line):
 *
 * <pre>
 * {"lsn":41,"term":3,"time":"2025-05-01T10:00:00.123Z","time_millis":1746093600123,"effect":"put_string","key":"k","value":"v","expire_at_millis":null}
 * </pre>
 *
 * and, for what only a snapshot held, a note line {@code {"note":"...","first_lsn":..,"last_lsn":..}}. Keys
 * and values: see {@link EffectJson}. Appends to the file if it exists (a truncation and a rewind at the
 * same point of the same term), and is fsynced, with its directory, before {@link #close} returns: the
 * entries are dropped from the log only after that.
 */
final class RollbackFile implements AutoCloseable {
    static final String DIRECTORY = "rollback";

    private final Path file;
    private final FileChannel channel;
    private final StringBuilder pending = new StringBuilder();
    private long entries;
    private boolean created;

    private RollbackFile(Path file, FileChannel channel, boolean created) {
        this.file = file;
        this.channel = channel;
        this.created = created;
    }

    /** Opens (creating if needed) the rollback file for entries dropped from {@code firstLsn} in {@code term}. */
    static RollbackFile open(Path dataDir, long term, long firstLsn) throws IOException {
        Path directory = dataDir.resolve(DIRECTORY);
        boolean newDirectory = !Files.isDirectory(directory);
        Files.createDirectories(directory);
        if (newDirectory) {
            syncDirectory(dataDir);
        }
        Path file = directory.resolve(term + "-" + firstLsn + ".jsonl");
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new RollbackFile(file, channel, created);
    }

    Path path() {
        return file;
    }

    /** Entries appended through this instance. */
    long entries() {
        return entries;
    }

    void append(Entry entry) throws IOException {
        entries++;
        String time = Instant.ofEpochMilli(entry.timeMillis()).toString();
        if (entry.effects().isEmpty()) {
            line(entry, time).append("\"effect\":\"noop\"}\n");
        }
        for (Effect effect : entry.effects()) {
            EffectJson.appendFields(line(entry, time), effect);
            pending.append("}\n");
        }
        if (pending.length() >= 1 << 16) {
            drain();
        }
    }

    private StringBuilder line(Entry entry, String time) {
        return pending.append("{\"lsn\":").append(entry.lsn()).append(",\"term\":").append(entry.term())
                .append(",\"time\":\"").append(time).append("\",\"time_millis\":").append(entry.timeMillis()).append(',');
    }

    /** A line for entries not listed one by one (they were only in a snapshot). */
    void note(String text, long firstLsn, long lastLsn) throws IOException {
        pending.append("{\"note\":");
        EffectJson.string(pending, text);
        pending.append(",\"first_lsn\":").append(firstLsn).append(",\"last_lsn\":").append(lastLsn).append("}\n");
        drain();
    }

    private void drain() throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        pending.setLength(0);
    }

    /** Writes what is pending and makes the file durable (and its name, when this created it). */
    @Override
    public void close() throws IOException {
        try (channel) {
            drain();
            channel.force(true);
        }
        if (created) {
            syncDirectory(file.getParent());
            created = false;
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
