package io.tandem.core.util;

import java.nio.charset.StandardCharsets;

/** Conversions between byte strings and the ASCII text Redis uses for numbers and names. */
public final class Ascii {
    private Ascii() {}

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Lower-cased ASCII name of a command, as Redis prints it in error messages. */
    public static String lower(byte[] b) {
        char[] chars = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            chars[i] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return new String(chars);
    }

    /** Case-insensitive comparison of a byte string with an ASCII keyword written in upper case. */
    public static boolean equalsIgnoreCase(byte[] b, String upperKeyword) {
        if (b.length != upperKeyword.length()) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upperKeyword.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a signed 64-bit decimal exactly as Redis's string2ll does: no leading '+', no leading zeros
     * (except "0" itself), no spaces, no overflow. Returns false when the text is not such an integer.
     */
    public static boolean parseLong(byte[] b, long[] out) {
        int n = b.length;
        if (n == 0 || n > 20) {
            return false;
        }
        int i = 0;
        boolean negative = false;
        if (b[0] == '-') {
            negative = true;
            i = 1;
            if (n == 1) {
                return false;
            }
        }
        if (b[i] == '0') {
            if (n == i + 1 && !negative) {
                out[0] = 0;
                return true;
            }
            return false; // "01", "-0" are not canonical integers for Redis
        }
        long value = 0; // accumulated as a negative number so that Long.MIN_VALUE fits
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (value < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            value = value * 10 - d;
            if (value > 0) {
                return false;
            }
        }
        if (negative) {
            out[0] = value;
            return true;
        }
        if (value == Long.MIN_VALUE) {
            return false;
        }
        out[0] = -value;
        return true;
    }

    /** Decimal text of a long as bytes. */
    public static byte[] longBytes(long value) {
        if (value >= 0 && value < SMALL.length) {
            return SMALL[(int) value];
        }
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[][] SMALL = new byte[1024][];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }
}
