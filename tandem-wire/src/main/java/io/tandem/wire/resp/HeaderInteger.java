package io.tandem.wire.resp;

import io.tandem.core.util.Ascii;
import java.nio.ByteBuffer;

/**
 * Parses the integer of a header line ("*3", "$5") straight from the receive buffer, with exactly the
 * rules of Redis's string2ll ({@link Ascii#parseLong}): no '+', no leading zeros, no spaces, no overflow.
 */
final class HeaderInteger {
    private HeaderInteger() {}

    /** string2ll accepts at most 20 characters ("-9223372036854775808" is 20). */
    private static final int MAX_TEXT_BYTES = 20;

    /**
     * Digits that can never overflow a long: 18 digits are at most 999,999,999,999,999,999 < 2^63 - 1.
     */
    private static final int FAST_PATH_MAX_DIGITS = 18;

    /**
     * Parses buf[from, to) (absolute indexes; the position is not moved). Returns false when the text is
     * not a Redis integer.
     */
    static boolean parse(ByteBuffer buf, int from, int to, long[] out) {
        int length = to - from;
        if (length <= 0 || length > MAX_TEXT_BYTES) {
            return false;
        }
        // Why a fast path: every argument of every request has a "$len" header. For the common shape (a
        // plain non-negative number of at most 18 digits, no leading zero) the answer is obvious without
        // copying the text; everything else goes to Ascii.parseLong, the one definition of the rules.
        if (length <= FAST_PATH_MAX_DIGITS) {
            int first = buf.get(from);
            boolean plain = first >= '1' && first <= '9' || (first == '0' && length == 1);
            long value = 0;
            for (int i = from; plain && i < to; i++) {
                int digit = buf.get(i) - '0';
                plain = digit >= 0 && digit <= 9;
                value = value * 10 + digit;
            }
            if (plain) {
                out[0] = value;
                return true;
            }
        }
        byte[] text = new byte[length];
        buf.get(from, text);
        return Ascii.parseLong(text, out);
    }
}
