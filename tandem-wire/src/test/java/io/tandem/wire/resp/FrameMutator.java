package io.tandem.wire.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Breaks a valid stream of frames the ways clients and networks break them: flipped, inserted and
 * deleted bytes, spliced pieces, huge, negative and non-numeric counts and lengths, nested aggregates,
 * garbage after the frames.
 */
final class FrameMutator {

    private static final String[] NUMBERS = {
        "-1", "-2", "-9223372036854775808", "0", "00", "+1", "1 ", "", "abc", "2147483647", "2147483648",
        "1048577", "536870912", "536870913", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "99999999999999999999999", "17", "65", "10", "11", "16384", "16385",
    };
    private static final byte[] INTERESTING_BYTES = {'\r', '\n', '*', '$', '"', '\'', '\\', ' ', '0', '-', 0, (byte) 0xff};

    private final Random random;

    FrameMutator(Random random) {
        this.random = random;
    }

    byte[] mutate(byte[] stream, byte[] otherFrame) {
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            stream = mutateOnce(stream, otherFrame);
        }
        return stream;
    }

    private byte[] mutateOnce(byte[] s, byte[] other) {
        return switch (random.nextInt(9)) {
            case 0 -> flip(s);
            case 1 -> insert(s, random.nextInt(s.length + 1), new byte[] {randomByte()});
            case 2 -> delete(s);
            case 3 -> insert(s, random.nextInt(s.length + 1), slice(other));
            case 4 -> insert(s, random.nextInt(s.length + 1), slice(s));
            case 5 -> replaceNumber(s);
            case 6 -> insert(s, random.nextInt(s.length + 1), ascii(random.nextBoolean()
                    ? "*1\r\n*1\r\n$1\r\na\r\n" : "*2\r\n$1\r\na\r\n*1\r\n:1\r\n"));
            case 7 -> insert(s, s.length, garbage());
            default -> Arrays.copyOf(s, random.nextInt(s.length + 1)); // truncated
        };
    }

    private byte randomByte() {
        return random.nextBoolean() ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]
                : (byte) random.nextInt(256);
    }

    private byte[] flip(byte[] s) {
        if (s.length == 0) {
            return s;
        }
        byte[] copy = s.clone();
        int i = random.nextInt(s.length);
        copy[i] = random.nextBoolean() ? (byte) (copy[i] ^ (1 << random.nextInt(8))) : randomByte();
        return copy;
    }

    private byte[] delete(byte[] s) {
        if (s.length == 0) {
            return s;
        }
        int from = random.nextInt(s.length);
        int to = Math.min(s.length, from + 1 + (random.nextBoolean() ? 0 : random.nextInt(8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length);
        out.write(s, 0, from);
        out.write(s, to, s.length - to);
        return out.toByteArray();
    }

    private byte[] slice(byte[] s) {
        if (s.length == 0) {
            return s;
        }
        int from = random.nextInt(s.length);
        return Arrays.copyOfRange(s, from, from + random.nextInt(s.length - from + 1));
    }

    /** Replaces the number after a '*' or '$' with a huge, negative or malformed one. */
    private byte[] replaceNumber(byte[] s) {
        int start = random.nextInt(s.length + 1);
        for (int k = 0; k < s.length; k++) {
            int i = (start + k) % s.length;
            if (s[i] == '*' || s[i] == '$') {
                int end = i + 1;
                while (end < s.length && (s[end] == '-' || (s[end] >= '0' && s[end] <= '9'))) {
                    end++;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(s.length + 24);
                out.write(s, 0, i + 1);
                out.writeBytes(ascii(NUMBERS[random.nextInt(NUMBERS.length)]));
                out.write(s, end, s.length - end);
                return out.toByteArray();
            }
        }
        return s;
    }

    private byte[] garbage() {
        byte[] bytes = new byte[1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 8)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = randomByte();
        }
        return bytes;
    }

    private static byte[] insert(byte[] s, int at, byte[] piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length + piece.length);
        out.write(s, 0, at);
        out.writeBytes(piece);
        out.write(s, at, s.length - at);
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
