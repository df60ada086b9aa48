package io.tandem.core.keyspace;

import static io.tandem.core.testkit.TestBytes.b;
import static io.tandem.core.testkit.TestBytes.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.Effect;
import io.tandem.core.util.Ascii;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Keyspace.apply for every effect type, expiry bookkeeping, and frozen views under later writes. */
class KeyspaceApplyTest {
    private final Keyspace keyspace = new Keyspace(1);

    private String dump(String key) {
        KeyEntry entry = keyspace.find(b(key));
        return entry == null ? null : KeyspaceDump.value(entry);
    }

    @Test
    void putStringCreatesReplacesAnyTypeAndSetsExpiry() {
        keyspace.apply(new Effect.PutString(b("k"), b("v"), Effect.NO_EXPIRY));
        assertEquals("string:v", dump("k"));
        keyspace.apply(new Effect.HashPut(b("h"), bs("f", "1")));
        keyspace.apply(new Effect.PutString(b("h"), b("now a string"), 5_000));
        assertEquals("string:now a string ttl=5000", dump("h"));
        assertEquals(2, keyspace.size());
        assertEquals(1, keyspace.keysWithExpiry());
    }

    @Test
    void keepTtlKeepsTheExpiryAndNoExpiryRemovesIt() {
        keyspace.apply(new Effect.PutString(b("k"), b("1"), 5_000));
        keyspace.apply(new Effect.PutString(b("k"), b("2"), Effect.KEEP_TTL));
        assertEquals("string:2 ttl=5000", dump("k"));
        assertEquals(1, keyspace.keysWithExpiry());
        keyspace.apply(new Effect.PutString(b("k"), b("3"), Effect.NO_EXPIRY));
        assertEquals("string:3", dump("k"));
        assertEquals(0, keyspace.keysWithExpiry());
        keyspace.apply(new Effect.PutString(b("new"), b("x"), Effect.KEEP_TTL));
        assertEquals("string:x", dump("new"), "KEEP_TTL on a new key: no expiry");
        assertEquals(0, keyspace.keysWithExpiry());
    }

    @Test
    void deleteKeyRemovesTheKeyAndItsExpiry() {
        keyspace.apply(new Effect.PutString(b("k"), b("v"), 5_000));
        keyspace.apply(new Effect.DeleteKey(b("k")));
        assertNull(keyspace.find(b("k")));
        assertEquals(0, keyspace.size());
        assertEquals(0, keyspace.keysWithExpiry());
        keyspace.apply(new Effect.DeleteKey(b("missing"))); // a no-op, as DEL of a missing key
        assertEquals(0, keyspace.size());
    }

    @Test
    void expireAtAndPersist() {
        keyspace.apply(new Effect.SetAdd(b("s"), bs("a")));
        keyspace.apply(new Effect.ExpireAt(b("s"), 9_000));
        assertEquals("set:[a] ttl=9000", dump("s"));
        assertEquals(1, keyspace.keysWithExpiry());
        keyspace.apply(new Effect.ExpireAt(b("s"), 8_000));
        assertEquals("set:[a] ttl=8000", dump("s"));
        assertEquals(1, keyspace.keysWithExpiry());
        keyspace.apply(new Effect.Persist(b("s")));
        assertEquals("set:[a]", dump("s"));
        assertEquals(0, keyspace.keysWithExpiry());
        assertThrows(IllegalStateException.class, () -> keyspace.apply(new Effect.ExpireAt(b("missing"), 1)),
                "an effect on a missing key is a bug of the writer, caught by an invariant");
    }

    @Test
    void hashPutAndRemoveWithTheKeyGoingWithItsLastField() {
        keyspace.apply(new Effect.HashPut(b("h"), bs("a", "1", "b", "2")));
        keyspace.apply(new Effect.HashPut(b("h"), bs("a", "3", "c", "4")));
        assertEquals("hash:[a=3, b=2, c=4]", dump("h"));
        keyspace.apply(new Effect.ExpireAt(b("h"), 7_000));
        keyspace.apply(new Effect.HashRemove(b("h"), bs("a", "zz")));
        assertEquals("hash:[b=2, c=4] ttl=7000", dump("h"));
        keyspace.apply(new Effect.HashRemove(b("h"), bs("b", "c")));
        assertNull(keyspace.find(b("h")));
        assertEquals(0, keyspace.size());
        assertEquals(0, keyspace.keysWithExpiry(), "the expiry goes with the key");
    }

    @Test
    void setAddAndRemoveWithTheKeyGoingWithItsLastMember() {
        keyspace.apply(new Effect.SetAdd(b("s"), bs("a", "b")));
        keyspace.apply(new Effect.SetAdd(b("s"), bs("b", "c")));
        assertEquals("set:[a, b, c]", dump("s"));
        keyspace.apply(new Effect.SetRemove(b("s"), bs("b")));
        assertEquals("set:[a, c]", dump("s"));
        keyspace.apply(new Effect.ExpireAt(b("s"), 7_000));
        keyspace.apply(new Effect.SetRemove(b("s"), bs("a", "c")));
        assertNull(keyspace.find(b("s")));
        assertEquals(0, keyspace.keysWithExpiry());
    }

