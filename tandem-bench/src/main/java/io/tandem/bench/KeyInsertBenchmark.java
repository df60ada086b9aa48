package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A follower's catch-up in miniature: a keyspace of 632,000 keys takes 368,000 new ones (with 100-byte
 * values, so that the collector copies what a follower's does), in batches of 256 as Following#applyDurable
 * applies them: one key after another, or with the batch's keys prefetched first (Keyspace#prefetch). One
 * invocation is the whole 368,000 (time per invocation; divide by 368,000 for a key), on a fresh keyspace each
 * time, with the nodes' own collector options.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
        "-XX:+UnlockExperimentalVMOptions", "-XX:G1NewSizePercent=1", "-XX:MaxTenuringThreshold=0"})
public class KeyInsertBenchmark {
    private static final int PRESENT = 632_000;
    private static final int NEW = 368_000;
    private static final int BATCH = 256;

    private byte[][] keys;
    private Keyspace keyspace;

    @Setup(Level.Trial)
    public void names() {
        keys = new byte[PRESENT + NEW][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
        }
        // Random order: consecutive keys share no path through the table.
        SplittableRandom random = new SplittableRandom(7);
        for (int i = keys.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            byte[] swap = keys[i];
            keys[i] = keys[j];
            keys[j] = swap;
        }
    }

    @Setup(Level.Iteration)
    public void load() {
        keyspace = new Keyspace(0x5eed);
        for (int i = 0; i < PRESENT; i++) {
            keyspace.load(keys[i], new byte[100], Effect.NO_EXPIRY);
        }
        System.gc();
    }

    @Benchmark
    public Keyspace insert() {
        for (int from = PRESENT; from < keys.length; from += BATCH) {
            int to = Math.min(keys.length, from + BATCH);
            for (int i = from; i < to; i++) {
                keyspace.apply(new Effect.PutString(keys[i], new byte[100], Effect.NO_EXPIRY));
            }
        }
        return keyspace;
    }

    @Benchmark
    public Keyspace insertPrefetched() {
        for (int from = PRESENT; from < keys.length; from += BATCH) {
            int to = Math.min(keys.length, from + BATCH);
            for (int i = from; i < to; i++) {
                keyspace.prefetch(keys[i]);
            }
            for (int i = from; i < to; i++) {
                keyspace.apply(new Effect.PutString(keys[i], new byte[100], Effect.NO_EXPIRY));
            }
        }
        return keyspace;
    }
}
