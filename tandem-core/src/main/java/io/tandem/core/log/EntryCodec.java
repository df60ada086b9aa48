package io.tandem.core.log;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.util.Varints;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a log entry: {@code timeMillis}, then the effects. Term and LSN are not part of the
 * payload: the WAL record header and the peer frame carry them. The same bytes go to disk and to
 * replicas, so a follower stores exactly what the leader stored.
 *
 * <pre>
 * payload  = timeMillis:varlong  count:varint  effect*count
 * effect   = tag:u8  key:bytes  fields...       (see the tags below)
 * bytes    = length:varint  raw
 * </pre>
 *
 * Varints are unsigned LEB128 (7 bits a byte, low bits first); signed values (expiry times, which may be
 * -1 or -2) are zigzag-encoded first so that small negatives stay short.
 */
public final class EntryCodec {
    private EntryCodec() {}

    static final int PUT_STRING = 1;
    static final int DELETE_KEY = 2;
    static final int EXPIRE_AT = 3;
    static final int PERSIST = 4;
    static final int HASH_PUT = 5;
    static final int HASH_REMOVE = 6;
    static final int SET_ADD = 7;
    static final int SET_REMOVE = 8;
    static final int LIST_PUSH_LEFT = 9;
    static final int LIST_PUSH_RIGHT = 10;
    static final int LIST_POP_LEFT = 11;
    static final int LIST_POP_RIGHT = 12;
    static final int FLUSH_ALL = 13;
    static final int STATEMENT = 14;
    /** A membership change: its text form (Membership.encode) as bytes, US-ASCII. */
    static final int RECONFIGURE = 15;

    /** Upper bound on effects in one entry, checked on decode so a corrupt count cannot allocate wildly. */
    public static final int MAX_EFFECTS = 1 << 24;

    public static int payloadSize(Entry entry) {
        int size = varlongSize(zigzag(entry.timeMillis())) + varintSize(entry.effects().size());
        for (Effect effect : entry.effects()) {
            size += effectSize(effect);
        }
        return size;
    }

    public static byte[] encodePayload(Entry entry) {
        ByteBuffer out = ByteBuffer.allocate(payloadSize(entry));
        encodePayload(entry, out);
        return out.array();
    }

    public static void encodePayload(Entry entry, ByteBuffer out) {
        putVarlong(out, zigzag(entry.timeMillis()));
        putVarint(out, entry.effects().size());
        for (Effect effect : entry.effects()) {
            encodeEffect(effect, out);
        }
    }

    /**
     * Decodes the payload at {@code buffer[offset, offset + length)} in place, without a view of it: a slice per
     * entry was the largest garbage of a follower's catch-up after the values themselves (87 MB of 490 per
     * million entries, JFR allocation samples). The buffer's position and limit are as before on return.
     */
    public static Entry decodePayload(long term, long lsn, ByteBuffer buffer, int offset, int length) {
        int position = buffer.position();
        int limit = buffer.limit();
        // Worked example: limit 500, a payload at 100 of 40 bytes: decode [100, 140), then back to 500.
        buffer.limit(offset + length).position(offset);
        try {
            return decodePayload(term, lsn, buffer);
        } finally {
            buffer.limit(limit).position(position);
        }
    }

