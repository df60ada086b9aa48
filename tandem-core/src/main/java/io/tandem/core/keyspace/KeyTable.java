package io.tandem.core.keyspace;

import io.tandem.core.util.Invariants;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The map from keys to {@link KeyEntry}s: a dense root array of 2^16 slots over hash array mapped tries
 * (Bagwell) whose nodes carry an epoch, so that a consistent snapshot costs O(1) while writes go on.
 *
 * <p>Why a trie and not a HashMap: {@link #freeze()} hands the current root to a background snapshot
 * writer and bumps the epoch. From then on a write copies each node (and entry) on its path whose epoch is
 * older before changing it, exactly once per node per snapshot, so the frozen tree never changes under the
 * writer. Without a snapshot in progress every node is current and writes happen in place. A HashMap
 * would need a full copy (tens of milliseconds for millions of keys) or a stop-the-world pause.
 *
 * <p>Why a dense root: a lookup is memory-latency bound, two cache misses per trie level (the node and its
 * slot array). With 5-bit levels all the way down, a million keys sit four to five levels deep; the root
 * array takes the low 16 bits in one step, so they sit one level below it (about 10 keys per root slot).
 * It costs 256 KB once the table holds a key (allocated on first insert, dropped when the table empties)
 * and one copy of it on the first write after each {@link #freeze()}.
 *
 * <p>Why the root grows: at {@code growAtKeys} keys (2^19 by default) the root takes the first level's 5
 * bits as well, 2^21 slots (8 MB), so that a key of a table of millions sits in its root slot or one level
 * below, where it sat two levels below: two to three cache misses fewer per lookup and per insert, on the
 * write path of a leader and of a follower catching up (docs/benchmarks.md). Every shift below the root
 * stays where it was (21, 26, 31), so growing moves each first-level node's children up into the root,
 * unchanged, and builds nothing else; 8 MB is about what Redis's own hash table holds for as many keys (8
 * bytes a bucket). Below a quarter of that many keys it shrinks back (far enough below that a table near the
 * mark does not grow and shrink by turns): a grown root mostly empty would cost {@link #random} a count
 * through 2^21 slots.
 *
 * <p>Shape: the root slot is the hash's low 16 bits (21 once grown); below it each level consumes the next 5
 * bits (shifts 16, 21, 26, then 31 with only 1 bit left). Keys whose full hashes collide end in a collision
 * node at shift 36, searched linearly. Nodes keep only occupied slots, indexed by the popcount of the bitmap
 * below the slot's bit; root slots are null when empty.
 *
 * <p>Spare room: a node's slot array may be longer than its bitmap's count (the tail is null), doubling when
 * full, so that most inserts shift the slots in place instead of allocating a copy one slot longer. Why:
 * every new key used to replace its node's whole array (a node holds ~20 slots with 10^6 keys), and the
 * new array, young and referenced from an old node, was copied by the next young collection while the old
 * one died in the old generation: a third of what a follower catching up on new keys promoted per key
 * (docs/benchmarks.md). The spare room costs at most 4 bytes a key. Collision nodes stay exact.
 *
 * <p>Order: a depth-first walk visits keys in ascending {@link #order(int)}, the low 16 bits followed by the
 * 5-bit chunks above them; SCAN's cursor is a position in that order, so keys present for a whole scan are
 * returned exactly once whatever else is inserted or removed, the root's growth included. A grown root's slot
 * for order position p (the low 16 bits, then the first chunk: {@code p = low16 << 5 | chunk}) is
 * {@code chunk << 16 | low16}, the hash's low 21 bits; walks go through {@link #rootSlotAt}.
 */
final class KeyTable {
    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    private static final int SMALL_ROOT_BITS = 16;
    /** A grown root takes the first level's chunk too. */
    private static final int LARGE_ROOT_BITS = SMALL_ROOT_BITS + BITS;
    private static final int SMALL_ROOT_SLOTS = 1 << SMALL_ROOT_BITS;
    private static final int LARGE_ROOT_SLOTS = 1 << LARGE_ROOT_BITS;
    /** Levels below the root at shifts 16, 21, 26 and 31; past 31 every hash bit is used. */
    private static final int COLLISION_SHIFT = 36;
    /** Keys at which the root grows, unless a test asks for another number. */
    static final int DEFAULT_GROW_AT_KEYS = 1 << 19;
    /**
     * Below 1 in this many occupied root slots, random() counts its way to a slot rather than probing:
     * probing would take 64 tries or more on average.
     */
    private static final int PROBE_MIN_OCCUPIED_ONE_IN = 64;

    static final class Node {
        int bitmap;
        /** KeyEntry or Node; beyond the bitmap's count null (spare room). A collision node's are all used. */
        Object[] slots;
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

    /** A root (null when empty) and its key count, never modified again: what a snapshot iterates. */
    record Frozen(Object[] root, int size) {
        void forEach(Consumer<KeyEntry> action) {
            KeyTable.forEach(root, action);
        }

        Iterator<KeyEntry> iterator() {
            return new Walk(root);
        }
    }

    /**
     * A depth-first walk with an explicit stack of slot arrays (the root, at most four levels of nodes and a
     * collision node), for pulling keys one by one. Empty root slots and a node's spare room are null.
     */
    private static final class Walk implements Iterator<KeyEntry> {
        private final Object[][] arrays = new Object[7][];
        private final int[] positions = new int[7];
        private int depth;
        private KeyEntry next;

        Walk(Object[] root) {
            arrays[0] = root == null ? new Object[0] : root;
            advance();
        }

        private void advance() {
            next = null;
            while (depth >= 0) {
                Object[] slots = arrays[depth];
                if (positions[depth] == slots.length) {
                    depth--;
                    continue;
                }
                Object slot = depth == 0 ? rootSlotAt(slots, positions[0]++) : slots[positions[depth]++];
                if (slot instanceof KeyEntry entry) {
                    next = entry;
                    return;
                }
                if (slot != null) {
                    depth++;
                    arrays[depth] = ((Node) slot).slots;
                    positions[depth] = 0;
                }
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

    private final int growAtKeys;
    private Object[] root; // null while the table is empty
    /** The root's width: SMALL_ROOT_BITS, or LARGE_ROOT_BITS once grown. Also the shift of the level below it. */
    private int rootBits = SMALL_ROOT_BITS;
    private int rootEpoch;
    private int occupiedRootSlots;
    private int size;
    private int epoch;

    KeyTable() {
        this(DEFAULT_GROW_AT_KEYS);
    }

    /** A table whose root grows at {@code growAtKeys} keys (tests make it grow small). */
    KeyTable(int growAtKeys) {
        Invariants.check(growAtKeys > 0, "growAtKeys must be positive");
        this.growAtKeys = growAtKeys;
    }

    private int rootMask() {
        return (1 << rootBits) - 1;
    }

    /**
     * The root slot at order position p (see the class comment). Worked example, grown root: hash 0x0003_0001
     * has low 16 bits 1 and first chunk 3, order position (1 << 5) | 3 = 35, and its slot 3 << 16 | 1 =
     * 0x30001, its low 21 bits; position 36 is slot 0x40001, position 63 slot 0x1f0001, 64 slot 2.
     */
    private static Object rootSlotAt(Object[] root, int position) {
        if (root.length == SMALL_ROOT_SLOTS) {
            return root[position];
        }
        return root[(position & MASK) << SMALL_ROOT_BITS | position >>> BITS];
    }

    int size() {
        return size;
    }

    /** The root's slot count: 0 while empty, 2^16, or 2^21 once grown. */
    int rootSlots() {
        return root == null ? 0 : root.length;
    }

    int epoch() {
        return epoch;
    }

    /** The entry for key, or null. The entry may be shared with a snapshot: read it, do not modify it. */
    KeyEntry get(byte[] key, int hash) {
        Object slot = endOfPath(hash);
        if (slot instanceof Node collision) {
            return findInCollision(collision, key);
        }
        KeyEntry entry = (KeyEntry) slot;
        return entry != null && entry.hash == hash && Arrays.equals(entry.key, key) ? entry : null;
    }

    /**
     * Where the walk down hash's path ends: the entry in its slot (which may hold another key), the collision
     * node of its full hash, or null when no key lies on that path (an empty table or root slot, a missing bit).
     */
    private Object endOfPath(int hash) {
        if (root == null) {
            return null;
        }
        Object slot = root[hash & rootMask()];
        int shift = rootBits;
        while (slot instanceof Node node && !node.collision) {
            int bit = 1 << ((hash >>> shift) & MASK);
            if ((node.bitmap & bit) == 0) {
                return null;
            }
            slot = node.slots[Integer.bitCount(node.bitmap & (bit - 1))];
            shift += BITS;
        }
        return slot;
    }

    /**
     * Reads the path down to hash's slot and changes nothing; returns a value made of what it read, so that
     * the compiler keeps the reads. What it is for: a lookup is a chain of dependent cache misses (the root
     * slot, the node, its slot array, the entry, its key), which one key at a time the CPU waits out in turn.
     * Walking the paths of a batch of keys first, in a loop whose keys do not depend on each other, lets it
     * fetch many at once; the inserts that follow find their paths in cache.
     */
    int touch(int hash) {
        Object slot = endOfPath(hash);
        if (slot instanceof KeyEntry entry) {
            // The same hash is most likely the same key, which getOrInsert compares next: bring it in too.
            return entry.hash == hash ? entry.key.length : entry.hash;
        }
        return slot instanceof Node collision ? collision.slots.length : 0;
    }

    /**
     * {@link #touch} for the first {@code count} of {@code hashes} at once, one level of the trie at a time,
     * with {@code walks} (at least {@code count} long, left cleared) holding where each walk stands. Why not
     * touch them one by one: each key's walk is a chain of loads that each wait for the last, so the CPU has
     * one cache miss in flight per key; the loads of one level for all the keys do not depend on each other,
     * so here it has many. A follower restarted 10^6 entries behind caught up 4% sooner, ten alternating pairs
     * (docs/benchmarks.md).
     */
    int touchAll(int[] hashes, Object[] walks, int count) {
        if (root == null || count == 0) {
            return 0;
        }
        int mask = rootMask();
        for (int i = 0; i < count; i++) {
            walks[i] = root[hashes[i] & mask];
        }
        for (int shift = rootBits; ; shift += BITS) {
            boolean deeper = false;
            for (int i = 0; i < count; i++) {
                if (walks[i] instanceof Node node && !node.collision) {
                    int bit = 1 << ((hashes[i] >>> shift) & MASK);
                    walks[i] = (node.bitmap & bit) == 0 ? null : node.slots[Integer.bitCount(node.bitmap & (bit - 1))];
                    deeper = true;
                }
            }
            if (!deeper) {
                break;
            }
        }
        int sum = 0;
        for (int i = 0; i < count; i++) {
            if (walks[i] instanceof KeyEntry entry) {
                sum += entry.hash == hashes[i] ? entry.key.length : entry.hash; // as touch: the key comes next
            } else if (walks[i] instanceof Node collision) {
                sum += collision.slots.length;
            }
            walks[i] = null; // the scratch must not keep entries alive
        }
        return sum;
    }

    /**
     * The entry for key, copied first (with every node on its path) if a snapshot shares it, so the caller
     * may change its value and expiry. Returns null when the key is absent.
     */
    KeyEntry getForUpdate(byte[] key, int hash) {
        return get(key, hash) == null ? null : getOrInsert(key, hash);
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
        if (size >= growAtKeys && rootBits == SMALL_ROOT_BITS) {
            grow();
        }
        Object[] top = mutableRoot();
        int rootIndex = hash & rootMask();
        Object rootSlot = top[rootIndex];
        if (rootSlot == null) {
            KeyEntry created = new KeyEntry(key, hash, epoch);
            top[rootIndex] = created;
            occupiedRootSlots++;
            size++;
            return created;
        }
        if (rootSlot instanceof KeyEntry existing) {
            return getOrSplit(top, rootIndex, existing, key, hash, rootBits);
        }
        Node node = mutableChild(top, rootIndex, (Node) rootSlot);
        int shift = rootBits;
        while (true) {
            if (node.collision) {
                for (int i = 0; i < node.slots.length; i++) {
                    KeyEntry entry = (KeyEntry) node.slots[i];
                    if (Arrays.equals(entry.key, key)) {
                        return mutableEntry(node.slots, i, entry);
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
                insertSlot(node, index, created);
                node.bitmap |= bit;
                size++;
                return created;
            }
            Object slot = node.slots[index];
            if (slot instanceof KeyEntry existing) {
                return getOrSplit(node.slots, index, existing, key, hash, shift + BITS);
            }
            node = mutableChild(node.slots, index, (Node) slot);
            shift += BITS;
        }
    }

    /**
     * Puts slot at index of a mutable, non-collision node whose bitmap does not have its bit yet, moving the
     * slots from index on one place up: in place while there is spare room, otherwise into an array twice as
     * long (at most 32, one per bit). Worked example: 3 slots [a, c, d] in an array of 4, b goes at index 1:
     * c and d move to 2 and 3, b goes at 1: [a, b, c, d], full; the next insert allocates 8.
     */
    private static void insertSlot(Node node, int index, Object slot) {
        int count = Integer.bitCount(node.bitmap);
        Object[] slots = node.slots;
        if (count == slots.length) {
            Object[] grown = new Object[Math.min(1 << BITS, Math.max(2, count * 2))];
            System.arraycopy(slots, 0, grown, 0, index);
            System.arraycopy(slots, index, grown, index + 1, count - index);
            node.slots = grown;
            slots = grown;
        } else {
            System.arraycopy(slots, index, slots, index + 1, count - index);
        }
        slots[index] = slot;
    }

    /**
     * The slot at {@code slots[index]} (of a mutable node or root) holds {@code existing}: that is the key's
     * entry, or the two keys share the hash bits up to {@code shift} and move down into a new subtree.
     */
    private KeyEntry getOrSplit(Object[] slots, int index, KeyEntry existing, byte[] key, int hash, int shift) {
        if (existing.hash == hash && Arrays.equals(existing.key, key)) {
            return mutableEntry(slots, index, existing);
        }
        KeyEntry created = new KeyEntry(key, hash, epoch);
        slots[index] = split(existing, created, shift);
        size++;
        return created;
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
        Object[] top = mutableRoot();
        int rootIndex = hash & rootMask();
        KeyEntry[] removed = new KeyEntry[1];
        if (top[rootIndex] instanceof KeyEntry entry) {
            removed[0] = entry;
            top[rootIndex] = null;
        } else {
            Node child = mutableChild(top, rootIndex, (Node) top[rootIndex]);
            top[rootIndex] = removeFrom(child, key, hash, rootBits, removed);
        }
        if (top[rootIndex] == null) {
            occupiedRootSlots--;
        }
        size--;
        if (size == 0) {
            clear(); // give the root's 256 KB (8 MB grown) back
        } else if (rootBits == LARGE_ROOT_BITS && size < growAtKeys / 4) {
            shrink();
        }
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
        int count = Integer.bitCount(node.bitmap);
        Object slot = node.slots[index];
        Object replacement;
        if (slot instanceof KeyEntry entry) {
            removed[0] = entry;
            replacement = null;
        } else {
            Node child = mutableChild(node.slots, index, (Node) slot);
            replacement = removeFrom(child, key, hash, shift + BITS, removed);
        }
        if (replacement == null) {
            // Close the gap in place; the array keeps its length (spare room for the next insert).
            System.arraycopy(node.slots, index + 1, node.slots, index, count - index - 1);
            node.slots[count - 1] = null;
            node.bitmap &= ~bit;
            count--;
        } else {
            node.slots[index] = replacement;
        }
        if (count == 0) {
            return null;
        }
        if (count == 1 && node.slots[0] instanceof KeyEntry lone) {
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
        root = null;
        rootBits = SMALL_ROOT_BITS;
        occupiedRootSlots = 0;
        size = 0;
    }

    /**
     * Hands out the current tree for a snapshot and starts a new epoch: from now on every node and entry
     * of the frozen tree (the root array too) is copied before it is changed.
     */
    Frozen freeze() {
        Frozen frozen = new Frozen(root, size);
        epoch++;
        return frozen;
    }

    void forEach(Consumer<KeyEntry> action) {
        forEach(root, action);
    }

    private static void forEach(Object[] root, Consumer<KeyEntry> action) {
        if (root == null) {
            return;
        }
        for (int position = 0; position < root.length; position++) {
            visitAll(rootSlotAt(root, position), action);
        }
    }

    private static void visitAll(Object slot, Consumer<KeyEntry> action) {
        if (slot instanceof KeyEntry entry) {
            action.accept(entry);
        } else if (slot != null) {
            for (Object child : ((Node) slot).slots) {
                visitAll(child, action);
            }
        }
    }

    /**
     * The position of a hash in iteration order: the low 16 bits (a small root's slot) as the most significant
     * part, then the 5-bit chunks above them, so that order follows the walk. Examples: hash 1 (root slot 1)
     * has order 1 << 16; hash 1 << 16 (root slot 0, first chunk 1) has order 1 << 11, so root slot 0's
     * subtree comes before slot 1's; hash 1 << 31 (the last level, 1 bit wide) has order 1.
     */
    static long order(int hash) {
        return (long) (hash & (SMALL_ROOT_SLOTS - 1)) << 16
                | (long) ((hash >>> 16) & MASK) << 11
                | (long) ((hash >>> 21) & MASK) << 6
                | (long) ((hash >>> 26) & MASK) << 1
                | (hash >>> 31);
    }

    /**
     * Visits keys whose {@link #order(int)} is at least {@code fromOrder}, in order, until {@code count}
     * keys have been visited (finishing a group of keys with equal hashes). Returns the order to resume
     * from (last visited order + 1), or -1 when the walk reached the end.
     */
    long scan(long fromOrder, int count, Consumer<KeyEntry> action) {
        ScanState state = new ScanState(fromOrder, count, action);
        if (root != null) {
            // The root's order positions are the order's top 16 bits (21 grown); the slots of a node in a root
            // slot are at level 1 of chunkOfOrder (2 grown: the first chunk is the root's).
            int low = fromOrder > 0xffffffffL ? root.length : (int) (fromOrder >>> (32 - rootBits));
            int levelBelow = rootBits == SMALL_ROOT_BITS ? 1 : 2;
            for (int position = low; position < root.length && !state.stopped; position++) {
                visit(rootSlotAt(root, position), levelBelow, position == low, state);
            }
        }
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

    /**
     * Visits one slot's keys, depth-first in slot order; {@code level} is the slot's depth below the root
     * (1 for a root slot's node), {@code bounded} while the path so far equals fromOrder's prefix.
     */
    private static void visit(Object slot, int level, boolean bounded, ScanState state) {
        if (slot instanceof KeyEntry entry) {
            long order = order(entry.hash);
            if (order >= state.fromOrder) {
                state.action.accept(entry);
                visited(order, 1, state);
            }
        } else if (slot != null) {
            scanNode((Node) slot, level, bounded, state);
        }
    }

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
            if ((node.bitmap & bit) != 0) {
                visit(node.slots[Integer.bitCount(node.bitmap & (bit - 1))], level + 1, bounded && index == low, state);
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

    /**
     * The part of an order value that the slots at {@code level} are indexed by (inverse of order()): the
     * chunks at shifts 16 (level 1), 21, 26 and (1 bit) 31. Past the end, one past the last slot, so nothing
     * is visited.
     */
    private static int chunkOfOrder(long order, int level) {
        if (order > 0xffffffffL) {
            return MASK + 1;
        }
        return switch (level) {
            case 1 -> (int) ((order >>> 11) & MASK);
            case 2 -> (int) ((order >>> 6) & MASK);
            case 3 -> (int) ((order >>> 1) & MASK);
            default -> (int) (order & 1);
        };
    }

    /**
     * A key chosen by a random occupied root slot, then random occupied slots down; not uniform (as Redis's
     * is not), but cheap: random probes of the root while at least 1 slot in 64 is occupied, otherwise a
     * count through the root to the chosen occupied slot (at most 2^16 reads, only for small tables: a grown
     * root holds at least a quarter of growAtKeys, 2^17 keys by default, about 1 slot in 16, or it shrinks).
     */
    KeyEntry random(RandomGenerator random) {
        if (size == 0) {
            return null;
        }
        Object slot;
        if (occupiedRootSlots >= root.length / PROBE_MIN_OCCUPIED_ONE_IN) {
            do {
                slot = root[random.nextInt(root.length)];
            } while (slot == null);
        } else {
            int index = -1;
            for (int left = random.nextInt(occupiedRootSlots); left >= 0; left--) {
                do {
                    index++; // to the next occupied slot: left + 1 times in all
                } while (root[index] == null);
            }
            slot = root[index];
        }
        while (slot instanceof Node node) {
            int count = node.collision ? node.slots.length : Integer.bitCount(node.bitmap);
            slot = node.slots[random.nextInt(count)];
        }
        return (KeyEntry) slot;
    }

    /**
     * Grows the root to 2^21 slots: each slot's entry goes to the slot of its low 21 bits; each slot's node
     * (its children indexed by the chunk at shift 16) hands its children to the slots {@code chunk << 16 |
     * slot}, where they keep their shift-21 shape. Nothing below the root is changed, so a frozen tree that
     * shares those children still sees what it saw, and a shared child is copied before a write as before.
     */
    private void grow() {
        Object[] small = root;
        Object[] large = new Object[LARGE_ROOT_SLOTS];
        int occupied = 0;
        for (int index = 0; index < small.length; index++) {
            Object slot = small[index];
            if (slot instanceof KeyEntry entry) {
                large[entry.hash & (LARGE_ROOT_SLOTS - 1)] = entry;
                occupied++;
            } else if (slot instanceof Node node) {
                Invariants.check(!node.collision, "a collision node right below the root");
                int bitmap = node.bitmap;
                for (int rank = 0; bitmap != 0; rank++, bitmap &= bitmap - 1) {
                    large[Integer.numberOfTrailingZeros(bitmap) << SMALL_ROOT_BITS | index] = node.slots[rank];
                    occupied++;
                }
            }
        }
        root = large;
        rootBits = LARGE_ROOT_BITS;
        rootEpoch = epoch;
        occupiedRootSlots = occupied;
    }

    /**
     * The inverse of {@link #grow}: the slots {@code chunk << 16 | index} of the 32 chunks become the children
     * of a new node in small slot {@code index} (a lone entry moves up into the slot itself). Reads the large
     * root in memory order, twice: first each small slot's bitmap, then the children into their ranks.
     */
    private void shrink() {
        Object[] large = root;
        Object[] small = new Object[SMALL_ROOT_SLOTS];
        int[] bitmaps = new int[SMALL_ROOT_SLOTS];
        for (int slot = 0; slot < LARGE_ROOT_SLOTS; slot++) {
            if (large[slot] != null) {
                bitmaps[slot & (SMALL_ROOT_SLOTS - 1)] |= 1 << (slot >>> SMALL_ROOT_BITS);
            }
        }
        int occupied = 0;
        for (int slot = 0; slot < LARGE_ROOT_SLOTS; slot++) {
            Object child = large[slot];
            if (child == null) {
                continue;
            }
            int index = slot & (SMALL_ROOT_SLOTS - 1);
            int bitmap = bitmaps[index];
            if (Integer.bitCount(bitmap) == 1 && child instanceof KeyEntry) {
                small[index] = child;
                occupied++;
                continue;
            }
            if (small[index] == null) {
                small[index] = new Node(bitmap, new Object[Integer.bitCount(bitmap)], epoch, false);
                occupied++;
            }
            int bit = 1 << (slot >>> SMALL_ROOT_BITS);
            ((Node) small[index]).slots[Integer.bitCount(bitmap & (bit - 1))] = child;
        }
        root = small;
        rootBits = SMALL_ROOT_BITS;
        rootEpoch = epoch;
        occupiedRootSlots = occupied;
    }

    private Object[] mutableRoot() {
        if (root == null) {
            root = new Object[SMALL_ROOT_SLOTS];
            rootEpoch = epoch;
        } else if (rootEpoch != epoch) {
            root = root.clone();
            rootEpoch = epoch;
        }
        return root;
    }

    /** The child at {@code slots[index]} of a mutable node (or the root), copied there first if it is older. */
    private Node mutableChild(Object[] slots, int index, Node child) {
        if (child.epoch != epoch) {
            child = child.copy(epoch);
            slots[index] = child;
        }
        return child;
    }

    private KeyEntry mutableEntry(Object[] slots, int index, KeyEntry entry) {
        if (entry.epoch != epoch) {
            entry = entry.copy(epoch);
            slots[index] = entry;
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
