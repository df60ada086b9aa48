package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.core.replicaset.ReplicaSetNode;
import java.util.Map;
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
 * What one command costs inside the core: a step of a one-member replica set's leader for GET and SET (lookup,
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

    private ReplicaSetNode leader;
    private CoreSink sink;
    private byte[][] get;
    private byte[][] set;
    private long lsn;

    @Setup
    public void setUp(Blackhole hole) {
        sink = new CoreSink(hole);
        NodeId self = NodeId.of("n1");
        ReplicaSetConfig config = ReplicaSetConfig.of(Map.of(self, MemberConfig.voter(self)), new AckPolicy.Async(),
                AckLevel.DURABLE);
        leader = new ReplicaSetNode(self, config, new Keyspace(42), sink, 1, new SplittableRandom(1));
        leader.becomeLeader(1, 0, sink);
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
