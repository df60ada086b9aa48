package io.tandem.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Effect;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key table against a java.util.HashMap model, with hashes chosen by the test so that the trie's
 * hard cases happen often: full collisions (collision nodes), hashes that differ only in their top bit
 * (splits down to the last 1-bit level), hashes that share the root slot (the low 16 bits) and differ
 * above it, and random ones.
 * Every failure message starts with the seed. Where a test takes {@code growAt}, 0 is the table's own
 * threshold (never reached by these few keys) and another number makes the root grow (and shrink) at that size.
 */
class KeyTableTest {
    private static KeyTable table(int growAt) {
        return growAt == 0 ? new KeyTable() : new KeyTable(growAt);
    }

    /** Hashes shared by many keys: 0 and 1 << 31 differ only in the last level's bit. */
    private static final int[] SHARED_HASHES = {0, 1 << 31, 0x7fffffff, -1, 0x0000_0421};

    /** Keys k0..k(n-1), each with a hash fixed by the seed. */
    static final class Pool {
        final byte[][] keys;
        final int[] hashes;

        Pool(Random random, int n) {
            keys = new byte[n][];
            hashes = new int[n];
            int low31 = random.nextInt() & Integer.MAX_VALUE;
            int rootSlot = random.nextInt(1 << 16);
            for (int i = 0; i < n; i++) {
                keys[i] = ("k" + i).getBytes();
                hashes[i] = switch (i % 4) {
                    case 0 -> random.nextInt();
                    case 1 -> SHARED_HASHES[random.nextInt(SHARED_HASHES.length)];
                    case 2 -> low31 | (random.nextInt(2) << 31); // equal up to the last level: deep splits
                    default -> rootSlot | (random.nextInt(1 << 10) << 16); // one root slot, a trie below it
                };
            }
        }

        int size() {
            return keys.length;
        }
    }

    private static String value(int key, int version) {
        return "v" + key + "." + version;
    }

    /** Checks size, get of every pool key, forEach (each key once, in ascending order), random(). */
    private static void checkAgainstModel(String seed, KeyTable table, Pool pool, Map<Integer, String> model,
            Random random) {
        assertEquals(model.size(), table.size(), seed + " size");
        for (int i = 0; i < pool.size(); i++) {
            KeyEntry entry = table.get(pool.keys[i], pool.hashes[i]);
            if (model.containsKey(i)) {
                assertNotNull(entry, seed + " get k" + i);
                assertEquals(model.get(i), entry.value, seed + " value of k" + i);
                assertEquals(pool.hashes[i], entry.hash, seed + " hash of k" + i);
            } else {
                assertNull(entry, seed + " get of absent k" + i);
            }
        }
        Set<String> seen = new HashSet<>();
        long[] lastOrder = {-1};
        table.forEach(entry -> {
            String key = new String(entry.key);
            assertTrue(seen.add(key), seed + " forEach visits " + key + " twice");
            long order = KeyTable.order(entry.hash);
            assertTrue(order >= lastOrder[0], seed + " forEach out of order at " + key);
            lastOrder[0] = order;
        });
        assertEquals(model.size(), seen.size(), seed + " forEach count");
        for (int i = 0; i < 20; i++) {
            KeyEntry picked = table.random(random);
            if (model.isEmpty()) {
                assertNull(picked, seed + " random of an empty table");
            } else {
                assertNotNull(picked, seed + " random");
                int index = Integer.parseInt(new String(picked.key).substring(1));
                assertTrue(model.containsKey(index), seed + " random returned absent k" + index);
                assertSame(table.get(picked.key, picked.hash), picked, seed + " random returned a stale entry");
            }
        }
    }

    /**
     * Inserts or updates key i of the pool to value: through getForUpdate then insert, or through
     * getOrInsert (the write path), one or the other by the value's hash, so every property test runs both.
     */
    private static void put(KeyTable table, Pool pool, int i, String value, Map<Integer, String> model, String seed) {
        KeyEntry entry;
        if ((value.hashCode() & 1) == 0) {
            int before = table.size();
            entry = table.getOrInsert(pool.keys[i], pool.hashes[i]);
            assertEquals(model.containsKey(i) ? before : before + 1, table.size(), seed + " getOrInsert of k" + i);
        } else {
            entry = table.getForUpdate(pool.keys[i], pool.hashes[i]);
            assertEquals(model.containsKey(i), entry != null, seed + " getForUpdate presence of k" + i);
            if (entry == null) {
                entry = table.insert(pool.keys[i], pool.hashes[i]);
            }
        }
        entry.value = value;
        model.put(i, value);
    }

