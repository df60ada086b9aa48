package io.tandem.wire.resp;

import java.nio.ByteBuffer;

/**
 * Writes a long in decimal straight into a buffer, so that the lengths and integers of every reply cost
 * no String and no array.
 */
final class DecimalDigits {
    private DecimalDigits() {}

    /** "-9223372036854775808": the one value whose magnitude does not fit a long. */
    private static final byte[] MIN_VALUE_TEXT = Long.toString(Long.MIN_VALUE).getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);

    /** How many bytes the decimal text of value takes, the '-' included. */
    static int length(long value) {
        if (value == Long.MIN_VALUE) {
            return MIN_VALUE_TEXT.length;
        }
        if (value < 0) {
            return 1 + length(-value);
        }
        // 1 digit for 0..9, 2 for 10..99, ...: count how many powers of ten value reaches.
        int digits = 1;
        long bound = 10;
        while (digits < 19 && value >= bound) {
            digits++;
            bound *= 10;
        }
        return digits;
    }

    /** Writes the decimal text of value at out's position and advances it. */
    static void write(long value, ByteBuffer out) {
        if (value == Long.MIN_VALUE) {
            out.put(MIN_VALUE_TEXT);
            return;
        }
        if (value < 0) {
            out.put((byte) '-');
            value = -value;
        }
        // Fill from the last digit backwards. Example: 305 has 3 digits; at position p they go to
        // p + 2 ('5'), p + 1 ('0') and p ('3'), then the position moves to p + 3.
        int digits = length(value);
        int position = out.position();
        for (int i = position + digits - 1; i >= position; i--) {
            out.put(i, (byte) ('0' + value % 10));
            value /= 10;
        }
        out.position(position + digits);
    }
}
