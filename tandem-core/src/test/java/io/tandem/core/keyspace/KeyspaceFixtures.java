package io.tandem.core.keyspace;

import static io.tandem.core.testkit.TestBytes.b;
import static io.tandem.core.testkit.TestBytes.bs;

import io.tandem.core.model.Effect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Keyspaces built from effects, for codec and digest tests. */
final class KeyspaceFixtures {
    private KeyspaceFixtures() {}

    /**
     * Effects that build every value type, with and without expiry, binary and empty strings, and some
     * bulk. Each key is built by its own effects, so the order of keys can be shuffled freely.
     */
    static List<List<Effect>> perKey() {
        List<List<Effect>> keys = new ArrayList<>();
        keys.add(List.of(new Effect.PutString(b("str"), b("hello"), Effect.NO_EXPIRY)));
        keys.add(List.of(new Effect.PutString(b("ttl"), b("x"), 1_700_000_050_000L)));
        keys.add(List.of(new Effect.PutString(b(""), new byte[0], Effect.NO_EXPIRY)));
        keys.add(List.of(new Effect.PutString(new byte[] {0, (byte) 0xff}, new byte[] {'\r', '\n', 0}, 1)));
        keys.add(List.of(new Effect.HashPut(b("hash"), bs("a", "1", "b", "2", "", "empty"))));
        keys.add(List.of(new Effect.HashPut(b("hash2"), bs("f", "v")), new Effect.ExpireAt(b("hash2"), 99_000)));
        keys.add(List.of(new Effect.SetAdd(b("set"), bs("x", "y", "z", ""))));
        keys.add(List.of(new Effect.ListPush(b("list"), false, bs("a", "b", "a", "")),
                new Effect.ListPush(b("list"), true, bs("head"))));
        keys.add(List.of(new Effect.ListPush(b("list2"), true, bs("only")), new Effect.ExpireAt(b("list2"), 5)));
        for (int i = 0; i < 100; i++) {
            keys.add(List.of(new Effect.PutString(b("bulk" + i), b("value" + i), Effect.NO_EXPIRY)));
        }
        return keys;
    }

    /** The fixture, keys applied in an order shuffled by seed into a keyspace with that hash seed. */
    static Keyspace build(int hashSeed, long orderSeed) {
        List<List<Effect>> keys = new ArrayList<>(perKey());
        Collections.shuffle(keys, new Random(orderSeed));
        Keyspace keyspace = new Keyspace(hashSeed);
        for (List<Effect> effects : keys) {
            effects.forEach(keyspace::apply);
        }
        return keyspace;
    }

    /** A copy made as a snapshot does: every key encoded as a record, decoded into a new keyspace. */
    static Keyspace rebuild(Keyspace source, int hashSeed) {
        List<byte[]> records = new ArrayList<>();
        source.forEach(entry -> records.add(KeyRecordCodec.encode(entry)));
        Keyspace copy = new Keyspace(hashSeed);
        for (byte[] record : records) {
            KeyRecordCodec.decodeInto(copy, record);
        }
        return copy;
    }
}