    private static void remove(KeyTable table, Pool pool, int i, Map<Integer, String> model, String seed) {
        KeyEntry removed = table.remove(pool.keys[i], pool.hashes[i]);
        String expected = model.remove(i);
        if (expected == null) {
            assertNull(removed, seed + " remove of absent k" + i);
        } else {
            assertNotNull(removed, seed + " remove of present k" + i);
            assertEquals(expected, removed.value, seed + " removed value of k" + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 0", "2, 0", "3, 0", "42, 0", "1234567, 0", "-7, 0", "4, 150", "5, 150", "6, 120"})
    void randomOperationsMatchHashMap(long seedValue, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 400);
        KeyTable table = table(growAt);
        Map<Integer, String> model = new HashMap<>();
        for (int op = 0; op < 20_000; op++) {
            // Alternate between growing and shrinking phases so splits and collapses both happen a lot.
            boolean growing = (op / 2_500) % 2 == 0;
            int i = random.nextInt(pool.size());
            double r = random.nextDouble();
            if (r < (growing ? 0.6 : 0.25)) {
                put(table, pool, i, value(i, op), model, seed);
            } else if (r < 0.85) {
                remove(table, pool, i, model, seed);
            } else {
                KeyEntry entry = table.get(pool.keys[i], pool.hashes[i]);
                assertEquals(model.get(i), entry == null ? null : entry.value, seed + " get k" + i + " op " + op);
            }
            assertEquals(model.size(), table.size(), seed + " size after op " + op);
            if (op % 500 == 0) {
                checkAgainstModel(seed + " op " + op, table, pool, model, random);
            }
        }
        checkAgainstModel(seed + " end", table, pool, model, random);

        // Remove everything: the trie must collapse back to an empty, still usable table.
        for (int i = 0; i < pool.size(); i++) {
            remove(table, pool, i, model, seed);
        }
        checkAgainstModel(seed + " emptied", table, pool, model, random);
        for (int i = 0; i < pool.size(); i += 3) {
            put(table, pool, i, value(i, -1), model, seed);
        }
        checkAgainstModel(seed + " refilled", table, pool, model, random);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1 << 30, -1})
    void keysWithOneEqualHashLiveInACollisionNodeAndCollapseOnRemove(int hash) {
        KeyTable table = new KeyTable();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(("same" + i).getBytes());
            table.insert(keys.get(i), hash).value = "v" + i;
        }
        // A neighbour that differs only in the last level's two bits shares the whole path but the last.
        byte[] neighbour = "neighbour".getBytes();
        int neighbourHash = hash ^ (1 << 31);
        table.insert(neighbour, neighbourHash).value = "n";
        assertNull(table.get("other".getBytes(), hash), "same hash, absent key");
        for (int i = 0; i < 10; i++) {
            assertEquals("v" + i, table.get(keys.get(i), hash).value);
        }
        KeyTable.Frozen frozen = table.freeze();
        assertEquals(11, contents(frozen, "collision tree").size(), "frozen walk through a collision node");
        Random random = new Random(5);
        for (int i = 9; i >= 0; i--) {
            assertNotNull(table.remove(keys.get(i), hash));
            assertEquals(i + 1, table.size());
            for (int j = 0; j < i; j++) {
                assertEquals("v" + j, table.get(keys.get(j), hash).value, "after removing same" + i);
            }
            assertEquals("n", table.get(neighbour, neighbourHash).value);
            // random() walks real slots only: an empty node left behind would make it fail.
            for (int k = 0; k < 20; k++) {
                assertNotNull(table.random(random));
            }
        }
        assertNotNull(table.remove(neighbour, neighbourHash));
        assertEquals(0, table.size());
        assertNull(table.random(random));
        assertEquals(11, contents(frozen, "collision tree after removes").size());
        assertEquals(Map.of(), contents(table.freeze(), "empty table"));
    }

