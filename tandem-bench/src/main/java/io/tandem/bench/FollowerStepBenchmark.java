package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.core.util.Ascii;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a follower's core spends per shipped entry: one step of an AppendRequest of {@link #BATCH} SETs (the
 * consistency check, the append, the answer) and one of the log reported durable (applying them), on a
 * keyspace of {@link #KEYS} keys that the SETs overwrite in turn. The runtime's part (decoding the frame,
 * writing the WAL) is not in it: this is the core alone, the part a change to {@code Following} moves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FollowerStepBenchmark {
    static final int BATCH = 256;
    static final int KEYS = 1 << 16;
    private static final NodeId LEADER = NodeId.of("n1");
    private static final NodeId SELF = NodeId.of("n2");

    private ReplicaSetNode follower;
    private CoreSink sink;
    private List<Effect> effects;
    private long lsn;

    @Setup
    public void setUp(Blackhole hole) {
        sink = new CoreSink(hole);
        ReplicaSetConfig config = ReplicaSetConfig.of(Map.of(LEADER, MemberConfig.voter(LEADER), SELF,
                MemberConfig.voter(SELF)), new AckPolicy.Async(), AckLevel.APPLIED);
        follower = new ReplicaSetNode(SELF, config, new Keyspace(42), sink, 1, new SplittableRandom(1));
        follower.becomeFollower(1, LEADER, 0, sink);
        effects = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            effects.add(new Effect.PutString(Ascii.bytes(String.format("key:%012d", i)), new byte[100], 0));
        }
        for (int i = 0; i < KEYS / BATCH; i++) {
            appendAndApply(); // every key present: the measured batches overwrite
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void appendAndApply() {
        long prev = lsn;
        List<Entry> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            lsn++;
            batch.add(new Entry(1, lsn, 0, List.of(effects.get((int) (lsn & (KEYS - 1))))));
        }
        follower.step(1, new Input.PeerMessage(new Message.AppendRequest(1, LEADER, prev, prev == 0 ? 0 : 1, batch,
                prev, 1, "", "")), sink);
        follower.step(1, new Input.Persisted(lsn), sink);
    }
}
