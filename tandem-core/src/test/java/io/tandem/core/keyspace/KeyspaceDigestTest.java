package io.tandem.core.keyspace;

import static io.tandem.core.testkit.TestBytes.b;
import static io.tandem.core.testkit.TestBytes.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Effect;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keyspace digest: equal data gives equal digests whatever the order or seed; any change shows. */
class KeyspaceDigestTest {

    @Test
    void equalKeyspacesBuiltInDifferentOrdersWithDifferentSeedsHaveEqualDigests() {
        long expected = KeyspaceDigest.of(KeyspaceFixtures.build(1, 1));
        for (int hashSeed : new int[] {1, 2, -1, 0x5eed}) {
            for (long orderSeed = 1; orderSeed <= 5; orderSeed++) {
                Keyspace keyspace = KeyspaceFixtures.build(hashSeed, orderSeed);
                assertEquals(expected, KeyspaceDigest.of(keyspace), "hash seed " + hashSeed + ", order " + orderSeed);
            }
        }
    }

    @Test
    void hashFieldAndSetMemberOrderIsNotData() {
        Keyspace a = new Keyspace(1);
        a.apply(new Effect.HashPut(b("h"), bs("x", "1", "y", "2")));
        a.apply(new Effect.SetAdd(b("s"), bs("p", "q")));
        Keyspace b = new Keyspace(2);
        b.apply(new Effect.HashPut(b("h"), bs("y", "2")));
        b.apply(new Effect.HashPut(b("h"), bs("x", "1")));
        b.apply(new Effect.SetAdd(b("s"), bs("q")));
        b.apply(new Effect.SetAdd(b("s"), bs("p")));
        assertEquals(KeyspaceDigest.of(a), KeyspaceDigest.of(b));
    }

    @Test
    void anySingleChangeChangesTheDigest() {
        Map<String, Effect> changes = new HashMap<>();
        changes.put("string value", new Effect.PutString(b("str"), b("hellO"), Effect.NO_EXPIRY));
        changes.put("string expiry added", new Effect.ExpireAt(b("str"), 1_000));
        changes.put("expiry moved by 1 ms", new Effect.ExpireAt(b("ttl"), 1_700_000_050_001L));
        changes.put("expiry removed", new Effect.Persist(b("ttl")));
        changes.put("hash field value", new Effect.HashPut(b("hash"), bs("a", "2")));
        changes.put("hash field added", new Effect.HashPut(b("hash"), bs("c", "3")));
        changes.put("hash field removed", new Effect.HashRemove(b("hash"), bs("b")));
        changes.put("hash field with an empty value", new Effect.HashPut(b("hash"), bs("new", "")));
        changes.put("set member added", new Effect.SetAdd(b("set"), bs("w")));
        changes.put("set member removed", new Effect.SetRemove(b("set"), bs("x")));
        changes.put("list element pushed", new Effect.ListPush(b("list"), false, bs("tail")));
        changes.put("list element popped", new Effect.ListPop(b("list"), true, 1));
        changes.put("key deleted", new Effect.DeleteKey(b("bulk7")));
        changes.put("key added", new Effect.PutString(b("brand new"), b("v"), Effect.NO_EXPIRY));
        changes.put("empty key's value", new Effect.PutString(b(""), b("x"), Effect.NO_EXPIRY));
        changes.put("type changed, same bytes", new Effect.PutString(b("list2"), b("only"), 5));
        changes.put("everything removed", new Effect.FlushAll());

        long base = KeyspaceDigest.of(KeyspaceFixtures.build(1, 1));
        Map<Long, String> seen = new HashMap<>();
        seen.put(base, "base");
        changes.forEach((name, effect) -> {
            Keyspace changed = KeyspaceFixtures.build(1, 1);
            changed.apply(effect);
            long digest = KeyspaceDigest.of(changed);
            assertNotEquals(base, digest, name);
            String clash = seen.put(digest, name);
            assertEquals(null, clash, name + " has the digest of " + clash);
        });
    }

    @Test
    void listOrderIsData() {
        Keyspace ab = new Keyspace(1);
        ab.apply(new Effect.ListPush(b("l"), false, bs("a", "b")));
        Keyspace ba = new Keyspace(1);
        ba.apply(new Effect.ListPush(b("l"), false, bs("b", "a")));
        assertNotEquals(KeyspaceDigest.of(ab), KeyspaceDigest.of(ba));
    }

    @Test
    void valuesAreNotMixedUpAcrossKeysFieldsOrTypes() {
        List<List<Effect>> variants = List.of(
                List.of(new Effect.PutString(b("a"), b("1"), -1), new Effect.PutString(b("b"), b("2"), -1)),
                List.of(new Effect.PutString(b("a"), b("2"), -1), new Effect.PutString(b("b"), b("1"), -1)),
                List.of(new Effect.HashPut(b("h"), bs("a", "1", "b", "2"))),
                List.of(new Effect.HashPut(b("h"), bs("a", "2", "b", "1"))),
                List.of(new Effect.HashPut(b("h"), bs("1", "a", "2", "b"))),
                List.of(new Effect.SetAdd(b("h"), bs("a", "b"))),
                List.of(new Effect.ListPush(b("h"), false, bs("a", "b"))),
                List.of(new Effect.PutString(b("h"), b("ab"), -1)),
                List.of(new Effect.ListPush(b("h"), false, bs("ab"))),
                List.of(new Effect.ListPush(b("h"), false, bs("a", "b", ""))));
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < variants.size(); i++) {
            Keyspace keyspace = new Keyspace(1);
            variants.get(i).forEach(keyspace::apply);
            Integer clash = seen.put(KeyspaceDigest.of(keyspace), i);
            assertEquals(null, clash, "variant " + i + " has the digest of variant " + clash);
        }
    }

    @Test
    void aSnapshotStyleRebuildHasTheSameDigest() {
        Keyspace source = KeyspaceFixtures.build(7, 3);
        long digest = KeyspaceDigest.of(source);
        assertEquals(digest, KeyspaceDigest.of(KeyspaceFixtures.rebuild(source, 8)));
        assertEquals(digest, KeyspaceDigest.of(KeyspaceFixtures.rebuild(source, 7)));
    }

    @Test
    void aFrozenViewKeepsItsDigestWhileWritesGoOn() {
        Keyspace keyspace = KeyspaceFixtures.build(1, 1);
        long digest = KeyspaceDigest.of(keyspace);
        FrozenKeyspace frozen = keyspace.freeze();
        keyspace.apply(new Effect.HashPut(b("hash"), bs("a", "changed")));
        keyspace.apply(new Effect.DeleteKey(b("str")));
        assertNotEquals(digest, KeyspaceDigest.of(keyspace));
        assertEquals(digest, KeyspaceDigest.of(frozen));
        assertTrue(frozen.size() == keyspace.size() + 1);
    }
}
