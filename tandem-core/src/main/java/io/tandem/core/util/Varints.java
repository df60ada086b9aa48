package io.tandem.core.util;

import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints (7 bits a byte, low bits first) and zigzag for signed values, shared by every
 * binary format of the core (log entries, snapshot records, peer frames). Example: 300 = 0b1_0010_1100
 * is written as 0xAC 0x02 (0x2C with the continuation bit, then 0x02).
 */
public final class Varints {
    private Varints() {}

    public static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    public static int size(long v) {
        int size = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    public static void put(ByteBuffer out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** Reads a varint; a run of more than 10 bytes is malformed input (IllegalArgumentException). */
    public static long get(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    public static int bytesSize(byte[] b) {
        return size(b.length) + b.length;
    }

    public static void putBytes(ByteBuffer out, byte[] b) {
        put(out, b.length);
        out.put(b);
    }
}
