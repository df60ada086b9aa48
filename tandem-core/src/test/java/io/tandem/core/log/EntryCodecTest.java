package io.tandem.core.log;

import static io.tandem.core.testkit.TestBytes.b;
import static io.tandem.core.testkit.TestBytes.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.testkit.ByteMutator;
import io.tandem.core.testkit.Show;
import io.tandem.core.util.Ascii;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Log entry payloads: every effect round trips; damaged payloads fail with CorruptEntryException only. */
class EntryCodecTest {

    /** One of each effect type, both list directions, and edge values. */
    static List<Effect> everyEffect() {
        return List.of(
                new Effect.PutString(b("k"), b("v"), Effect.NO_EXPIRY),
                new Effect.PutString(b("k"), b("v"), Effect.KEEP_TTL),
                new Effect.PutString(b("k"), b("v"), 1_700_000_000_123L),
                new Effect.PutString(b(""), new byte[0], Long.MAX_VALUE),
                new Effect.PutString(new byte[] {0, (byte) 0xff, '\r', '\n'}, new byte[] {(byte) 0x80}, 0),
                new Effect.DeleteKey(b("gone")),
                new Effect.ExpireAt(b("k"), 1_700_000_000_000L),
                new Effect.ExpireAt(b("k"), Long.MIN_VALUE),
                new Effect.Persist(b("k")),
                new Effect.HashPut(b("h"), bs("f1", "v1", "f2", "")),
                new Effect.HashPut(b("h"), new byte[0][]),
                new Effect.HashRemove(b("h"), bs("f1")),
                new Effect.SetAdd(b("s"), bs("a", "b", "")),
                new Effect.SetRemove(b("s"), bs("a")),
                new Effect.ListPush(b("l"), true, bs("x", "y")),
                new Effect.ListPush(b("l"), false, bs("z")),
                new Effect.ListPop(b("l"), true, 1),
                new Effect.ListPop(b("l"), false, Integer.MAX_VALUE),
                new Effect.ListPop(b("l"), true, 0),
                new Effect.FlushAll());
    }

    private static void assertRoundTrip(Entry entry) {
        byte[] payload = EntryCodec.encodePayload(entry);
        assertEquals(EntryCodec.payloadSize(entry), payload.length, "payloadSize");
        Entry decoded = EntryCodec.decodePayload(entry.term(), entry.lsn(), ByteBuffer.wrap(payload));
        assertSameEntry(entry, decoded);
    }

    private static void assertSameEntry(Entry expected, Entry actual) {
        assertEquals(expected.term(), actual.term());
        assertEquals(expected.lsn(), actual.lsn());
        assertEquals(expected.timeMillis(), actual.timeMillis());
        assertEquals(expected.effects().size(), actual.effects().size(), "effect count");
        for (int i = 0; i < expected.effects().size(); i++) {
            assertEquals(Show.components(expected.effects().get(i)), Show.components(actual.effects().get(i)),
                    "effect " + i + ": " + Show.effect(expected.effects().get(i)));
        }
    }

    @Test
    void everyEffectTypeRoundTrips() {
        assertRoundTrip(new Entry(3, 17, 1_700_000_000_000L, everyEffect()));
        for (Effect effect : everyEffect()) {
            assertRoundTrip(new Entry(1, 1, 0, List.of(effect)));
        }
    }

    @Test
    void noOpEntriesAndNegativeTimesRoundTrip() {
        assertRoundTrip(new Entry(1, 1, 0, List.of()));
        assertRoundTrip(new Entry(Long.MAX_VALUE, Long.MAX_VALUE, -1, List.of()));
        assertRoundTrip(new Entry(1, 2, Long.MIN_VALUE, List.of(new Effect.FlushAll())));
        assertRoundTrip(new Entry(1, 2, Long.MAX_VALUE, List.of(new Effect.DeleteKey(new byte[0]))));
    }

    @Test
    void largeValuesAndManyItemsRoundTrip() {
        byte[] big = new byte[3 * 1024 * 1024 + 7];
        new Random(1).nextBytes(big);
        byte[][] many = new byte[20_000][];
        for (int i = 0; i < many.length; i++) {
            many[i] = Ascii.bytes("member-" + i);
        }
        List<Effect> effects = new ArrayList<>();
        effects.add(new Effect.PutString(b("big"), big, Effect.KEEP_TTL));
        effects.add(new Effect.SetAdd(b("many"), many));
        for (int i = 0; i < 5_000; i++) {
            effects.add(new Effect.DeleteKey(b("d" + i)));
        }
        assertRoundTrip(new Entry(2, 99, 5, effects));
    }

