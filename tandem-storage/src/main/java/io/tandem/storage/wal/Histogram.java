package io.tandem.storage.wal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed histogram with exponential buckets: bucket i counts values v with upper(i-1) < v <= upper(i),
 * where upper(i) = 2^i, and the last bucket counts everything larger (+Inf). For microseconds that is
 * 1 µs .. 2^30 µs (about 18 minutes). Written by one thread at a time, read by any (e.g. a metrics
 * scrape); counts are individually exact, a read racing a write may see the count before the sum.
 *
 * <p>Worked example of the bucket index: v = 100 lies in (64, 128], so its bucket is 7 (2^7 = 128):
 * 64 - 1 = 63 has 6 significant bits, 100 - 1 = 99 has 7. Values 0 and 1 go to bucket 0 (upper bound 1).
 */
public final class Histogram {
    /** Finite buckets with upper bounds 2^0 .. 2^30; one more bucket for larger values. */
    public static final int FINITE_BUCKETS = 31;

    private final AtomicLongArray counts = new AtomicLongArray(FINITE_BUCKETS + 1);
    private final LongAdder sum = new LongAdder();
    private final LongAdder count = new LongAdder();

    public void record(long value) {
        long v = Math.max(0, value);
        int bucket = v <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(v - 1);
        counts.incrementAndGet(Math.min(bucket, FINITE_BUCKETS));
        sum.add(v);
        count.increment();
    }

    /** Upper bound of bucket {@code i} (inclusive), or Long.MAX_VALUE for the last, unbounded bucket. */
    public static long upperBound(int i) {
        return i >= FINITE_BUCKETS ? Long.MAX_VALUE : 1L << i;
    }

    /** Number of buckets, the last one unbounded. */
    public int buckets() {
        return FINITE_BUCKETS + 1;
    }

    /** Values recorded in bucket {@code i} alone (not cumulative; Prometheus wants the running sum). */
    public long bucketCount(int i) {
        return counts.get(i);
    }

    public long count() {
        return count.sum();
    }

    public long sum() {
        return sum.sum();
    }

    /**
     * The upper bound of the bucket holding the q-quantile (0 < q <= 1): an over-estimate by at most 2x,
     * good enough for a log line. Returns 0 when empty.
     */
    public long quantileUpperBound(double q) {
        long total = 0;
        long[] snapshot = new long[buckets()];
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < snapshot.length; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(snapshot.length - 1);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{count=").append(count()).append(", sum=").append(sum());
        for (int i = 0; i < buckets(); i++) {
            long c = counts.get(i);
            if (c > 0) {
                out.append(", <=").append(i >= FINITE_BUCKETS ? "inf" : Long.toString(upperBound(i)))
                        .append(':').append(c);
            }
        }
        return out.append('}').toString();
    }
}
