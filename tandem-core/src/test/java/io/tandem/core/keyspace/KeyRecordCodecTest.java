package io.tandem.core.keyspace;

import static io.tandem.core.testkit.TestBytes.b;
import static io.tandem.core.testkit.TestBytes.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.core.log.CorruptEntryException;
import io.tandem.core.model.Effect;
import io.tandem.core.testkit.ByteMutator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Snapshot key records: every value type round trips; damaged records fail as CorruptEntryException. */
class KeyRecordCodecTest {

    @Test
    void everyValueTypeRoundTripsWithOrderAndExpiry() {
        Keyspace source = KeyspaceFixtures.build(1, 1);
        Keyspace copy = KeyspaceFixtures.rebuild(source, 2);
        assertEquals(KeyspaceDump.of(source), KeyspaceDump.of(copy));
        assertEquals(source.size(), copy.size());
        assertEquals(source.keysWithExpiry(), copy.keysWithExpiry());
        // Insertion order of hash fields and set members, and list order, survive.
        assertEquals("hash:[a=1, b=2, =empty]", KeyspaceDump.value(copy.find(b("hash"))));
        assertEquals("set:[x, y, z, ]", KeyspaceDump.value(copy.find(b("set"))));
        assertEquals("list:[head, a, b, a, ]", KeyspaceDump.value(copy.find(b("list"))));
        assertEquals("hash:[f=v] ttl=99000", KeyspaceDump.value(copy.find(b("hash2"))));
    }

    @Test
    void largeValuesRoundTrip() {
        Keyspace source = new Keyspace(1);
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(big);
        source.apply(new Effect.PutString(b("big"), big, Effect.NO_EXPIRY));
        byte[][] members = new byte[10_000][];
        for (int i = 0; i < members.length; i++) {
            members[i] = b("m" + i);
        }
        source.apply(new Effect.SetAdd(b("bigset"), members));
        source.apply(new Effect.ListPush(b("biglist"), false, members));
        Keyspace copy = KeyspaceFixtures.rebuild(source, 9);
        assertTrue(Arrays.equals(big, (byte[]) copy.find(b("big")).value()));
        assertEquals(KeyspaceDump.of(source), KeyspaceDump.of(copy));
        assertEquals(KeyspaceDigest.of(source), KeyspaceDigest.of(copy));
    }

    @Test
    void aRebuiltKeyspaceIsWritableAndIndependent() {
        Keyspace source = KeyspaceFixtures.build(1, 1);
        Keyspace copy = KeyspaceFixtures.rebuild(source, 2);
        Map<String, String> before = KeyspaceDump.of(source);
        copy.apply(new Effect.HashPut(b("hash"), bs("a", "changed")));
        copy.apply(new Effect.ListPop(b("list"), true, 1));
        copy.apply(new Effect.SetRemove(b("set"), bs("x")));
        assertEquals(before, KeyspaceDump.of(source), "the source changed when the copy did");
        assertEquals("hash:[a=changed, b=2, =empty]", KeyspaceDump.value(copy.find(b("hash"))));
    }

    @Test
    void truncatedAndTrailingRecordsAreCorrupt() {
        Keyspace source = KeyspaceFixtures.build(1, 1);
        source.forEach(entry -> {
            byte[] record = KeyRecordCodec.encode(entry);
            for (int length = 0; length < record.length; length++) {
                byte[] cut = Arrays.copyOf(record, length);
                assertThrows(CorruptEntryException.class, () -> KeyRecordCodec.decodeInto(new Keyspace(1), cut),
                        "prefix of " + length + " of " + KeyspaceDump.value(entry));
            }
            byte[] longer = Arrays.copyOf(record, record.length + 1);
            assertThrows(CorruptEntryException.class, () -> KeyRecordCodec.decodeInto(new Keyspace(1), longer));
        });
    }

    @Test
    void fuzzedRecordsDecodeOrThrowCorruptEntryOnly() {
        long seed = 4242;
        Random random = new Random(seed);
        Keyspace source = KeyspaceFixtures.build(1, 1);
        List<byte[]> records = new ArrayList<>();
        source.forEach(entry -> records.add(KeyRecordCodec.encode(entry)));
        for (int round = 0; round < 3_000; round++) {
            byte[] mutated = ByteMutator.mutate(records.get(random.nextInt(records.size())), random);
            try {
                KeyRecordCodec.decodeInto(new Keyspace(1), mutated);
            } catch (CorruptEntryException expected) {
                // detected
            } catch (Throwable t) {
                fail("--seed=" + seed + " round " + round + ": " + t + " for " + Arrays.toString(mutated), t);
            }
        }
    }
}
