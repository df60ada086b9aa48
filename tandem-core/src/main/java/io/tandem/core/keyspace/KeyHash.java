package io.tandem.core.keyspace;

/**
 * MurmurHash3 (x86, 32-bit) of a key with a seed. The seed is chosen per keyspace from the node's seeded
 * random generator, so a client cannot aim many keys at one trie path without knowing it, and a
 * simulator run is still reproducible from its seed.
 */
final class KeyHash {
    private KeyHash() {}

    @SuppressWarnings("fallthrough")
    static int hash(byte[] key, int seed) {
        int h = seed;
        int n = key.length;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int k = (key[i] & 0xff) | (key[i + 1] & 0xff) << 8 | (key[i + 2] & 0xff) << 16 | (key[i + 3] & 0xff) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (n - i) {
            case 3:
                k ^= (key[i + 2] & 0xff) << 16;
            case 2:
                k ^= (key[i + 1] & 0xff) << 8;
            case 1:
                k ^= key[i] & 0xff;
                h ^= mixK(k);
            default:
                break;
        }
        h ^= n;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixK(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }
}
