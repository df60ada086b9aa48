package io.tandem.core.keyspace;

import io.tandem.core.util.Invariants;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The map from keys to {@link KeyEntry}s: a hash array mapped trie (Bagwell) whose nodes carry an epoch,
 * so that a consistent snapshot costs O(1) while writes go on.
 *
 * <p>Why a trie and not a HashMap: {@link #freeze()} hands the current root to a background snapshot
 * writer and bumps the epoch. From then on a write copies each node (and entry) on its path whose epoch is
 * older before changing it, exactly once per node per snapshot, so the frozen tree never changes under the
 * writer. Without a snapshot in progress every node is current and writes happen in place. A HashMap
 * would need a full copy (tens of milliseconds for millions of keys) or a stop-the-world pause.
 *
 * <p>Shape: each level consumes 5 bits of the 32-bit hash, low bits first (shifts 0, 5, ..., 30; the last
 * level has only 2 bits). Keys whose full hashes collide end in a collision node at shift 35, searched
 * linearly. Nodes keep only occupied slots, indexed by the popcount of the bitmap below the slot's bit.
 *
 * <p>Order: a depth-first walk visits keys in ascending {@link #order(int)}, the hash with its 5-bit
 * chunks reversed; SCAN's cursor is a position in that order, so keys present for a whole scan are
 * returned exactly once whatever else is inserted or removed.
 */
final class KeyTable {
    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    private static final int COLLISION_SHIFT = 35;

    static final class Node {
        int bitmap;
        Object[] slots; // KeyEntry or Node
        int epoch;
        final boolean collision; // slots are KeyEntries with the same hash; bitmap unused

        Node(int bitmap, Object[] slots, int epoch, boolean collision) {
            this.bitmap = bitmap;
            this.slots = slots;
            this.epoch = epoch;
            this.collision = collision;
        }

        Node copy(int newEpoch) {
            return new Node(bitmap, slots.clone(), newEpoch, collision);
        }
    }

    /** A root and its key count, never modified again: what a snapshot iterates. */
    record Frozen(Node root, int size) {
        void forEach(Consumer<KeyEntry> action) {
            KeyTable.forEach(root, action);
        }

        Iterator<KeyEntry> iterator() {
            return new Walk(root);
        }
    }

    /** A depth-first walk with an explicit stack (at most 8 levels deep), for pulling keys one by one. */
    private static final class Walk implements Iterator<KeyEntry> {
        private final Node[] nodes = new Node[9];
        private final int[] positions = new int[9];
        private int depth;
        private KeyEntry next;

        Walk(Node root) {
            nodes[0] = root;
            advance();
        }

        private void advance() {
            next = null;
            while (depth >= 0) {
                Node node = nodes[depth];
                if (positions[depth] == node.slots.length) {
                    depth--;
                    continue;
                }
                Object slot = node.slots[positions[depth]++];
                if (slot instanceof KeyEntry entry) {
                    next = entry;
                    return;
                }
                depth++;
                nodes[depth] = (Node) slot;
                positions[depth] = 0;
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public KeyEntry next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            KeyEntry result = next;
            advance();
            return result;
        }
    }

    private Node root;
    private int size;
    private int epoch;

    KeyTable() {
        root = emptyRoot(0);
    }

    private static Node emptyRoot(int epoch) {
        return new Node(0, new Object[0], epoch, false);
    }

    int size() {
        return size;
    }

    int epoch() {
        return epoch;
    }

    /** The entry for key, or null. The entry may be shared with a snapshot: read it, do not modify it. */
    KeyEntry get(byte[] key, int hash) {
        Node node = root;
        int shift = 0;
        while (true) {
            if (node.collision) {
                return findInCollision(node, key);
            }
            int bit = 1 << ((hash >>> shift) & MASK);
            if ((node.bitmap & bit) == 0) {
                return null;
            }
            Object slot = node.slots[Integer.bitCount(node.bitmap & (bit - 1))];
            if (slot instanceof KeyEntry entry) {
                return entry.hash == hash && Arrays.equals(entry.key, key) ? entry : null;
            }
            node = (Node) slot;
            shift += BITS;
        }
    }

    /**
     * The entry for key, copied first (with every node on its path) if a snapshot shares it, so the caller
     * may change its value and expiry. Returns null when the key is absent.
     */
    KeyEntry getForUpdate(byte[] key, int hash) {
        if (get(key, hash) == null) {
            return null;
        }
        Node node = mutableRoot();
        int shift = 0;
        while (true) {
            if (node.collision) {
                for (int i = 0; i < node.slots.length; i++) {
                    KeyEntry entry = (KeyEntry) node.slots[i];
                    if (Arrays.equals(entry.key, key)) {
                        return mutableEntry(node, i, entry);
                    }
                }
                throw new IllegalStateException("key vanished during update");
            }
            int bit = 1 << ((hash >>> shift) & MASK);
            int index = Integer.bitCount(node.bitmap & (bit - 1));
            Object slot = node.slots[index];
            if (slot instanceof KeyEntry entry) {
                return mutableEntry(node, index, entry);
            }
            node = mutableChild(node, index, (Node) slot);
            shift += BITS;
        }
    }

    /** Inserts a new entry for a key the caller knows is absent, and returns it (current epoch). */
    KeyEntry insert(byte[] key, int hash) {
        int before = size;
        KeyEntry created = getOrInsert(key, hash);
        Invariants.check(size == before + 1, "insert of a key already present (a snapshot holding a key twice?)");
        return created;
    }

    /**
     * The entry for key, made mutable as {@link #getForUpdate} makes it, or a new one (current epoch) when the
     * key is absent; {@link #size()} tells which. One walk down the trie for both, where a lookup followed by
     * an insert took two: the write path of SET and of a follower applying shipped entries, where most of a
     * bulk catch-up's time goes (10^6 new keys). It copies the path even when it inserts, which an insert does
     * anyway.
     */
    KeyEntry getOrInsert(byte[] key, int hash) {
        Node node = mutableRoot();
        int shift = 0;
        while (true) {
            if (node.collision) {
                for (int i = 0; i < node.slots.length; i++) {
                    KeyEntry entry = (KeyEntry) node.slots[i];
                    if (Arrays.equals(entry.key, key)) {
                        return mutableEntry(node, i, entry);
                    }
                }
                KeyEntry created = new KeyEntry(key, hash, epoch);
                Object[] slots = Arrays.copyOf(node.slots, node.slots.length + 1);
                slots[slots.length - 1] = created;
                node.slots = slots;
                size++;
                return created;
            }
            int bit = 1 << ((hash >>> shift) & MASK);
            int index = Integer.bitCount(node.bitmap & (bit - 1));
            if ((node.bitmap & bit) == 0) {
                KeyEntry created = new KeyEntry(key, hash, epoch);
                Object[] slots = new Object[node.slots.length + 1];
                System.arraycopy(node.slots, 0, slots, 0, index);
                slots[index] = created;
                System.arraycopy(node.slots, index, slots, index + 1, node.slots.length - index);
                node.slots = slots;
                node.bitmap |= bit;
                size++;
                return created;
            }
            Object slot = node.slots[index];
            if (slot instanceof KeyEntry existing) {
                if (existing.hash == hash && Arrays.equals(existing.key, key)) {
                    return mutableEntry(node, index, existing);
                }
                // Both keys share the hash bits up to here: push them down into a new subtree.
                KeyEntry created = new KeyEntry(key, hash, epoch);
                node.slots[index] = split(existing, created, shift + BITS);
                size++;
                return created;
            }
            node = mutableChild(node, index, (Node) slot);
            shift += BITS;
        }
    }

    private Node split(KeyEntry a, KeyEntry b, int shift) {
        if (shift >= COLLISION_SHIFT) {
            return new Node(0, new Object[] {a, b}, epoch, true);
        }
        int indexA = (a.hash >>> shift) & MASK;
        int indexB = (b.hash >>> shift) & MASK;
        if (indexA == indexB) {
            return new Node(1 << indexA, new Object[] {split(a, b, shift + BITS)}, epoch, false);
        }
        Object[] slots = indexA < indexB ? new Object[] {a, b} : new Object[] {b, a};
        return new Node((1 << indexA) | (1 << indexB), slots, epoch, false);
    }

    /** Removes key; returns the removed entry or null if it was absent. */
    KeyEntry remove(byte[] key, int hash) {
        if (get(key, hash) == null) {
            return null;
        }
        Node newRoot = mutableRoot();
        KeyEntry[] removed = new KeyEntry[1];
        Object replacement = removeFrom(newRoot, key, hash, 0, removed);
        // The root stays a node even when a single entry is left in it.
        if (replacement == null) {
            root = emptyRoot(epoch);
        } else if (replacement instanceof KeyEntry single) {
            root = new Node(1 << (single.hash & MASK), new Object[] {single}, epoch, false);
        }
        size--;
        return removed[0];
    }

    /**
     * Removes key below a mutable node; returns what the parent should hold in its place: the node
     * itself, null when it became empty, or its one remaining entry (so that a lone entry moves up and the
     * trie stays as shallow as its keys need).
     */
    private Object removeFrom(Node node, byte[] key, int hash, int shift, KeyEntry[] removed) {
        if (node.collision) {
            int at = -1;
            for (int i = 0; i < node.slots.length; i++) {
                if (Arrays.equals(((KeyEntry) node.slots[i]).key, key)) {
                    at = i;
                }
            }
            removed[0] = (KeyEntry) node.slots[at];
            node.slots = without(node.slots, at);
            return node.slots.length == 1 ? node.slots[0] : node;
        }
        int bit = 1 << ((hash >>> shift) & MASK);
        int index = Integer.bitCount(node.bitmap & (bit - 1));
        Object slot = node.slots[index];
        Object replacement;
        if (slot instanceof KeyEntry entry) {
            removed[0] = entry;
            replacement = null;
        } else {
            Node child = mutableChild(node, index, (Node) slot);
            replacement = removeFrom(child, key, hash, shift + BITS, removed);
        }
        if (replacement == null) {
            node.slots = without(node.slots, index);
            node.bitmap &= ~bit;
        } else {
            node.slots[index] = replacement;
        }
        if (node.slots.length == 0) {
            return null;
        }
        if (node.slots.length == 1 && node.slots[0] instanceof KeyEntry lone) {
            return lone;
        }
        return node;
    }

    private static Object[] without(Object[] slots, int index) {
        Object[] result = new Object[slots.length - 1];
        System.arraycopy(slots, 0, result, 0, index);
        System.arraycopy(slots, index + 1, result, index, slots.length - index - 1);
        return result;
    }

    /** Removes every key. A frozen snapshot keeps the old tree. */
    void clear() {
        root = emptyRoot(epoch);
        size = 0;
    }

    /**
     * Hands out the current tree for a snapshot and starts a new epoch: from now on every node and entry
     * of the frozen tree is copied before it is changed.
     */
    Frozen freeze() {
        Frozen frozen = new Frozen(root, size);
        epoch++;
        return frozen;
    }

    void forEach(Consumer<KeyEntry> action) {
        forEach(root, action);
    }

    private static void forEach(Node node, Consumer<KeyEntry> action) {
        for (Object slot : node.slots) {
            if (slot instanceof KeyEntry entry) {
                action.accept(entry);
            } else {
                forEach((Node) slot, action);
            }
        }
    }

    /**
     * The position of a hash in iteration order: its 5-bit chunks reversed, so that the chunk the root
     * branches on is the most significant. Example: hash 0b00001 (chunk 0 = 1, others 0) has order
     * 1 << 27, hash 1 << 5 (chunk 1 = 1) has order 1 << 22, so the root visits slot 0's subtree (both
     * chunk 0 = 0 keys ...) before slot 1's. The last level has only 2 bits (shift 30), hence "+ chunk6".
     */
    static long order(int hash) {
        long order = 0;
        for (int level = 0; level < 6; level++) {
            order |= (long) ((hash >>> (level * BITS)) & MASK) << (27 - level * BITS);
        }
        return order | ((hash >>> 30) & 3);
    }

    /**
     * Visits keys whose {@link #order(int)} is at least {@code fromOrder}, in order, until {@code count}
     * keys have been visited (finishing a group of keys with equal hashes). Returns the order to resume
     * from (last visited order + 1), or -1 when the walk reached the end.
     */
    long scan(long fromOrder, int count, Consumer<KeyEntry> action) {
        ScanState state = new ScanState(fromOrder, count, action);
        scanNode(root, 0, true, state);
        return state.stopped ? state.lastOrder + 1 : -1;
    }

    private static final class ScanState {
        final long fromOrder;
        int remaining;
        final Consumer<KeyEntry> action;
        long lastOrder;
        boolean stopped;

        ScanState(long fromOrder, int remaining, Consumer<KeyEntry> action) {
            this.fromOrder = fromOrder;
            this.remaining = remaining;
            this.action = action;
        }
    }

    /** Depth-first in slot order; {@code bounded} while the path so far equals fromOrder's prefix. */
    private static void scanNode(Node node, int level, boolean bounded, ScanState state) {
        if (node.collision) {
            KeyEntry first = (KeyEntry) node.slots[0];
            long order = order(first.hash);
            if (order >= state.fromOrder) {
                for (Object slot : node.slots) {
                    state.action.accept((KeyEntry) slot);
                }
                visited(order, node.slots.length, state);
            }
            return;
        }
        int low = bounded ? chunkOfOrder(state.fromOrder, level) : 0;
        for (int index = low; index <= MASK && !state.stopped; index++) {
            int bit = 1 << index;
            if ((node.bitmap & bit) == 0) {
                continue;
            }
            Object slot = node.slots[Integer.bitCount(node.bitmap & (bit - 1))];
            if (slot instanceof KeyEntry entry) {
                long order = order(entry.hash);
                if (order >= state.fromOrder) {
                    state.action.accept(entry);
                    visited(order, 1, state);
                }
            } else {
                scanNode((Node) slot, level + 1, bounded && index == low, state);
            }
        }
    }

    private static void visited(long order, int keys, ScanState state) {
        state.lastOrder = order;
        state.remaining -= keys;
        if (state.remaining <= 0) {
            state.stopped = true;
        }
    }

    /** The chunk of an order value that the node at {@code level} branches on (inverse of order()). */
    private static int chunkOfOrder(long order, int level) {
        if (order > 0xffffffffL) {
            return MASK + 1; // past the end: nothing to visit
        }
        if (level < 6) {
            return (int) ((order >>> (27 - level * BITS)) & MASK);
        }
        return (int) (order & 3);
    }

    /** A key chosen by walking random occupied slots; not uniform (as Redis's is not), but O(depth). */
    KeyEntry random(RandomGenerator random) {
        if (size == 0) {
            return null;
        }
        Node node = root;
        while (true) {
            Object slot = node.slots[random.nextInt(node.slots.length)];
            if (slot instanceof KeyEntry entry) {
                return entry;
            }
            node = (Node) slot;
        }
    }

    private Node mutableRoot() {
        if (root.epoch != epoch) {
            root = root.copy(epoch);
        }
        return root;
    }

    private Node mutableChild(Node parent, int index, Node child) {
        if (child.epoch != epoch) {
            child = child.copy(epoch);
            parent.slots[index] = child;
        }
        return child;
    }

    private KeyEntry mutableEntry(Node parent, int index, KeyEntry entry) {
        if (entry.epoch != epoch) {
            entry = entry.copy(epoch);
            parent.slots[index] = entry;
        }
        return entry;
    }

    private static KeyEntry findInCollision(Node node, byte[] key) {
        for (Object slot : node.slots) {
            KeyEntry entry = (KeyEntry) slot;
            if (Arrays.equals(entry.key, key)) {
                return entry;
            }
        }
        return null;
    }
}
