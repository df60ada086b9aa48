package io.tandem.server.config;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.util.Map;

/**
 * The replication part of a node's configuration, validated: who this node is, where its peers listen,
 * whom it follows at start, and the acknowledgement policy.
 *
 * @param peerPort  -1 = no peer port, 0 = a free port, otherwise the port
 * @param peers     the other members and their peer addresses (host:port)
 * @param replicaOf the member followed at start, or null to lead
 * @param retentionBytesMax most bytes of log a leader keeps beyond its snapshot for replicas behind
 * @param lagAlertMillis    a leader raises a lag alert for a replica behind longer than this (0: off)
 * @param lagAlertBytes     ... or with more than this many bytes of log not applied (0: off)
 * @param upstream          cascading: the follower this one streams from, or null for the leader
 * @param electionTimeoutMillis automatic failover after this long without a leader (0: by hand)
 * @param priority          this node's: 0 never stands for election, above 0 may
 * @param maxLagOnFailoverEntries a follower further behind than this does not stand (0: no limit)
 * @param join              host:port of a member's client port to ask to add this node, or null
 * @param announceIp        the IP address peers and clients reach this node at, or null for the bind address
 * @param readLeaseMillis   lease reads of this length (0: read-index)
 */
public record ReplicationSettings(
        NodeId nodeId,
        int peerPort,
        Map<NodeId, String> peers,
        NodeId replicaOf,
        AckPolicy ackPolicy,
        AckLevel ackLevel,
        long ackTimeoutMillis,
        OnAckTimeout onAckTimeout,
        long heartbeatIntervalMillis,
        int minReplicasToWrite,
        long minReplicasMaxLagMillis,
        java.util.Set<NodeId> nonVoting,
        long applyDelayMillis,
        boolean statementFormat,
        long retentionBytesMax,
        long lagAlertMillis,
        long lagAlertBytes,
        NodeId upstream,
        long electionTimeoutMillis,
        int priority,
        long maxLagOnFailoverEntries,
        String join,
        String announceIp,
        long readLeaseMillis) {

    /** Do members elect their leader? */
    public boolean elections() {
        return electionTimeoutMillis > 0;
    }

    /** The member every node's configuration names as the leader at start: replica-of, or this node. */
    public NodeId initialLeader() {
        return replicaOf != null ? replicaOf : nodeId;
    }

    /** Whom this node streams from at start when it follows: its upstream, or the leader. */
    public NodeId streamsFrom() {
        return upstream != null ? upstream : replicaOf;
    }

    public ReplicationSettings {
        peers = Map.copyOf(peers);
        nonVoting = java.util.Set.copyOf(nonVoting);
    }
}
