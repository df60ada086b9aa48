package io.tandem.sim.scenario;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.ClusterSpec;
import io.tandem.sim.sim.DiskProfile;
import io.tandem.sim.sim.LinkProfile;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;
import io.tandem.sim.sim.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A quiet simulated cluster for hand-written scenarios: fixed latencies (0.5 ms one way between any two
 * nodes until a scenario changes a link, 10 us disk writes, 1 ms fsyncs), nothing lost, one client with no
 * random workload, and a fixed seed, so that a script of requests, cuts and crashes gives the same run every
 * time. Minimal reproductions of core bugs and the named scenarios of {@code tandem scenario} both run on it.
 *
 * <p>Nodes are named n1, n2, ... in the order of their names; n1 leads.
 */
public final class QuietCluster {
    /** One way, between any two nodes, until a scenario sets a link's own latency. */
    public static final long LINK_LATENCY_MICROS = 500;
    public static final long DISK_WRITE_MICROS = 10;
    public static final long FSYNC_MICROS = 1000;
    public static final long TICK_MICROS = 10_000;
    /** The seed of every quiet run: with nothing lost, it picks only the client's hops (50..550 us) and each node's first tick. */
    private static final long SEED = 42;

    private final Cluster cluster;

    public QuietCluster(ReplicaSetConfig config, long[] clockSkewMillis, Trace trace) {
        this(config, clockSkewMillis, Map.of(), trace);
    }

    /** @param upstreams cascading: follower -> the follower it streams from (the others stream from n1) */
    public QuietCluster(ReplicaSetConfig config, long[] clockSkewMillis, Map<NodeId, NodeId> upstreams, Trace trace) {
        List<NodeId> ids = new ArrayList<>(config.members().keySet());
        ids.sort(null); // members() is an unordered map: fix the order of the nodes (and of their randoms)
        ClusterSpec spec = new ClusterSpec(config, ids, ids.get(0), clockSkewMillis, TICK_MICROS,
                new LinkProfile(LINK_LATENCY_MICROS, 0, 0, 0),
                new DiskProfile(DISK_WRITE_MICROS, DISK_WRITE_MICROS, FSYNC_MICROS, FSYNC_MICROS, 0, 1), 1,
                new Workload(0, 0), 0, 1_000, 60_000_000, 0, 0, 0, upstreams);
        this.cluster = new Cluster(spec, new SplittableRandom(SEED), trace);
    }

    /** Voting members n1..n{nodes}, a 1 s acknowledgement timeout that answers with an error, 50 ms heartbeats. */
    public static ReplicaSetConfig config(String policy, AckLevel level, int nodes) {
        List<MemberConfig> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            members.add(MemberConfig.voter(NodeId.of("n" + i)));
        }
        return config(policy, level, members, OnAckTimeout.ERROR);
    }

    public static ReplicaSetConfig config(String policy, AckLevel level, List<MemberConfig> members,
            OnAckTimeout onAckTimeout) {
        Map<NodeId, MemberConfig> byId = new LinkedHashMap<>();
        for (MemberConfig member : members) {
            byId.put(member.id(), member);
        }
        return new ReplicaSetConfig(byId, AckPolicy.parse(policy), level, 1000, onAckTimeout, 50, 4 << 20, 256 << 10);
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Node {@code number} (1 is n1, the leader). */
    public SimNode node(int number) {
        return cluster.node(number - 1);
    }

    /** The client sends a write to the leader now; its last word is the value it stores. */
    public Operation write(String... words) {
        return cluster.clients().get(0).send(cluster.leader(), Workload.command(true, words));
    }

    public Operation read(SimNode node, String... words) {
        return cluster.clients().get(0).send(node, Workload.command(false, words));
    }

    public void runFor(long millis) {
        runUntilMicros(cluster.scheduler().nowMicros() + millis * 1000);
    }

    public void runUntilMicros(long micros) {
        cluster.scheduler().runUntil(micros);
    }

    public long nowMicros() {
        return cluster.scheduler().nowMicros();
    }
}
