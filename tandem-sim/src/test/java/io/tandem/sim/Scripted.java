package io.tandem.sim;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.replicaset.OnAckTimeout;
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
 * Hand-written scenarios on the simulated world, for minimal reproductions: a quiet cluster (fixed
 * latencies, nothing lost, no random workload) that a test drives step by step with scripted requests,
 * scripted losses, cuts and crashes.
 */
final class Scripted {
    final Cluster cluster;
    final Trace trace = new Trace(500, false);

    Scripted(String policy, AckLevel level, int nodes, long[] clockSkewMillis) {
        List<NodeId> ids = new ArrayList<>();
        Map<NodeId, MemberConfig> members = new LinkedHashMap<>();
        for (int i = 1; i <= nodes; i++) {
            ids.add(NodeId.of("n" + i));
            members.put(ids.get(i - 1), MemberConfig.voter(ids.get(i - 1)));
        }
        ReplicaSetConfig config = new ReplicaSetConfig(members, AckPolicy.parse(policy), level, 1000,
                OnAckTimeout.ERROR, 50, 4 << 20, 256 << 10);
        ClusterSpec spec = new ClusterSpec(config, ids, ids.get(0), clockSkewMillis, 10_000,
                new LinkProfile(500, 0, 0, 0), new DiskProfile(10, 10, 1000, 1000, 0, 1), 1, new Workload(0, 0), 0,
                1_000, 60_000_000, 0);
        cluster = new Cluster(spec, new SplittableRandom(42), trace);
    }

    Scripted(String policy, AckLevel level, int nodes) {
        this(policy, level, nodes, new long[nodes]);
    }

    SimNode node(int number) {
        return cluster.node(number - 1);
    }

    Operation write(String... words) {
        return cluster.clients().get(0).send(cluster.leader(), Workload.command(true, words));
    }

    Operation read(SimNode node, String... words) {
        return cluster.clients().get(0).send(node, Workload.command(false, words));
    }

    void runFor(long millis) {
        cluster.scheduler().runUntil(cluster.scheduler().nowMicros() + millis * 1000);
    }

    long nowMillis() {
        return cluster.scheduler().nowMicros() / 1000;
    }
}
