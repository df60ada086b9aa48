package io.tandem.sim.sim;

import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.ReplicaSetConfig;
import java.util.List;

/**
 * Everything that shapes one simulated cluster, chosen per run from its seed: the replica set, its fixed
 * leader, each node's clock skew, the network, the disks and the clients.
 *
 * @param workloadMicros clients issue requests from 0 until this time; faults happen in the same window
 */
public record ClusterSpec(
        ReplicaSetConfig config,
        List<NodeId> nodeIds,
        NodeId leader,
        long[] clockSkewMillis,
        long tickMicros,
        LinkProfile link,
        DiskProfile disk,
        int clients,
        Workload workload,
        double followerReadShare,
        long thinkMaxMicros,
        long clientTimeoutMicros,
        long workloadMicros) {

    public int leaderIndex() {
        return nodeIds.indexOf(leader);
    }
}
