package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What finding a key costs in a keyspace too large for the caches: 632,000 keys (redis-benchmark's
 * {@code key:%012d} names, as after 10^6 SETs with {@code -r 1000000}), looked up in random order, so each
 * lookup pays the memory latency of every level of the key table it walks. A follower applying a
 * catch-up, and a leader executing random-key writes, walk the same path (KeyTable.getOrInsert).
 *
 * <p>The overwrite pair is what a follower does with 256 entries of SETs to present keys
 * (Following#applyDurable): applied one after another, or after {@link Keyspace#prefetch} of all 256
 * (per write, the prefetch included). Plain lookups gain nothing from a prefetch (measured: a batch of 256
 * finds took 294 ns each, 301 prefetched): independent lookups already overlap their cache misses; writes,
 * which allocate and store between misses, do not. KeyInsertBenchmark has the same for new keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class KeyLookupBenchmark {
    private static final int KEYS = 632_000;

    private Keyspace keyspace;
    private byte[][] present;
    private byte[][] absent;
    private int next;

    @Setup
    public void load() {
        keyspace = new Keyspace(0x5eed);
        SplittableRandom random = new SplittableRandom(7);
        present = new byte[KEYS][];
        absent = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            present[i] = name(i);
            absent[i] = name(KEYS + i);
            keyspace.load(present[i], new byte[100], Effect.NO_EXPIRY);
        }
        // Random order, so consecutive lookups share no path through the table.
        for (int i = KEYS - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            byte[] swap = present[i];
            present[i] = present[j];
            present[j] = swap;
        }
    }

    private static byte[] name(int i) {
        return String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public Object findPresent() {
        next = next + 1 == KEYS ? 0 : next + 1;
        return keyspace.find(present[next]);
    }

    @Benchmark
    public Object findAbsent() {
        next = next + 1 == KEYS ? 0 : next + 1;
        return keyspace.find(absent[next]);
    }

    private static final int BATCH = 256;

    private final byte[] value = new byte[100];

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int overwriteBatch() {
        int from = nextBatch();
        for (int i = 0; i < BATCH; i++) {
            keyspace.apply(new Effect.PutString(present[from + i], value, Effect.NO_EXPIRY));
        }
        return from;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int overwriteBatchPrefetched() {
        int from = nextBatch();
        for (int i = 0; i < BATCH; i++) {
            keyspace.prefetch(present[from + i]);
        }
        for (int i = 0; i < BATCH; i++) {
            keyspace.apply(new Effect.PutString(present[from + i], value, Effect.NO_EXPIRY));
        }
        return from;
    }

    private int nextBatch() {
        next = next + 2 * BATCH > KEYS ? 0 : next + BATCH; // a whole batch fits after next
        return next;
    }
}
