package io.tandem.wire.resp;

import java.nio.charset.StandardCharsets;

/**
 * Formats a double as Redis 7.2's d2string does for replies (ZSCORE, INCRBYFLOAT in RESP3, ...):
 * <ul>
 *   <li>"nan", "inf", "-inf"; "0" and "-0" for the zeros;
 *   <li>an integral value within ±2^62 as an integer: 3.0 is "3" (Redis's double2ll fast path);
 *   <li>anything else as the shortest digits that read back to the same double, laid out like fpconv's
 *       emit_digits: plain "1.5", "0.001", "123456789.123" for moderate exponents, scientific
 *       "1e+20", "1.5e-7", "1e+100" otherwise (the exponent has no leading zeros).
 * </ul>
 * The shortest digits come from Double.toString (shortest round trip since JDK 19). Redis's fpconv uses
 * Grisu2, which in rare cases prints a longer, equally correct, digit string.
 */
final class RedisDoubleFormat {
    private RedisDoubleFormat() {}

    /** Redis's double2ll takes the integer path for |value| <= LLONG_MAX / 2, which is 2^62 as a double. */
    private static final double INTEGER_PATH_BOUND = (double) (Long.MAX_VALUE / 2);

    static byte[] format(double value) {
        return text(value).getBytes(StandardCharsets.US_ASCII);
    }

    static String text(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value < 0 ? "-inf" : "inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0"; // 1 / -0.0 is -inf: the only way to see the sign of zero
        }
        if (value >= -INTEGER_PATH_BOUND && value <= INTEGER_PATH_BOUND && value == (long) value) {
            return Long.toString((long) value);
        }
        return shortest(value);
    }

    /** value = digits x 10^exponent with the shortest digits, laid out as fpconv's emit_digits does. */
    private static String shortest(double value) {
        boolean negative = value < 0;
        String javaText = Double.toString(Math.abs(value)); // "1.5", "1.0E20", "1.234E-10"
        int e = javaText.indexOf('E');
        String mantissa = e < 0 ? javaText : javaText.substring(0, e);
        int javaExponent = e < 0 ? 0 : Integer.parseInt(javaText.substring(e + 1));
        int point = mantissa.indexOf('.');
        String allDigits = mantissa.substring(0, point) + mantissa.substring(point + 1);
        // "12.50" is 1250 x 10^-2: the exponent of the last digit is minus the number of fraction digits.
        int exponent = javaExponent - (mantissa.length() - point - 1);
        int first = 0;
        while (allDigits.charAt(first) == '0') {
            first++;
        }
        int last = allDigits.length();
        while (allDigits.charAt(last - 1) == '0') {
            last--;
            exponent++; // dropping a trailing zero: 1250 x 10^-2 is 125 x 10^-1
        }
        String digits = allDigits.substring(first, last);
        // Only a subnormal has so few bits that two neighbouring one-digit decimals are both near it;
        // a normal double is 2^-52 precise, far finer than the step from one digit to two.
        if (digits.length() == 2 && Math.abs(value) < Double.MIN_NORMAL) {
            String oneDigit = oneDigitRoundTrip(Math.abs(value), digits, exponent);
            if (oneDigit != null) {
                digits = oneDigit.substring(0, 1);
                exponent = Integer.parseInt(oneDigit.substring(2));
            }
        }
        return (negative ? "-" : "") + layout(digits, exponent, negative);
    }

    /**
     * Double.toString prints at least two significant digits and, among those, the closest: for
     * Double.MIN_VALUE it prints 4.9E-324 although 5E-324 reads back the same. The shortest form is one
     * digit then. Tries the one-digit neighbours of the two digits (for "49", 10^k: 4 and 5), nearest
     * first, and returns "d:exponent" for the first that reads back as value, or null.
     */
    private static String oneDigitRoundTrip(double value, String digits, int exponent) {
        int high = digits.charAt(0) - '0';
        int low = digits.charAt(1) - '0';
        int[] candidates = low >= 5 ? new int[] {high + 1, high} : new int[] {high, high + 1};
        for (int candidate : candidates) {
            // 10 x 10^(k+1) is 1 x 10^(k+2): "99" rounds up to "1" two powers of ten higher.
            int digit = candidate == 10 ? 1 : candidate;
            int candidateExponent = exponent + (candidate == 10 ? 2 : 1);
            if (Double.parseDouble(digit + "e" + candidateExponent) == value) {
                return digit + ":" + candidateExponent;
            }
        }
        return null;
    }

    /**
     * fpconv's emit_digits for value = digits x 10^k. Worked examples, with n = digits.length() and
     * decimalExponent = |k + n - 1| (the power of ten of the first digit):
     * "15", k = -1: 1.5 (offset n + k = 1 digit before the point). "1", k = -3: offset -2, so "0." then two
     * zeros then "1": 0.001. "1", k = 20: decimalExponent 20 >= n + 7, so scientific: 1e+20. "15", k = -8:
     * k <= -7 and decimalExponent 7 >= 4, so scientific: 1.5e-7.
     */
    private static String layout(String digits, int k, boolean negative) {
        int n = digits.length();
        int decimalExponent = Math.abs(k + n - 1);
        StringBuilder out = new StringBuilder(24);
        if (k >= 0 && decimalExponent < n + 7) {
            out.append(digits);
            out.repeat('0', k);
            return out.toString();
        }
        if (k < 0 && (k > -7 || decimalExponent < 4)) {
            int offset = n + k; // digits before the decimal point
            if (offset <= 0) {
                out.append("0.").repeat('0', -offset).append(digits);
            } else {
                out.append(digits, 0, offset).append('.').append(digits, offset, n);
            }
            return out.toString();
        }
        // fpconv keeps at most 18 digits (17 for a negative value) in scientific notation; a shortest
        // round trip never needs more than 17, so nothing is cut in practice.
        int kept = Math.min(n, 18 - (negative ? 1 : 0));
        out.append(digits.charAt(0));
        if (kept > 1) {
            out.append('.').append(digits, 1, kept);
        }
        out.append('e').append(k + kept - 1 < 0 ? '-' : '+').append(decimalExponent);
        return out.toString();
    }
}
