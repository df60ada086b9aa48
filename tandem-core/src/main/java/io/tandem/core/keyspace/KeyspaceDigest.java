package io.tandem.core.keyspace;

import io.tandem.core.util.ByteKey;
import java.util.Map;

/**
 * A 64-bit digest of a keyspace that does not depend on iteration order or the hash seed: the wrapping
 * sum of one hash per key, each mixing the key, the type, the value and the expiry. Hash fields and set
 * members are summed too (their order is not data); list elements are folded in order (it is).
 * Two nodes with equal keyspaces have equal digests; unequal ones collide with probability ~2^-64.
 */
public final class KeyspaceDigest {
    private KeyspaceDigest() {}

    public static long of(Keyspace keyspace) {
        long[] sum = {0};
        keyspace.forEach(entry -> sum[0] += ofEntry(entry));
        return sum[0];
    }

    public static long of(FrozenKeyspace keyspace) {
        long[] sum = {0};
        keyspace.forEach(entry -> sum[0] += ofEntry(entry));
        return sum[0];
    }

    static long ofEntry(KeyEntry entry) {
        long h = mix(bytes(entry.key) ^ 0x9e3779b97f4a7c15L);
        h = mix(h + entry.expireAtMillis);
        return mix(h + ofValue(entry.value));
    }

    private static long ofValue(Object value) {
        switch (value) {
            case byte[] b -> {
                return mix(1 + bytes(b));
            }
            case HashValue hash -> {
                long sum = 2;
                for (Map.Entry<ByteKey, byte[]> e : hash.fields.entrySet()) {
                    sum += mix(bytes(e.getKey().bytes()) * 31 + bytes(e.getValue()));
                }
                return mix(sum);
            }
            case SetValue set -> {
                long sum = 3;
                for (ByteKey member : set.members) {
                    sum += mix(bytes(member.bytes()));
                }
                return mix(sum);
            }
            case ListValue list -> {
                long h = 4;
                for (int i = 0; i < list.size(); i++) {
                    h = mix(h * 31 + bytes(list.get(i)));
                }
                return h;
            }
            default -> throw new IllegalStateException("unknown value " + value);
        }
    }

    /** FNV-1a over the bytes, then mixed. */
    private static long bytes(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h + b.length);
    }

    /** The SplitMix64 finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
