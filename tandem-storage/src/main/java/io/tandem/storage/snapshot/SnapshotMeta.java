package io.tandem.storage.snapshot;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a snapshot covers: the keyspace after applying every entry up to {@code lsn} (of {@code term}),
 * taken at {@code timeMillis}, plus the cluster configuration as opaque bytes (storage does not read
 * them; may be empty). The configuration array is copied in and out, so the record stays immutable.
 */
public record SnapshotMeta(long term, long lsn, long timeMillis, byte[] configuration) {
    /** Limit on the configuration bytes, so a corrupt length cannot make the reader allocate wildly. */
    public static final int MAX_CONFIGURATION_BYTES = 16 << 20;

    public SnapshotMeta {
        if (term < 0 || lsn < 0) {
            throw new IllegalArgumentException("snapshot term and lsn must be >= 0, got term " + term
                    + ", lsn " + lsn);
        }
        Objects.requireNonNull(configuration, "configuration (use an empty array)");
        if (configuration.length > MAX_CONFIGURATION_BYTES) {
            throw new IllegalArgumentException("snapshot configuration is " + configuration.length
                    + " bytes, above the limit of " + MAX_CONFIGURATION_BYTES);
        }
        configuration = configuration.clone();
    }

    @Override
    public byte[] configuration() {
        return configuration.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta m && term == m.term && lsn == m.lsn && timeMillis == m.timeMillis
                && Arrays.equals(configuration, m.configuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, lsn, timeMillis, Arrays.hashCode(configuration));
    }

    @Override
    public String toString() {
        String config = configuration.length <= 32 ? HexFormat.of().formatHex(configuration)
                : configuration.length + " bytes";
        return "SnapshotMeta[term=" + term + ", lsn=" + lsn + ", timeMillis=" + timeMillis
                + ", configuration=" + config + "]";
    }
}
