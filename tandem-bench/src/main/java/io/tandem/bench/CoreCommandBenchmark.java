package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.replicaset.StandaloneLeader;
import io.tandem.core.util.Ascii;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What one command costs inside the core: a step of the StandaloneLeader for GET and SET (lookup,
 * execution, effects, entry, reply), with the log reported durable at once. Compare with
 * {@link HandOffBenchmark}: if a thread hand-off costs more than this, the agent belongs on the event
 * loop thread that owns the client channels.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreCommandBenchmark {
    private static final ClientRef CLIENT = new ClientRef() {};

    private StandaloneLeader leader;
    private Sink sink;
    private byte[][] get;
    private byte[][] set;
    private long lsn;

    static final class Sink implements Output {
        Blackhole hole;
        long lastLsn;

        @Override
        public void persist(Entry entry) {
            lastLsn = entry.lsn();
            hole.consume(entry);
        }

        @Override
        public void reply(ClientRef client, long requestId, Reply reply) {
            hole.consume(reply);
        }

        @Override
        public void event(io.tandem.core.model.Event event) {
            hole.consume(event);
        }

        @Override
        public void truncateLog(long afterLsn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendNow(io.tandem.core.model.NodeId to, io.tandem.core.model.Message message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendAfterPersist(io.tandem.core.model.NodeId to, io.tandem.core.model.Message message) {
            throw new UnsupportedOperationException();
        }
    }

    @Setup
    public void setUp(Blackhole hole) {
        leader = new StandaloneLeader(new Keyspace(42), 1, 0, new SplittableRandom(1));
        sink = new Sink();
        sink.hole = hole;
        get = new byte[][] {Ascii.bytes("GET"), Ascii.bytes("key:000000001234")};
        set = new byte[][] {Ascii.bytes("SET"), Ascii.bytes("key:000000001234"), new byte[100]};
        leader.step(0, new Input.ClientCommand(CLIENT, 1, set), sink);
        leader.step(0, new Input.Persisted(sink.lastLsn), sink);
    }

    @Benchmark
    public void get() {
        leader.step(1, new Input.ClientCommand(CLIENT, 1, get), sink);
    }

    @Benchmark
    public void setThenDurable() {
        leader.step(1, new Input.ClientCommand(CLIENT, 1, set), sink);
        leader.step(1, new Input.Persisted(sink.lastLsn), sink);
    }
}
