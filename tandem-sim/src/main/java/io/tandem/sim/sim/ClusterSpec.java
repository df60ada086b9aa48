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

    /**
     * The same cluster with spare nodes after the others: outside the static configuration (they start
     * empty, knowing no membership, and join when an operator adds them), with these clock skews.
     */
    public ClusterSpec withSpares(List<NodeId> spares, long[] spareSkewsMillis) {
        List<NodeId> all = new java.util.ArrayList<>(nodeIds);
        all.addAll(spares);
        long[] skews = java.util.Arrays.copyOf(clockSkewMillis, all.size());
        System.arraycopy(spareSkewsMillis, 0, skews, nodeIds.size(), spares.size());
        return new ClusterSpec(config, List.copyOf(all), leader, skews, tickMicros, link, disk, clients, workload,
                followerReadShare, thinkMaxMicros, clientTimeoutMicros, workloadMicros, compactEveryEntries,
                retainEntries, upstreams);
    }

    /** The same cluster with these followers streaming from others (cascading): follower -> relay. */
    public ClusterSpec withUpstreams(Map<NodeId, NodeId> cascades) {
        return new ClusterSpec(config, nodeIds, leader, clockSkewMillis, tickMicros, link, disk, clients, workload,
                followerReadShare, thinkMaxMicros, clientTimeoutMicros, workloadMicros, compactEveryEntries,
                retainEntries, cascades);
    }

    /** The nodes outside the static configuration (spares that may join), in node order. */
    public List<NodeId> spares() {
        return nodeIds.stream().filter(id -> config.member(id) == null).toList();
    }

    public int leaderIndex() {
        return nodeIds.indexOf(leader);
    }
}
