package io.tandem.core.testkit;

import io.tandem.core.util.Ascii;

/** Short spellings for the byte arrays that keys, values and members are in tests. */
public final class TestBytes {
    private TestBytes() {}

    public static byte[] b(String s) {
        return Ascii.bytes(s);
    }

    public static byte[][] bs(String... items) {
        byte[][] out = new byte[items.length][];
        for (int i = 0; i < items.length; i++) {
            out[i] = b(items[i]);
        }
        return out;
    }
}
