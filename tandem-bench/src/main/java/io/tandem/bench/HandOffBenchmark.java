package io.tandem.bench;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of handing a request to another thread and getting the answer back, as a separate agent
 * thread would need for every request (event loop → agent → event loop): a task submitted to an idle
 * Netty event loop that completes a future the caller waits on. The consumer is parked when idle, as an
 * agent thread would be between bursts, so each hand-off includes a wake-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandOffBenchmark {
    private EventLoop agent;

    @Setup
    public void setUp() {
        agent = new DefaultEventLoop();
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        agent.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    }

    @Benchmark
    public Integer roundTripThroughAnotherThread() throws Exception {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        agent.execute(() -> answer.complete(1));
        return answer.get();
    }
}