    @Test
    void aPayloadInsideALargerBufferDecodesFromItsPosition() {
        Entry entry = new Entry(1, 7, 123, everyEffect());
        byte[] payload = EntryCodec.encodePayload(entry);
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 10);
        frame.put(new byte[6]).put(payload).put(new byte[4]);
        frame.position(6).limit(6 + payload.length);
        assertSameEntry(entry, EntryCodec.decodePayload(1, 7, frame));
    }

    /** The in-place decode the peer frames and the WAL use: same entry, and the buffer as it was after. */
    @Test
    void aPayloadDecodedInPlaceLeavesTheBufferAsItWas() {
        Entry entry = new Entry(1, 7, 123, List.of(new Effect.PutString(b("k"), b("v"), Effect.NO_EXPIRY)));
        byte[] payload = EntryCodec.encodePayload(entry);
        ByteBuffer frame = ByteBuffer.allocateDirect(payload.length + 10);
        frame.put(new byte[6]).put(payload).put(new byte[4]);
        frame.position(2).limit(payload.length + 9);
        assertSameEntry(entry, EntryCodec.decodePayload(1, 7, frame, 6, payload.length));
        assertEquals(2, frame.position());
        assertEquals(payload.length + 9, frame.limit());
        // One byte short: the region ends inside the value, which is damage even though the buffer goes on.
        assertThrows(CorruptEntryException.class, () -> EntryCodec.decodePayload(1, 7, frame, 6, payload.length - 1));
        assertEquals(2, frame.position());
        assertEquals(payload.length + 9, frame.limit());
    }

    @Test
    void everyTruncationIsCorrupt() {
        byte[] payload = EntryCodec.encodePayload(new Entry(1, 1, 1_700_000_000_000L, everyEffect()));
        for (int length = 0; length < payload.length; length++) {
            byte[] cut = Arrays.copyOf(payload, length);
            CorruptEntryException e = assertThrows(CorruptEntryException.class,
                    () -> EntryCodec.decodePayload(1, 1, ByteBuffer.wrap(cut)), "prefix of " + length + " bytes");
            assertTrue(e.offset() >= 0 && e.offset() <= length, "offset " + e.offset() + " in " + length + " bytes");
        }
    }

    @Test
    void trailingBytesAreCorrupt() {
        byte[] payload = EntryCodec.encodePayload(new Entry(1, 1, 5, List.of(new Effect.DeleteKey(b("k")))));
        byte[] longer = Arrays.copyOf(payload, payload.length + 1);
        assertThrows(CorruptEntryException.class, () -> EntryCodec.decodePayload(1, 1, ByteBuffer.wrap(longer)));
    }

    @Test
    void handMadeGarbageIsCorrupt() {
        byte[][] cases = {
            {},
            {0, 1, 99, 1, 'k'}, // unknown effect tag 99
            {0, 1, 5, 1, 'h', 1, 1, 'f'}, // hash put with one field and no value
            {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // 2^32 - 1 effects
            {0, 1, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}, // a 2 GB key
            {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0}, // an 11-byte varint
            {0, 1, 11, 1, 'l', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, // pop 2^40
            {0, 1, 7, 1, 's', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}, // a set of 268M members
        };
        for (byte[] garbage : cases) {
            assertThrows(CorruptEntryException.class, () -> EntryCodec.decodePayload(1, 1, ByteBuffer.wrap(garbage)),
                    Arrays.toString(garbage));
        }
    }

    /**
     * Thousands of seeded random mutations (flipped bits, replaced, inserted and deleted bytes, random
     * varints spliced in, pure noise): each decodes to something or throws CorruptEntryException, never
     * another exception and never an OutOfMemoryError.
     */
    @Test
    void fuzzedPayloadsDecodeOrThrowCorruptEntryOnly() {
        long seed = 20_240_601L;
        Random random = new Random(seed);
        byte[] original = EntryCodec.encodePayload(new Entry(1, 1, 1_700_000_000_000L, everyEffect()));
        int corrupt = 0;
        for (int round = 0; round < 5_000; round++) {
            byte[] mutated = ByteMutator.mutate(original, random);
            try {
                EntryCodec.decodePayload(1, 1, ByteBuffer.wrap(mutated));
            } catch (CorruptEntryException e) {
                corrupt++;
                assertTrue(e.offset() >= 0 && e.offset() <= mutated.length,
                        "--seed=" + seed + " round " + round + ": offset " + e.offset());
            } catch (Throwable t) {
                fail("--seed=" + seed + " round " + round + ": " + t + " for " + Arrays.toString(mutated), t);
            }
        }
        assertTrue(corrupt > 2_500, "most mutations should be detected, got " + corrupt);
    }

    /**
     * CorruptEntryException's offset is documented as "the byte offset within the payload", and it is for
     * most errors; a malformed varint reports the buffer's absolute position instead. A WAL reader or
     * peer decoder passes a buffer positioned after its header, so its error message points elsewhere.
     */
    @Test
    void varintErrorsReportThePayloadRelativeOffset() {
        byte[] overlong = new byte[11];
        Arrays.fill(overlong, (byte) 0x80);
        ByteBuffer frame = ByteBuffer.allocate(5 + overlong.length);
        frame.put(new byte[5]).put(overlong).flip().position(5);
        CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> EntryCodec.decodePayload(1, 1, frame));
        assertEquals(0, e.offset(), e.getMessage());
    }

    @Test
    void statementsRoundTrip() {
        byte[][] args = {"SPOP".getBytes(), "s".getBytes(), "2".getBytes()};
        Entry entry = new Entry(2, 9, 1234, List.of(new Effect.Statement(args)));
        Entry decoded = EntryCodec.decodePayload(2, 9, java.nio.ByteBuffer.wrap(EntryCodec.encodePayload(entry)));
        Effect.Statement statement = (Effect.Statement) decoded.effects().get(0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(args, statement.args());
    }
}
