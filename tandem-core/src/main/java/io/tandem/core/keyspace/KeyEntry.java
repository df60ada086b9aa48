package io.tandem.core.keyspace;

/**
 * One key of the keyspace: its bytes, hash, value and expiry. An entry whose {@code epoch} is older than
 * the table's is shared with a frozen snapshot and must not be modified: the table copies it first.
 *
 * <p>{@code value} is a {@code byte[]} (string), {@link HashValue}, {@link SetValue} or {@link ListValue}.
 */
public final class KeyEntry {
    final byte[] key;
    final int hash;
    Object value;
    /** Absolute expiry in milliseconds of the writing node's clock, or {@link io.tandem.core.model.Effect#NO_EXPIRY}. */
    long expireAtMillis;
    int epoch;

    KeyEntry(byte[] key, int hash, int epoch) {
        this.key = key;
        this.hash = hash;
        this.epoch = epoch;
        this.expireAtMillis = io.tandem.core.model.Effect.NO_EXPIRY;
    }

    KeyEntry copy(int newEpoch) {
        KeyEntry copy = new KeyEntry(key, hash, newEpoch);
        copy.value = value;
        copy.expireAtMillis = expireAtMillis;
        return copy;
    }

    public byte[] key() {
        return key;
    }

    public Object value() {
        return value;
    }

    public long expireAtMillis() {
        return expireAtMillis;
    }

    public boolean hasExpiry() {
        return expireAtMillis >= 0;
    }

    /** Is this key past its expiry at {@code nowMillis}? Redis: a key expires when now > when. */
    public boolean isExpired(long nowMillis) {
        return expireAtMillis >= 0 && expireAtMillis < nowMillis;
    }
}
