package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;

/**
 * One member of a replica set as configured.
 *
 * @param voting           counted by the quorum policy (non-voting members count only when named in
 *                         first/any K)
 * @param applyDelayMillis a delayed replica persists entries at once but applies each only this long
 *                         after the entry's time (0: apply as soon as durable)
 * @param priority         0: never stands for election (it still votes, if voting); otherwise it may
 */
public record MemberConfig(NodeId id, boolean voting, long applyDelayMillis, int priority) {
    public MemberConfig {
        if (applyDelayMillis < 0) {
            throw new IllegalArgumentException("apply-delay-millis of " + id + " must be >= 0, got " + applyDelayMillis);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("priority of " + id + " must be >= 0, got " + priority);
        }
    }

    /** Standing for election (priority 1). */
    public MemberConfig(NodeId id, boolean voting, long applyDelayMillis) {
        this(id, voting, applyDelayMillis, 1);
    }

    /** May this member lead after an election? Voters with a priority above 0 only. */
    public boolean mayStand() {
        return voting && priority > 0;
    }

    public static MemberConfig voter(NodeId id) {
        return new MemberConfig(id, true, 0);
    }
}
