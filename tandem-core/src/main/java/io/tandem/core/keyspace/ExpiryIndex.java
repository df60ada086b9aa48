package io.tandem.core.keyspace;

import io.tandem.core.util.ByteKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.random.RandomGenerator;

/**
 * The keys that have a time to live, with O(1) add, remove and random pick, so active expiry can sample
 * keys with a TTL (as Redis samples its expires dict) instead of the whole keyspace.
 */
final class ExpiryIndex {
    private final ArrayList<ByteKey> keys = new ArrayList<>();
    private final HashMap<ByteKey, Integer> positions = new HashMap<>();

    int size() {
        return keys.size();
    }

    void add(byte[] key) {
        ByteKey k = new ByteKey(key);
        if (positions.putIfAbsent(k, keys.size()) == null) {
            keys.add(k);
        }
    }

    void remove(byte[] key) {
        Integer at = positions.remove(new ByteKey(key));
        if (at == null) {
            return;
        }
        // Swap-remove: move the last key into the hole.
        ByteKey last = keys.remove(keys.size() - 1);
        if (at < keys.size()) {
            keys.set(at, last);
            positions.put(last, at);
        }
    }

    byte[] random(RandomGenerator random) {
        return keys.isEmpty() ? null : keys.get(random.nextInt(keys.size())).bytes();
    }

    void clear() {
        keys.clear();
        positions.clear();
    }
}