    @Test
    void listPushAndPopAtBothEndsWithTheKeyGoingWithItsLastElement() {
        keyspace.apply(new Effect.ListPush(b("l"), false, bs("a", "b", "c")));
        keyspace.apply(new Effect.ListPush(b("l"), true, bs("x", "y"))); // one by one: y ends first
        assertEquals("list:[y, x, a, b, c]", dump("l"));
        keyspace.apply(new Effect.ListPop(b("l"), true, 2));
        assertEquals("list:[a, b, c]", dump("l"));
        keyspace.apply(new Effect.ListPop(b("l"), false, 1));
        assertEquals("list:[a, b]", dump("l"));
        assertThrows(IllegalStateException.class, () -> keyspace.apply(new Effect.ListPop(b("l"), true, 3)));
        keyspace.apply(new Effect.ExpireAt(b("l"), 7_000));
        keyspace.apply(new Effect.ListPop(b("l"), false, 2));
        assertNull(keyspace.find(b("l")));
        assertEquals(0, keyspace.keysWithExpiry());
    }

    @Test
    void listGrowsPastItsInitialCapacityAtBothEnds() {
        for (int i = 0; i < 100; i++) {
            keyspace.apply(new Effect.ListPush(b("l"), i % 2 == 0, bs(Integer.toString(i))));
        }
        ListValue list = (ListValue) keyspace.find(b("l")).value();
        assertEquals(100, list.size());
        // Left pushes were the even numbers, so the head is 98, 96, ..., 0, then 1, 3, ..., 99.
        assertEquals("98", Ascii.string(list.get(0)));
        assertEquals("0", Ascii.string(list.get(49)));
        assertEquals("1", Ascii.string(list.get(50)));
        assertEquals("99", Ascii.string(list.get(99)));
    }

    @Test
    void flushAllRemovesEveryKeyAndEveryExpiry() {
        keyspace.apply(new Effect.PutString(b("a"), b("1"), 5_000));
        keyspace.apply(new Effect.HashPut(b("h"), bs("f", "v")));
        keyspace.apply(new Effect.ExpireAt(b("h"), 6_000));
        keyspace.apply(new Effect.FlushAll());
        assertEquals(0, keyspace.size());
        assertEquals(0, keyspace.keysWithExpiry());
        assertNull(keyspace.randomKeyWithExpiry(new Random(1)));
        assertEquals(Map.of(), KeyspaceDump.of(keyspace));
        keyspace.apply(new Effect.PutString(b("a"), b("2"), Effect.NO_EXPIRY));
        assertEquals("string:2", dump("a"));
    }

    @Test
    void keysWithExpiryMatchesTheKeysThatHaveOneThroughRandomEffects() {
        Random random = new Random(77);
        for (int op = 0; op < 5_000; op++) {
            byte[] key = b("k" + random.nextInt(40));
            KeyEntry entry = keyspace.find(key);
            int r = random.nextInt(10);
            Effect effect;
            if (r < 3) {
                long expiry = switch (random.nextInt(3)) {
                    case 0 -> Effect.NO_EXPIRY;
                    case 1 -> Effect.KEEP_TTL;
                    default -> 1_000 + random.nextInt(1_000);
                };
                effect = new Effect.PutString(key, b("v"), expiry);
            } else if (r < 4) {
                effect = new Effect.DeleteKey(key);
            } else if (r < 6 && entry != null) {
                effect = new Effect.ExpireAt(key, 1_000 + random.nextInt(1_000));
            } else if (r < 7 && entry != null) {
                effect = new Effect.Persist(key);
            } else if (r < 8 && (entry == null || entry.value() instanceof SetValue)) {
                effect = random.nextBoolean() || entry == null ? new Effect.SetAdd(key, bs("m" + random.nextInt(3)))
                        : new Effect.SetRemove(key, bs("m0", "m1", "m2"));
            } else if (r < 9 && random.nextInt(200) == 0) {
                effect = new Effect.FlushAll();
            } else {
                continue;
            }
            keyspace.apply(effect);
            int[] withExpiry = {0};
            keyspace.forEach(e -> withExpiry[0] += e.hasExpiry() ? 1 : 0);
            assertEquals(withExpiry[0], keyspace.keysWithExpiry(), "--seed=77 op " + op);
        }
        // Every key the index hands out for active expiry really has an expiry.
        for (int i = 0; i < 100 && keyspace.keysWithExpiry() > 0; i++) {
            KeyEntry entry = keyspace.find(keyspace.randomKeyWithExpiry(random));
            assertNotNull(entry);
            assertEquals(true, entry.hasExpiry());
        }
    }

