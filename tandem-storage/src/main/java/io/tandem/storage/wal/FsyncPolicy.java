package io.tandem.storage.wal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * When an appended record counts as durable, i.e. when the WAL reports its LSN through
 * {@link DurableListener#onDurable(long)} and {@link Wal#durableLsn()}.
 *
 * <p>The choice trades write latency and throughput against what a crash can lose. A process crash
 * (kill -9) loses only what was never handed to the kernel with write(); an OS crash or power loss also
 * loses what was written but not yet fdatasync'ed.
 */
public enum FsyncPolicy {
    /**
     * The caller's thread writes and fdatasyncs on every {@link Wal#flush()} before it returns, like Redis's
     * {@code appendfsync always}, which blocks its event loop for the sync. Nothing acknowledged is lost even
     * on power loss; the caller pays one fdatasync (~90-140 µs here) per flush.
     */
    ALWAYS,
    /**
     * Group commit (the default): a dedicated writer thread writes and fdatasyncs. Everything flushed while
     * the previous fdatasync was in flight goes out in the next write + fdatasync, and the durable LSN is
     * reported when that fdatasync completes. Same guarantee as ALWAYS; the caller never blocks and many
     * flushes share one fdatasync.
     */
    BATCH,
    /**
     * The caller's thread write()s on flush, so a process crash loses nothing; the writer thread fdatasyncs
     * once a second, so an OS crash loses up to about a second. The durable LSN reported is the written LSN.
     */
    EVERYSEC,
    /**
     * The caller's thread write()s on flush and never fdatasyncs (the OS writes back when it likes; close()
     * still syncs). The durable LSN reported is the written LSN.
     */
    NEVER;

    /** The configuration spelling: {@code always}, {@code batch}, {@code everysec}, {@code never}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration value, ignoring case and surrounding blanks. */
    public static FsyncPolicy parse(String value) {
        if (value != null) {
            String wanted = value.strip();
            for (FsyncPolicy policy : values()) {
                if (policy.name().equalsIgnoreCase(wanted)) {
                    return policy;
                }
            }
        }
        String allowed = Arrays.stream(values()).map(FsyncPolicy::configName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown fsync policy '" + value + "': allowed values are " + allowed);
    }
}
