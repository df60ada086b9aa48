package io.tandem.core.keyspace;

import io.tandem.core.util.ByteKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hash: fields to values, in insertion order (as Redis's listpack keeps small hashes, so HGETALL of a
 * small hash matches Redis's order). {@code epoch} says which snapshot generation may still read it: the
 * keyspace copies a hash whose epoch is older before it changes it.
 */
public final class HashValue {
    final LinkedHashMap<ByteKey, byte[]> fields;
    final int epoch;

    HashValue(int epoch) {
        this(new LinkedHashMap<>(), epoch);
    }

    private HashValue(LinkedHashMap<ByteKey, byte[]> fields, int epoch) {
        this.fields = fields;
        this.epoch = epoch;
    }

    HashValue copy(int newEpoch) {
        return new HashValue(new LinkedHashMap<>(fields), newEpoch);
    }

    public int size() {
        return fields.size();
    }

    public byte[] get(byte[] field) {
        return fields.get(new ByteKey(field));
    }

    /** Read-only view, in insertion order. */
    public Map<ByteKey, byte[]> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }
}
