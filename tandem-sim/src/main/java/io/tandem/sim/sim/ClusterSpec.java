package io.tandem.sim.sim;

import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.ReplicaSetConfig;
import java.util.List;
import java.util.Map;

/**
 * Everything that shapes one simulated cluster, chosen per run from its seed: the replica set, its fixed
 * leader, each node's clock skew, the network, the disks and the clients.
 *
 * @param workloadMicros clients issue requests from 0 until this time; faults happen in the same window
 * @param compactEveryEntries a node snapshots its keys and compacts its log every this many entries (0: never)
 * @param retainEntries a leader keeps at most this many entries behind its snapshot for replicas that still
 *                      need them (retention-bytes-max, in entries); a replica further behind needs a snapshot
 * @param upstreams cascading: follower -> the follower it streams from (others stream from the leader)
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
        long workloadMicros,
        long compactEveryEntries,
        long retainEntries,
        Map<NodeId, NodeId> upstreams) {

    public ClusterSpec {
        upstreams = Map.copyOf(upstreams);
    }

    /** Without snapshots: every log keeps every entry. */
    public ClusterSpec(ReplicaSetConfig config, List<NodeId> nodeIds, NodeId leader, long[] clockSkewMillis,
            long tickMicros, LinkProfile link, DiskProfile disk, int clients, Workload workload,
            double followerReadShare, long thinkMaxMicros, long clientTimeoutMicros, long workloadMicros) {
        this(config, nodeIds, leader, clockSkewMillis, tickMicros, link, disk, clients, workload, followerReadShare,
                thinkMaxMicros, clientTimeoutMicros, workloadMicros, 0, 0, Map.of());
    }

    public int leaderIndex() {
        return nodeIds.indexOf(leader);
    }
}
