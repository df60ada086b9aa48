package io.tandem.server.metrics;

/**
 * Latencies in fixed buckets (Prometheus-style cumulative "le" bounds in microseconds), written by the
 * agent thread only; readers take a copy on that thread (see the admin server), so plain fields suffice.
 */
public final class LatencyHistogram {
    /** Upper bounds in microseconds; the last bucket is +Inf. */
    public static final long[] BOUNDS_MICROS = {25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000,
            50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 10_000_000};

    private final long[] counts = new long[BOUNDS_MICROS.length + 1];
    private long count;
    private long sumMicros;
    private long maxMicros;

    public void record(long micros) {
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[i]) {
            i++;
        }
        counts[i]++;
        count++;
        sumMicros += micros;
        maxMicros = Math.max(maxMicros, micros);
    }

    public long count() {
        return count;
    }

    public long sumMicros() {
        return sumMicros;
    }

    public long maxMicros() {
        return maxMicros;
    }

    /** Count of observations in bucket i (not cumulative). */
    public long bucket(int i) {
        return counts[i];
    }

    /** The smallest bucket bound below which at least the given fraction of observations fall. */
    public long quantileUpperBoundMicros(double q) {
        long target = (long) Math.ceil(count * q);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= target && target > 0) {
                return i < BOUNDS_MICROS.length ? BOUNDS_MICROS[i] : maxMicros;
            }
        }
        return 0;
    }

    public LatencyHistogram copy() {
        LatencyHistogram copy = new LatencyHistogram();
        System.arraycopy(counts, 0, copy.counts, 0, counts.length);
        copy.count = count;
        copy.sumMicros = sumMicros;
        copy.maxMicros = maxMicros;
        return copy;
    }
}
