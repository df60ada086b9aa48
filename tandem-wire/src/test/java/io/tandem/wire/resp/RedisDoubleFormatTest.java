package io.tandem.wire.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Redis 7.2's d2string: integers as integers, otherwise the shortest round trip in fpconv's layout. */
class RedisDoubleFormatTest {

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of(1.5, "1.5"),
                Arguments.of(3.0, "3"),
                Arguments.of(-3.0, "-3"),
                Arguments.of(0.0, "0"),
                Arguments.of(-0.0, "-0"),
                Arguments.of(Double.NaN, "nan"),
                Arguments.of(Double.POSITIVE_INFINITY, "inf"),
                Arguments.of(Double.NEGATIVE_INFINITY, "-inf"),
                Arguments.of(0.1, "0.1"),
                Arguments.of(-0.1, "-0.1"),
                Arguments.of(0.001, "0.001"),
                Arguments.of(1.5e-5, "0.000015"),
                Arguments.of(1.5e-6, "1.5e-6"),
                Arguments.of(1e-7, "1e-7"),
                Arguments.of(1.234e-10, "1.234e-10"),
                Arguments.of(123456789.123, "123456789.123"),
                Arguments.of(1e15, "1000000000000000"),
                Arguments.of(4611686018427387904.0, "4611686018427387904"), // 2^62: still the integer path
                Arguments.of(9223372036854775808.0, "9223372036854776000"), // 2^63: shortest digits, plain
                Arguments.of(5e18, "5e+18"),
                Arguments.of(1e19, "1e+19"),
                Arguments.of(1e20, "1e+20"),
                Arguments.of(-1e100, "-1e+100"),
                Arguments.of(1.7976931348623157e308, "1.7976931348623157e+308"),
                Arguments.of(4.9e-324, "5e-324"),
                Arguments.of(2.5e-308, "2.5e-308"));
    }

    @ParameterizedTest
    @MethodSource("values")
    void formats(double value, String text) {
        assertEquals(text, RedisDoubleFormat.text(value));
    }

    @Test
    void everyFiniteValueReadsBackExactly() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 50_000; i++) {
            double value = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextGaussian() * 1e6;
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                continue;
            }
            String text = RedisDoubleFormat.text(value);
            assertEquals(value, Double.parseDouble(text), 0.0, "--seed=" + seed + " " + value + " as " + text);
        }
    }

    @Test
    void nonIntegralValuesGetTheShortestDigits() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 30_000; i++) {
            double value = switch (i % 3) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> Double.longBitsToDouble(random.nextLong() & 0x000fffffffffffffL); // subnormal
                default -> random.nextInt(10_000) / 100.0;
            };
            boolean integerPath = value == Math.rint(value) && Math.abs(value) <= 0x1p62;
            if (Double.isNaN(value) || Double.isInfinite(value) || integerPath) {
                continue;
            }
            String text = RedisDoubleFormat.text(value);
            String digits = text.replace("-", "").replaceAll("e.*", "").replace(".", "")
                    .replaceAll("^0+", "").replaceAll("0+$", "");
            if (digits.length() > 1) {
                // If any decimal with one digit less read back as value, the nearest one below or above would.
                BigDecimal exact = new BigDecimal(value);
                for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
                    double shorter = exact.round(new MathContext(digits.length() - 1, mode)).doubleValue();
                    assertNotEquals(value, shorter, "--seed=" + seed + " " + value + " printed as " + text);
                }
            }
        }
    }
}