    @ParameterizedTest
    @CsvSource({"7, 0", "8, 0", "9, 0", "99, 0", "10, 100", "14, 160"})
    void frozenViewsNeverChange(long seedValue, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 300);
        KeyTable table = table(growAt);
        Map<Integer, String> model = new HashMap<>();
        Map<Integer, Long> expiries = new HashMap<>();
        for (int op = 0; op < 300; op++) {
            int i = random.nextInt(pool.size());
            put(table, pool, i, value(i, op), model, seed);
        }
        List<KeyTable.Frozen> frozens = new ArrayList<>();
        List<Map<String, String>> expected = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            frozens.add(table.freeze());
            expected.add(contents(model, expiries));
            for (int op = 0; op < 1_500; op++) {
                int i = random.nextInt(pool.size());
                double r = random.nextDouble();
                if (r < 0.4) {
                    put(table, pool, i, value(i, round * 10_000 + op), model, seed);
                } else if (r < 0.55) {
                    KeyEntry entry = table.getForUpdate(pool.keys[i], pool.hashes[i]);
                    if (entry != null) {
                        long at = random.nextInt(1_000_000);
                        entry.expireAtMillis = at;
                        expiries.put(i, at);
                    }
                } else if (r < 0.998) {
                    remove(table, pool, i, model, seed);
                    expiries.remove(i);
                } else {
                    table.clear();
                    model.clear();
                    expiries.clear();
                }
            }
            for (int f = 0; f < frozens.size(); f++) {
                assertEquals(expected.get(f), contents(frozens.get(f), seed + " round " + round + " frozen " + f),
                        seed + " round " + round + ": frozen view " + f + " changed");
                assertEquals(expected.get(f).size(), frozens.get(f).size(), seed + " frozen size " + f);
            }
            checkAgainstModel(seed + " round " + round, table, pool, model, random);
        }
    }

    private static Map<String, String> contents(Map<Integer, String> model, Map<Integer, Long> expiries) {
        Map<String, String> copy = new HashMap<>();
        model.forEach((i, v) -> copy.put("k" + i, v + "@" + expiries.getOrDefault(i, Effect.NO_EXPIRY)));
        return copy;
    }

    /** The frozen view's contents, read with forEach; its iterator must yield the same keys in the same order. */
    private static Map<String, String> contents(KeyTable.Frozen frozen, String where) {
        Map<String, String> copy = new HashMap<>();
        List<KeyEntry> walked = new ArrayList<>();
        frozen.forEach(entry -> {
            walked.add(entry);
            String previous = copy.put(new String(entry.key), entry.value + "@" + entry.expireAtMillis);
            assertNull(previous, where + ": frozen view visits " + new String(entry.key) + " twice");
        });
        Iterator<KeyEntry> pulled = frozen.iterator();
        for (KeyEntry entry : walked) {
            assertTrue(pulled.hasNext(), where + ": iterator ends early");
            assertSame(entry, pulled.next(), where + ": iterator and forEach disagree");
        }
        assertFalse(pulled.hasNext(), where + ": iterator yields more than forEach");
        assertThrows(NoSuchElementException.class, pulled::next, where);
        return copy;
    }

    @ParameterizedTest
    @CsvSource({"11, 0", "12, 0", "13, 0", "15, 100", "16, 100"})
    void fullScanWithSmallCountsVisitsEveryKeyOnceInOrder(long seedValue, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 500);
        KeyTable table = table(growAt);
        Map<Integer, String> model = new HashMap<>();
        for (int i = 0; i < pool.size(); i++) {
            if (random.nextInt(3) > 0) {
                put(table, pool, i, value(i, 0), model, seed);
            }
        }
        for (int count : new int[] {1, 2, 3, 7, 1000}) {
            Map<String, Integer> visits = new HashMap<>();
            long cursor = 0;
            long lastOrder = -1;
            int calls = 0;
            do {
                List<KeyEntry> batch = new ArrayList<>();
                long next = table.scan(cursor, count, batch::add);
                for (KeyEntry entry : batch) {
                    long order = KeyTable.order(entry.hash);
                    assertTrue(order >= cursor, seed + " count " + count + ": key before the cursor");
                    assertTrue(order >= lastOrder, seed + " count " + count + ": order went back");
                    lastOrder = order;
                    visits.merge(new String(entry.key), 1, Integer::sum);
                }
                if (next >= 0) {
                    assertTrue(batch.size() >= count, seed + " count " + count + ": short batch before the end");
                    assertTrue(next > lastOrder, seed + " count " + count + ": cursor not past the last key");
                }
                cursor = next;
                assertTrue(++calls <= model.size() + 2, seed + " count " + count + ": scan does not end");
            } while (cursor >= 0);
            assertEquals(model.size(), visits.size(), seed + " count " + count + ": keys visited");
            visits.forEach((key, n) -> assertEquals(1, n, seed + " count " + count + ": " + key + " visited"));
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 0", "22, 0", "23, 0", "24, 0", "25, 0", "26, 100"})
    void scanReturnsKeysPresentThroughoutExactlyOnceWhileOthersComeAndGo(long seedValue, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 600);
        KeyTable table = table(growAt);
        Map<Integer, String> model = new HashMap<>();
        // Even keys are stable: present for the whole scan. Odd keys churn between scan calls.
        for (int i = 0; i < pool.size(); i++) {
            if (i % 2 == 0 || random.nextBoolean()) {
                put(table, pool, i, value(i, 0), model, seed);
            }
        }
        Map<String, Integer> visits = new HashMap<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = table.scan(cursor, 1 + random.nextInt(5),
                    entry -> visits.merge(new String(entry.key), 1, Integer::sum));
            for (int op = 0; op < 8; op++) {
                int odd = 2 * random.nextInt(pool.size() / 2) + 1;
                if (random.nextBoolean()) {
                    put(table, pool, odd, value(odd, calls), model, seed);
                } else {
                    remove(table, pool, odd, model, seed);
                }
                int even = 2 * random.nextInt(pool.size() / 2);
                put(table, pool, even, value(even, calls), model, seed); // an update must not move a key
            }
            assertTrue(++calls < 10_000, seed + " scan does not end");
        } while (cursor >= 0);
        for (int i = 0; i < pool.size(); i += 2) {
            assertEquals(1, visits.getOrDefault("k" + i, 0), seed + ": stable key k" + i + " visits");
        }
        visits.forEach((key, n) -> assertEquals(1, n, seed + ": " + key + " returned more than once"));
    }

    @ParameterizedTest
    @ValueSource(longs = {31})
    void orderIsTheRootSlotThenTheChunksBelowIt(long seedValue) {
        assertEquals(0L, KeyTable.order(0));
        assertEquals(1L << 16, KeyTable.order(1));
        assertEquals(0xffffL << 16, KeyTable.order(0xffff));
        assertEquals(1L << 11, KeyTable.order(1 << 16));
        assertEquals(1L << 6, KeyTable.order(1 << 21));
        assertEquals(1L << 1, KeyTable.order(1 << 26));
        assertEquals(1L, KeyTable.order(1 << 31));
        assertEquals(0xffffffffL, KeyTable.order(-1));
        Random random = new Random(seedValue);
        Set<Integer> hashes = new HashSet<>();
        Set<Long> orders = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            int h = random.nextInt();
            long order = KeyTable.order(h);
            assertTrue(order >= 0 && order <= 0xffffffffL, "--seed=" + seedValue + " order range of " + h);
            if (hashes.add(h)) {
                assertTrue(orders.add(order), "--seed=" + seedValue + " two hashes with one order: " + h);
            }
        }
    }

    /**
     * Few keys (random() counts its way through the sparse root) and 2,000 keys (about 1,970 occupied root
     * slots, past the 1,024 where it probes the root at random instead); 1 key; 40,000 keys in a root grown at
     * 20,000 (about 39,600 of its 2^21 slots occupied, past the 32,768 where it probes), shrunk again as the
     * keys are removed; and a table emptied again.
     */
    @ParameterizedTest
    @CsvSource({"41, 50, 0", "42, 50, 0", "43, 2000, 0", "44, 1, 0", "45, 40000, 20000"})
    void randomReachesEveryKeyAndOnlyPresentOnes(long seedValue, int keys, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        KeyTable table = table(growAt);
        Set<String> present = new HashSet<>();
        int[] hashes = new int[keys];
        for (int i = 0; i < keys; i++) {
            byte[] key = ("r" + i).getBytes();
            hashes[i] = random.nextInt();
            table.insert(key, hashes[i]).value = "x";
            present.add("r" + i);
        }
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 50 * keys + 5_000; i++) {
            String key = new String(table.random(random).key);
            assertTrue(present.contains(key), seed + " random returned " + key);
            reached.add(key);
        }
        assertEquals(present, reached, seed + " keys random() never returned");
        for (int i = 0; i < keys; i++) {
            byte[] key = ("r" + i).getBytes();
            assertNotNull(table.remove(key, hashes[i]), seed + " remove r" + i);
        }
        assertEquals(0, table.size(), seed + " size once emptied");
        assertNull(table.random(random), seed + " random of an emptied table");
    }

    /**
     * touchAll walks a batch level by level: it must read what touch reads key by key (the same sum), over
     * the pool's hard cases (collision nodes, deep splits, one crowded root slot), present keys and absent ones,
     * change nothing, and leave its scratch holding no entry.
     */
    @ParameterizedTest
    @CsvSource({"51, 0", "52, 0", "53, 0", "54, 500"})
    void touchAllReadsWhatTouchReadsKeyByKey(long seedValue, int growAt) {
        String seed = "--seed=" + seedValue + " growAt " + growAt;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 3_000);
        KeyTable table = table(growAt);
        Object[] walks = new Object[300];
        assertEquals(0, table.touchAll(pool.hashes, walks, 300), seed + " empty table");
        for (int i = 0; i < pool.size(); i += 2) {
            table.getOrInsert(pool.keys[i], pool.hashes[i]).value = "v" + i;
        }
        int size = table.size();
        int[] batch = new int[300];
        for (int round = 0; round < 50; round++) {
            int count = 1 + random.nextInt(batch.length);
            int expected = 0;
            for (int i = 0; i < count; i++) {
                batch[i] = pool.hashes[random.nextInt(pool.size())];
                expected += table.touch(batch[i]);
            }
            assertEquals(expected, table.touchAll(batch, walks, count), seed + " round " + round);
            for (Object walk : walks) {
                assertNull(walk, seed + " scratch left holding " + walk);
            }
        }
        assertEquals(size, table.size(), seed + " touching changed the table");
    }

    /**
     * The root's growth and shrinking in the middle of what must not notice them: a scan whose cursor was
     * taken before the growth, and frozen views taken before each. Stable keys are returned exactly once and
     * in order; every frozen view keeps its contents; the table matches the model after each.
     */
    @ParameterizedTest
    @ValueSource(longs = {61, 62, 63})
    void growingAndShrinkingTheRootMidScanAndUnderFrozenViews(long seedValue) {
        String seed = "--seed=" + seedValue;
        Random random = new Random(seedValue);
        Pool pool = new Pool(random, 2_000);
        int growAt = 400;
        int stable = 80;
        KeyTable table = new KeyTable(growAt);
        Map<Integer, String> model = new HashMap<>();
        // Keys 0..79 stay throughout; the rest come in to grow the root, then go to shrink it.
        for (int i = 0; i < stable; i++) {
            put(table, pool, i, value(i, 0), model, seed);
        }
        List<KeyTable.Frozen> frozens = new ArrayList<>(List.of(table.freeze()));
        List<Map<String, String>> expected = new ArrayList<>(List.of(contents(model, Map.of())));
        Map<String, Integer> visits = new HashMap<>();
        long[] lastOrder = {-1};
        long cursor = table.scan(0, 50, entry -> visit(entry, visits, lastOrder, seed));
        for (int i = stable; i < 1_600; i++) { // grows at 400 keys
            put(table, pool, i, value(i, 1), model, seed);
        }
        checkAgainstModel(seed + " grown", table, pool, model, random);
        assertEquals(1 << 21, table.rootSlots(), seed + " root after growing past " + growAt + " keys");
        frozens.add(table.freeze());
        expected.add(contents(model, Map.of()));
        cursor = table.scan(cursor, 100, entry -> visit(entry, visits, lastOrder, seed));
        for (int i = stable; i < 1_600; i++) { // shrinks below 100 keys, once only the 80 stable ones are left
            remove(table, pool, i, model, seed);
        }
        checkAgainstModel(seed + " shrunk", table, pool, model, random);
        assertEquals(1 << 16, table.rootSlots(), seed + " root after shrinking below " + growAt / 4 + " keys");
        while (cursor >= 0) {
            cursor = table.scan(cursor, 1 + random.nextInt(40), entry -> visit(entry, visits, lastOrder, seed));
        }
        for (int i = 0; i < stable; i++) {
            assertEquals(1, visits.getOrDefault("k" + i, 0), seed + ": stable key k" + i + " visits");
        }
        visits.forEach((key, n) -> assertEquals(1, n, seed + ": " + key + " returned more than once"));
        for (int f = 0; f < frozens.size(); f++) {
            assertEquals(expected.get(f), contents(frozens.get(f), seed + " frozen " + f), seed + " frozen " + f);
        }
        for (int i = stable; i < 1_600; i++) { // and grows again
            put(table, pool, i, value(i, 2), model, seed);
        }
        checkAgainstModel(seed + " regrown", table, pool, model, random);
        assertEquals(1 << 21, table.rootSlots(), seed + " root regrown");
    }

    private static void visit(KeyEntry entry, Map<String, Integer> visits, long[] lastOrder, String seed) {
        long order = KeyTable.order(entry.hash);
        assertTrue(order >= lastOrder[0], seed + ": scan went back at " + new String(entry.key));
        lastOrder[0] = order;
        visits.merge(new String(entry.key), 1, Integer::sum);
    }
}
