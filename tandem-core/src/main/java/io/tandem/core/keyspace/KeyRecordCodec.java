package io.tandem.core.keyspace;

import io.tandem.core.log.CorruptEntryException;
import io.tandem.core.util.ByteKey;
import io.tandem.core.util.Varints;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One key as a snapshot record (storage treats records as opaque bytes):
 *
 * <pre>
 * record = type:u8  key:bytes  expireAtMillis:zigzag-varlong  value
 * value  = bytes                       (type 1, string)
 *        | count:varint (field value)* (type 2, hash, in insertion order)
 *        | count:varint member*        (type 3, set, in insertion order)
 *        | count:varint element*       (type 4, list, head first)
 * bytes  = length:varint raw
 * </pre>
 */
public final class KeyRecordCodec {
    private KeyRecordCodec() {}

    private static final int STRING = 1;
    private static final int HASH = 2;
    private static final int SET = 3;
    private static final int LIST = 4;

    public static byte[] encode(KeyEntry entry) {
        int size = 1 + Varints.bytesSize(entry.key) + Varints.size(Varints.zigzag(entry.expireAtMillis))
                + valueSize(entry.value);
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) typeOf(entry.value));
        Varints.putBytes(out, entry.key);
        Varints.put(out, Varints.zigzag(entry.expireAtMillis));
        switch (entry.value) {
            case byte[] b -> Varints.putBytes(out, b);
            case HashValue hash -> {
                Varints.put(out, hash.size());
                for (Map.Entry<ByteKey, byte[]> e : hash.fields.entrySet()) {
                    Varints.putBytes(out, e.getKey().bytes());
                    Varints.putBytes(out, e.getValue());
                }
            }
            case SetValue set -> {
                Varints.put(out, set.size());
                for (ByteKey member : set.members) {
                    Varints.putBytes(out, member.bytes());
                }
            }
            case ListValue list -> {
                Varints.put(out, list.size());
                for (int i = 0; i < list.size(); i++) {
                    Varints.putBytes(out, list.get(i));
                }
            }
            default -> throw new IllegalStateException("unknown value " + entry.value);
        }
        return out.array();
    }

    /** Decodes a record and adds its key to the keyspace. */
    public static void decodeInto(Keyspace keyspace, byte[] record) {
        ByteBuffer in = ByteBuffer.wrap(record);
        try {
            int type = in.get() & 0xff;
            byte[] key = bytes(in);
            long expireAt = Varints.unzigzag(Varints.get(in));
            Object value = switch (type) {
                case STRING -> bytes(in);
                case HASH -> {
                    HashValue hash = keyspace.newHash();
                    int n = count(in);
                    for (int i = 0; i < n; i++) {
                        Keyspace.loadField(hash, bytes(in), bytes(in));
                    }
                    yield hash;
                }
                case SET -> {
                    SetValue set = keyspace.newSet();
                    int n = count(in);
                    for (int i = 0; i < n; i++) {
                        Keyspace.loadMember(set, bytes(in));
                    }
                    yield set;
                }
                case LIST -> {
                    ListValue list = keyspace.newList();
                    int n = count(in);
                    for (int i = 0; i < n; i++) {
                        Keyspace.loadElement(list, bytes(in));
                    }
                    yield list;
                }
                default -> throw new CorruptEntryException("unknown key record type " + type, 0);
            };
            if (in.hasRemaining()) {
                throw new CorruptEntryException(in.remaining() + " bytes after the key record", in.position());
            }
            keyspace.load(key, value, expireAt);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptEntryException("key record ends early or is malformed", in.position());
        }
    }

    private static int typeOf(Object value) {
        return switch (value) {
            case byte[] b -> STRING;
            case HashValue h -> HASH;
            case SetValue s -> SET;
            case ListValue l -> LIST;
            default -> throw new IllegalStateException("unknown value " + value);
        };
    }

    private static int valueSize(Object value) {
        switch (value) {
            case byte[] b -> {
                return Varints.bytesSize(b);
            }
            case HashValue hash -> {
                int size = Varints.size(hash.size());
                for (Map.Entry<ByteKey, byte[]> e : hash.fields.entrySet()) {
                    size += Varints.bytesSize(e.getKey().bytes()) + Varints.bytesSize(e.getValue());
                }
                return size;
            }
            case SetValue set -> {
                int size = Varints.size(set.size());
                for (ByteKey member : set.members) {
                    size += Varints.bytesSize(member.bytes());
                }
                return size;
            }
            case ListValue list -> {
                int size = Varints.size(list.size());
                for (int i = 0; i < list.size(); i++) {
                    size += Varints.bytesSize(list.get(i));
                }
                return size;
            }
            default -> throw new IllegalStateException("unknown value " + value);
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        long length = Varints.get(in);
        if (length < 0 || length > in.remaining()) {
            throw new CorruptEntryException("length " + length + " exceeds the record", in.position());
        }
        byte[] b = new byte[(int) length];
        in.get(b);
        return b;
    }

    private static int count(ByteBuffer in) {
        long n = Varints.get(in);
        if (n < 0 || n > in.remaining()) {
            throw new CorruptEntryException("count " + n + " exceeds the record", in.position());
        }
        return (int) n;
    }
}
