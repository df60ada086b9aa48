package io.tandem.core.testkit;

import java.util.Arrays;
import java.util.Random;

/** Seeded damage to encoded bytes, for decoder fuzz tests. */
public final class ByteMutator {
    private ByteMutator() {}

    /**
     * One to four edits: a flipped bit, a replaced, inserted or deleted byte, a large varint spliced in
     * (a huge length or count), or the whole input replaced by noise.
     */
    public static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> {
                    int at = random.nextInt(b.length + 1);
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
                case 3 -> {
                    if (b.length > 0) {
                        int at = random.nextInt(b.length);
                        byte[] shorter = new byte[b.length - 1];
                        System.arraycopy(b, 0, shorter, 0, at);
                        System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
                        b = shorter;
                    }
                }
                case 4 -> {
                    // A large varint (a huge length or count) spliced over existing bytes.
                    int at = random.nextInt(b.length + 1);
                    byte[] varint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) (0x80 | random.nextInt(128)),
                        (byte) random.nextInt(128)};
                    byte[] longer = Arrays.copyOf(b, Math.max(b.length, at + varint.length));
                    System.arraycopy(varint, 0, longer, at, varint.length);
                    b = longer;
                }
                default -> {
                    b = new byte[random.nextInt(40)];
                    random.nextBytes(b);
                }
            }
        }
        return b;
    }
}
