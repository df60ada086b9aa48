package io.tandem.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HistogramTest {

    @ParameterizedTest(name = "{0} goes to the bucket with upper bound {1}")
    @CsvSource({"0, 1", "1, 1", "2, 2", "3, 4", "4, 4", "5, 8", "64, 64", "65, 128", "100, 128",
            "1073741824, 1073741824", "1073741825, 9223372036854775807"})
    void bucketsAreExponential(long value, long upperBound) {
        Histogram h = new Histogram();
        h.record(value);
        int bucket = -1;
        for (int i = 0; i < h.buckets(); i++) {
            if (h.bucketCount(i) == 1) {
                bucket = i;
            }
        }
        assertEquals(upperBound, Histogram.upperBound(bucket));
        assertEquals(1, h.count());
        assertEquals(value, h.sum());
        assertEquals(upperBound, h.quantileUpperBound(0.5));
    }
}
