package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;

/**
 * One member of a replica set as configured.
 *
 * @param voting           counted by the quorum policy (non-voting members count only when named in
 *                         first/any K)
 * @param applyDelayMillis a delayed replica persists entries at once but applies each only this long
 *                         after the entry's time (0: apply as soon as durable)
 */
public record MemberConfig(NodeId id, boolean voting, long applyDelayMillis) {
    public MemberConfig {
        if (applyDelayMillis < 0) {
            throw new IllegalArgumentException("apply-delay-millis of " + id + " must be >= 0, got " + applyDelayMillis);
        }
    }

    public static MemberConfig voter(NodeId id) {
        return new MemberConfig(id, true, 0);
    }
}
