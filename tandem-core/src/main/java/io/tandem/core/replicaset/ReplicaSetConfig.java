package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.util.Map;

/**
 * How a replica set replicates: its members, the acknowledgement policy and level, and the limits of
 * the stream. The same record on every member.
 *
 * @param heartbeatIntervalMillis an idle leader sends an empty AppendRequest this often (followers learn
 *                                their staleness from it)
 * @param maxInflightBytes        most unacknowledged payload bytes in flight to one follower
 * @param maxBatchBytes           most payload bytes in one AppendRequest (at least one entry is sent)
 * @param minReplicasToWrite      Redis's min-replicas-to-write: the leader refuses writes while fewer
 *                                replicas than this were heard from within minReplicasMaxLagMillis (0: off)
 * @param minReplicasMaxLagMillis Redis's min-replicas-max-lag, in milliseconds
 * @param electionTimeoutMillis   automatic failover: a follower that hears nothing from a leader for this
 *                                long plus a random part of as much again stands for election, and a leader
 *                                that hears from no majority for this long steps down (0: failover is by
 *                                hand, REPLICAOF)
 * @param maxLagOnFailoverEntries a follower further than this many entries behind the leader's last commit
 *                                point it heard of does not stand for election (Patroni's
 *                                maximum_lag_on_failover, in entries; 0: no limit)
 * @param readLeaseMillis         lease reads: a leader answers reads at once while a majority confirmed a read
 *                                round it began less than this long ago (see ReadLease; 0: read-index only)
 */