    @Test
    void frozenKeyspaceKeepsOldContentsWhileEveryEffectTypeChangesTheLiveOne() {
        keyspace.apply(new Effect.PutString(b("str"), b("v1"), 5_000));
        keyspace.apply(new Effect.HashPut(b("hash"), bs("a", "1", "b", "2")));
        keyspace.apply(new Effect.SetAdd(b("set"), bs("x", "y")));
        keyspace.apply(new Effect.ListPush(b("list"), false, bs("p", "q", "r")));
        keyspace.apply(new Effect.ExpireAt(b("list"), 9_000));
        for (int i = 0; i < 200; i++) {
            keyspace.apply(new Effect.PutString(b("filler" + i), b("f" + i), Effect.NO_EXPIRY));
        }
        Map<String, String> before = KeyspaceDump.of(keyspace);
        long digestBefore = KeyspaceDigest.of(keyspace);

        FrozenKeyspace frozen = keyspace.freeze();
        keyspace.apply(new Effect.HashPut(b("hash"), bs("a", "changed", "c", "3")));
        keyspace.apply(new Effect.HashRemove(b("hash"), bs("b")));
        keyspace.apply(new Effect.SetAdd(b("set"), bs("z")));
        keyspace.apply(new Effect.SetRemove(b("set"), bs("x")));
        keyspace.apply(new Effect.ListPush(b("list"), true, bs("o")));
        keyspace.apply(new Effect.ListPop(b("list"), false, 2));
        keyspace.apply(new Effect.PutString(b("str"), b("v2"), Effect.KEEP_TTL));
        keyspace.apply(new Effect.ExpireAt(b("hash"), 4_000));
        keyspace.apply(new Effect.Persist(b("list")));
        for (int i = 0; i < 200; i += 2) {
            keyspace.apply(new Effect.DeleteKey(b("filler" + i)));
            keyspace.apply(new Effect.PutString(b("new" + i), b("n"), Effect.NO_EXPIRY));
        }
        assertEquals("hash:[a=changed, c=3] ttl=4000", dump("hash"));
        assertEquals("set:[y, z]", dump("set"));
        assertEquals("list:[o, p]", dump("list"));
        assertEquals("string:v2 ttl=5000", dump("str"));

        assertEquals(before, KeyspaceDump.of(frozen), "the frozen view changed under later writes");
        assertEquals(before.size(), frozen.size());
        assertEquals(digestBefore, KeyspaceDigest.of(frozen));

        // A second snapshot while the first is still read; then FLUSHALL leaves both untouched.
        Map<String, String> middle = KeyspaceDump.of(keyspace);
        FrozenKeyspace second = keyspace.freeze();
        keyspace.apply(new Effect.HashPut(b("hash"), bs("d", "4")));
        keyspace.apply(new Effect.FlushAll());
        assertEquals(0, keyspace.size());
        assertEquals(before, KeyspaceDump.of(frozen));
        assertEquals(middle, KeyspaceDump.of(second));
    }

    @Test
    void aCollectionCreatedAfterAFreezeIsCopiedAtTheNextOne() {
        FrozenKeyspace first = keyspace.freeze();
        keyspace.apply(new Effect.ListPush(b("l"), false, bs("a")));
        FrozenKeyspace second = keyspace.freeze();
        keyspace.apply(new Effect.ListPush(b("l"), false, bs("b")));
        assertEquals(Map.of(), KeyspaceDump.of(first));
        assertEquals(Map.of("l", "list:[a]"), KeyspaceDump.of(second));
        assertEquals("list:[a, b]", dump("l"));
    }

    /**
     * A list against an ArrayDeque through random pushes and pops at both ends (so the ring wraps and
     * grows), with freezes in between: each frozen view keeps the list as it was, whatever the ring's
     * head was when it was copied.
     */
    @Test
    void listMatchesADequeThroughWrapsGrowthAndFreezes() {
        long seed = 2024;
        Random random = new Random(seed);
        java.util.ArrayDeque<String> model = new java.util.ArrayDeque<>();
        java.util.List<FrozenKeyspace> frozens = new java.util.ArrayList<>();
        java.util.List<Map<String, String>> expected = new java.util.ArrayList<>();
        for (int op = 0; op < 4_000; op++) {
            boolean left = random.nextBoolean();
            if (model.isEmpty() || random.nextInt(100) < 55) {
                int n = 1 + random.nextInt(3);
                String[] items = new String[n];
                for (int i = 0; i < n; i++) {
                    items[i] = Integer.toString(op * 10 + i);
                    if (left) {
                        model.addFirst(items[i]);
                    } else {
                        model.addLast(items[i]);
                    }
                }
                keyspace.apply(new Effect.ListPush(b("l"), left, bs(items)));
            } else {
                int n = 1 + random.nextInt(Math.min(3, model.size()));
                for (int i = 0; i < n; i++) {
                    if (left) {
                        model.removeFirst();
                    } else {
                        model.removeLast();
                    }
                }
                keyspace.apply(new Effect.ListPop(b("l"), left, n));
            }
            String shown = model.isEmpty() ? null : "list:" + model;
            assertEquals(shown, dump("l"), "--seed=" + seed + " op " + op);
            if (random.nextInt(100) == 0) {
                expected.add(KeyspaceDump.of(keyspace));
                frozens.add(keyspace.freeze());
            }
        }
        for (int i = 0; i < frozens.size(); i++) {
            assertEquals(expected.get(i), KeyspaceDump.of(frozens.get(i)), "--seed=" + seed + " frozen view " + i);
        }
    }
}