    /** Decodes a payload that spans {@code payload}'s remaining bytes. */
    public static Entry decodePayload(long term, long lsn, ByteBuffer payload) {
        int start = payload.position();
        try {
            long timeMillis = unzigzag(getVarlong(payload, start));
            int count = getLength(payload, MAX_EFFECTS, start);
            List<Effect> effects;
            if (count == 1) {
                // Most entries are one command's one effect (a SET): one small immutable list, not an ArrayList
                // and its array.
                effects = List.of(decodeEffect(payload, start));
            } else {
                effects = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    effects.add(decodeEffect(payload, start));
                }
            }
            if (payload.hasRemaining()) {
                throw new CorruptEntryException(payload.remaining() + " bytes after the last effect",
                        payload.position() - start);
            }
            return new Entry(term, lsn, timeMillis, effects);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptEntryException("payload ends inside an effect", payload.position() - start);
        }
    }

    private static int effectSize(Effect effect) {
        int size = 1 + bytesSize(effect.key());
        return switch (effect) {
            case Effect.PutString p -> size + bytesSize(p.value()) + varlongSize(zigzag(p.expireAtMillis()));
            case Effect.DeleteKey d -> size;
            case Effect.ExpireAt e -> size + varlongSize(zigzag(e.atMillis()));
            case Effect.Persist p -> size;
            case Effect.HashPut h -> size + arraySize(h.fieldsAndValues());
            case Effect.HashRemove h -> size + arraySize(h.fields());
            case Effect.SetAdd s -> size + arraySize(s.members());
            case Effect.SetRemove s -> size + arraySize(s.members());
            case Effect.ListPush l -> size + arraySize(l.elements());
            case Effect.ListPop l -> size + varintSize(l.count());
            case Effect.FlushAll f -> 1;
            case Effect.Statement st -> 1 + arraySize(st.args());
            case Effect.Reconfigure r -> 1 + bytesSize(membershipBytes(r));
        };
    }

    private static void encodeEffect(Effect effect, ByteBuffer out) {
        switch (effect) {
            case Effect.PutString p -> {
                header(out, PUT_STRING, p.key());
                putBytes(out, p.value());
                putVarlong(out, zigzag(p.expireAtMillis()));
            }
            case Effect.DeleteKey d -> header(out, DELETE_KEY, d.key());
            case Effect.ExpireAt e -> {
                header(out, EXPIRE_AT, e.key());
                putVarlong(out, zigzag(e.atMillis()));
            }
            case Effect.Persist p -> header(out, PERSIST, p.key());
            case Effect.HashPut h -> {
                header(out, HASH_PUT, h.key());
                putArray(out, h.fieldsAndValues());
            }
            case Effect.HashRemove h -> {
                header(out, HASH_REMOVE, h.key());
                putArray(out, h.fields());
            }
            case Effect.SetAdd s -> {
                header(out, SET_ADD, s.key());
                putArray(out, s.members());
            }
            case Effect.SetRemove s -> {
                header(out, SET_REMOVE, s.key());
                putArray(out, s.members());
            }
            case Effect.ListPush l -> {
                header(out, l.left() ? LIST_PUSH_LEFT : LIST_PUSH_RIGHT, l.key());
                putArray(out, l.elements());
            }
            case Effect.ListPop l -> {
                header(out, l.left() ? LIST_POP_LEFT : LIST_POP_RIGHT, l.key());
                putVarint(out, l.count());
            }
            case Effect.FlushAll f -> out.put((byte) FLUSH_ALL);
            case Effect.Statement st -> {
                out.put((byte) STATEMENT);
                putArray(out, st.args());
            }
            case Effect.Reconfigure r -> {
                out.put((byte) RECONFIGURE);
                putBytes(out, membershipBytes(r));
            }
        }
    }

    private static Effect decodeEffect(ByteBuffer in, int start) {
        int at = in.position() - start;
        int tag = in.get() & 0xff;
        if (tag == FLUSH_ALL) {
            return new Effect.FlushAll();
        }
        if (tag == STATEMENT) {
            byte[][] args = getArray(in, start);
            if (args.length == 0) {
                throw new CorruptEntryException("statement without a command", at);
            }
            return new Effect.Statement(args);
        }
        if (tag == RECONFIGURE) {
            String text = new String(getBytes(in, start), java.nio.charset.StandardCharsets.US_ASCII);
            try {
                return new Effect.Reconfigure(io.tandem.core.model.Membership.parse(text));
            } catch (IllegalArgumentException e) {
                throw new CorruptEntryException("membership change that does not parse: " + e.getMessage(), at);
            }
        }
        byte[] key = getBytes(in, start);
        return switch (tag) {
            case PUT_STRING -> new Effect.PutString(key, getBytes(in, start), unzigzag(getVarlong(in, start)));
            case DELETE_KEY -> new Effect.DeleteKey(key);
            case EXPIRE_AT -> new Effect.ExpireAt(key, unzigzag(getVarlong(in, start)));
            case PERSIST -> new Effect.Persist(key);
            case HASH_PUT -> {
                byte[][] fieldsAndValues = getArray(in, start);
                if (fieldsAndValues.length % 2 != 0) {
                    throw new CorruptEntryException("hash put with an odd number of fields and values", at);
                }
                yield new Effect.HashPut(key, fieldsAndValues);
            }
            case HASH_REMOVE -> new Effect.HashRemove(key, getArray(in, start));
            case SET_ADD -> new Effect.SetAdd(key, getArray(in, start));
            case SET_REMOVE -> new Effect.SetRemove(key, getArray(in, start));
            case LIST_PUSH_LEFT -> new Effect.ListPush(key, true, getArray(in, start));
            case LIST_PUSH_RIGHT -> new Effect.ListPush(key, false, getArray(in, start));
            case LIST_POP_LEFT -> new Effect.ListPop(key, true, getLength(in, Integer.MAX_VALUE, start));
            case LIST_POP_RIGHT -> new Effect.ListPop(key, false, getLength(in, Integer.MAX_VALUE, start));
            default -> throw new CorruptEntryException("unknown effect tag " + tag, at);
        };
    }

    private static byte[] membershipBytes(Effect.Reconfigure reconfigure) {
        return reconfigure.membership().encode().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void header(ByteBuffer out, int tag, byte[] key) {
        out.put((byte) tag);
        putBytes(out, key);
    }

    private static int bytesSize(byte[] b) {
        return varintSize(b.length) + b.length;
    }

    private static int arraySize(byte[][] items) {
        int size = varintSize(items.length);
        for (byte[] item : items) {
            size += bytesSize(item);
        }
        return size;
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        putVarint(out, b.length);
        out.put(b);
    }

    private static void putArray(ByteBuffer out, byte[][] items) {
        putVarint(out, items.length);
        for (byte[] item : items) {
            putBytes(out, item);
        }
    }

    private static byte[] getBytes(ByteBuffer in, int start) {
        int length = getLength(in, in.remaining(), start);
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private static byte[][] getArray(ByteBuffer in, int start) {
        // Each item takes at least one byte, so a count above the remaining bytes is corrupt.
        int count = getLength(in, in.remaining(), start);
        byte[][] items = new byte[count][];
        for (int i = 0; i < count; i++) {
            items[i] = getBytes(in, start);
        }
        return items;
    }

    private static int getLength(ByteBuffer in, int max, int start) {
        int at = in.position() - start;
        long value = getVarlong(in, start);
        if (value < 0 || value > max) {
            throw new CorruptEntryException("length " + value + " exceeds " + max, at);
        }
        return (int) value;
    }

    private static long zigzag(long v) {
        return Varints.zigzag(v);
    }

    private static long unzigzag(long v) {
        return Varints.unzigzag(v);
    }

    private static int varintSize(int v) {
        return Varints.size(v & 0xffffffffL);
    }

    private static int varlongSize(long v) {
        return Varints.size(v);
    }

    private static void putVarint(ByteBuffer out, int v) {
        Varints.put(out, v & 0xffffffffL);
    }

    private static void putVarlong(ByteBuffer out, long v) {
        Varints.put(out, v);
    }

    private static long getVarlong(ByteBuffer in, int start) {
        int at = in.position() - start;
        try {
            return Varints.get(in);
        } catch (IllegalArgumentException e) {
            throw new CorruptEntryException(e.getMessage(), at);
        }
    }
}