public record ReplicaSetConfig(
        Map<NodeId, MemberConfig> members,
        AckPolicy ackPolicy,
        AckLevel ackLevel,
        long ackTimeoutMillis,
        OnAckTimeout onAckTimeout,
        long heartbeatIntervalMillis,
        long maxInflightBytes,
        long maxBatchBytes,
        int minReplicasToWrite,
        long minReplicasMaxLagMillis,
        long electionTimeoutMillis,
        long maxLagOnFailoverEntries,
        long readLeaseMillis) {

    /** Read-index only (no lease reads). */
    public ReplicaSetConfig(Map<NodeId, MemberConfig> members, AckPolicy ackPolicy, AckLevel ackLevel,
            long ackTimeoutMillis, OnAckTimeout onAckTimeout, long heartbeatIntervalMillis, long maxInflightBytes,
            long maxBatchBytes, int minReplicasToWrite, long minReplicasMaxLagMillis, long electionTimeoutMillis,
            long maxLagOnFailoverEntries) {
        this(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout, heartbeatIntervalMillis, maxInflightBytes,
                maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis, electionTimeoutMillis,
                maxLagOnFailoverEntries, 0);
    }

    /** No limit on a candidate's lag. */
    public ReplicaSetConfig(Map<NodeId, MemberConfig> members, AckPolicy ackPolicy, AckLevel ackLevel,
            long ackTimeoutMillis, OnAckTimeout onAckTimeout, long heartbeatIntervalMillis, long maxInflightBytes,
            long maxBatchBytes, int minReplicasToWrite, long minReplicasMaxLagMillis, long electionTimeoutMillis) {
        this(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout, heartbeatIntervalMillis, maxInflightBytes,
                maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis, electionTimeoutMillis, 0);
    }

    /** Failover by hand (no elections). */
    public ReplicaSetConfig(Map<NodeId, MemberConfig> members, AckPolicy ackPolicy, AckLevel ackLevel,
            long ackTimeoutMillis, OnAckTimeout onAckTimeout, long heartbeatIntervalMillis, long maxInflightBytes,
            long maxBatchBytes, int minReplicasToWrite, long minReplicasMaxLagMillis) {
        this(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout, heartbeatIntervalMillis, maxInflightBytes,
                maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis, 0);
    }

    /** Without Redis's min-replicas-to-write. */
    public ReplicaSetConfig(Map<NodeId, MemberConfig> members, AckPolicy ackPolicy, AckLevel ackLevel,
            long ackTimeoutMillis, OnAckTimeout onAckTimeout, long heartbeatIntervalMillis, long maxInflightBytes,
            long maxBatchBytes) {
        this(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout, heartbeatIntervalMillis, maxInflightBytes,
                maxBatchBytes, 0, 10_000);
    }

    public ReplicaSetConfig {
        // Sorted by id, not Map.copyOf: its iteration order changes from one JVM run to the next, and a
        // candidate sends its vote requests in this order (a simulator seed must replay exactly).
        members = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(members));
        if (minReplicasToWrite < 0 || minReplicasMaxLagMillis < 0) {
            throw new IllegalArgumentException("min-replicas-to-write and min-replicas-max-lag must be >= 0");
        }
        if (maxLagOnFailoverEntries < 0) {
            throw new IllegalArgumentException("max-lag-on-failover-entries must be >= 0 (0: no limit), got "
                    + maxLagOnFailoverEntries);
        }
        if (electionTimeoutMillis < 0 || (electionTimeoutMillis > 0 && electionTimeoutMillis < 2 * heartbeatIntervalMillis)) {
            throw new IllegalArgumentException("election-timeout-millis must be 0 (failover by hand) or at least twice"
                    + " heartbeat-interval-millis (" + heartbeatIntervalMillis + "), got " + electionTimeoutMillis);
        }
        if (readLeaseMillis < 0 || (readLeaseMillis > 0
                && (electionTimeoutMillis == 0 || readLeaseMillis >= electionTimeoutMillis))) {
            throw new IllegalArgumentException("read-lease-millis must be 0 (read-index) or, with elections, below"
                    + " election-timeout-millis (" + electionTimeoutMillis + "), got " + readLeaseMillis);
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a replica set needs at least one member");
        }
        if (ackTimeoutMillis < 1 || heartbeatIntervalMillis < 1 || maxInflightBytes < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("ack-timeout-millis, heartbeat-interval-millis, max-inflight-bytes and"
                    + " max-batch-bytes must be positive");
        }
    }

    public static ReplicaSetConfig of(Map<NodeId, MemberConfig> members, AckPolicy policy, AckLevel level) {
        return new ReplicaSetConfig(members, policy, level, 1000, OnAckTimeout.ERROR, 100, 4 << 20, 256 << 10);
    }

    public MemberConfig member(NodeId id) {
        return members.get(id);
    }

    /** Do members elect their leader (automatic failover)? */
    public boolean elections() {
        return electionTimeoutMillis > 0;
    }

    /** The same replica set with automatic failover after this election timeout. */
    public ReplicaSetConfig withElectionTimeout(long millis) {
        return new ReplicaSetConfig(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout,
                heartbeatIntervalMillis, maxInflightBytes, maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis,
                millis, maxLagOnFailoverEntries, readLeaseMillis);
    }

    /** The same replica set with these members. */
    public ReplicaSetConfig withMembers(Map<NodeId, MemberConfig> newMembers) {
        return new ReplicaSetConfig(newMembers, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout,
                heartbeatIntervalMillis, maxInflightBytes, maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis,
                electionTimeoutMillis, maxLagOnFailoverEntries, readLeaseMillis);
    }

    /**
     * The same replica set acknowledging writes another way (CONFIG SET ack-policy and its companions, see
     * ReplicaSetNode#onChangeAcknowledgement).
     */
    public ReplicaSetConfig withAcknowledgement(AckPolicy policy, AckLevel level, long timeoutMillis,
            OnAckTimeout onTimeout, int minReplicas, long minReplicasLagMillis) {
        return new ReplicaSetConfig(members, policy, level, timeoutMillis, onTimeout, heartbeatIntervalMillis,
                maxInflightBytes, maxBatchBytes, minReplicas, minReplicasLagMillis, electionTimeoutMillis,
                maxLagOnFailoverEntries, readLeaseMillis);
    }

    /** The same replica set with lease reads of this length (0: read-index only). */
    public ReplicaSetConfig withReadLease(long millis) {
        return new ReplicaSetConfig(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout,
                heartbeatIntervalMillis, maxInflightBytes, maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis,
                electionTimeoutMillis, maxLagOnFailoverEntries, millis);
    }

    /** The same replica set where a follower further behind than this does not stand for election. */
    public ReplicaSetConfig withMaxLagOnFailover(long entries) {
        return new ReplicaSetConfig(members, ackPolicy, ackLevel, ackTimeoutMillis, onAckTimeout,
                heartbeatIntervalMillis, maxInflightBytes, maxBatchBytes, minReplicasToWrite, minReplicasMaxLagMillis,
                electionTimeoutMillis, entries, readLeaseMillis);
    }

    /** Is {@code id} a member that votes? (False for a node the membership does not name.) */
    public boolean votes(NodeId id) {
        MemberConfig member = members.get(id);
        return member != null && member.voting();
    }

    /** How many members vote. */
    public int voters() {
        int voters = 0;
        for (MemberConfig m : members.values()) {
            if (m.voting()) {
                voters++;
            }
        }
        return voters;
    }
}
