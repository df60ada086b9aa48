package io.tandem.bench;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.log.LogView;
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
    private Sink sink;
    private byte[][] get;
    private byte[][] set;
    private long lsn;

    /** Keeps only the positions and the last entry's term: the benchmark never reads entries back. */
    static final class Sink implements Output, LogView {
        Blackhole hole;
        long lastLsn;
        long lastTerm;

        @Override
        public void persist(Entry entry) {
            lastLsn = entry.lsn();
            lastTerm = entry.term();
            hole.consume(entry);
        }

        @Override
        public long firstLsn() {
            return 1;
        }

        @Override
        public long lastLsn() {
            return lastLsn;
        }

        @Override
        public long term(long lsn) {
            return lsn == 0 ? 0 : lastTerm;
        }

        @Override
        public java.util.List<Entry> entries(long fromLsn, long maxBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long bytesAfter(long lsn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reply(ClientRef client, long requestId, Reply reply) {
            hole.consume(reply);
        }

        @Override
        public void event(io.tandem.core.model.Event event) {
            // role changes at set-up; nothing during the measured steps
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
        public void sendSnapshot(io.tandem.core.model.NodeId to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void receiveSnapshotChunk(io.tandem.core.model.Message.SnapshotChunk chunk) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void snapshotAcked(io.tandem.core.model.Message.SnapshotAck ack) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void persistVote(long term, io.tandem.core.model.NodeId votedFor) {
        }

        @Override
        public void persistVoteFloor(long term, long lsn) {
        }

        @Override
        public void rewind(long afterLsn) {
        }
    }

    @Setup
    public void setUp(Blackhole hole) {
        sink = new Sink();
        sink.hole = hole;
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
