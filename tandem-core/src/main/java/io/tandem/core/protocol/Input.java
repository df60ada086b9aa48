package io.tandem.core.protocol;

import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Membership;
import io.tandem.core.model.Message;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.util.List;

/** Everything that can happen to a protocol: the only way the world reaches the core. */
public sealed interface Input {

    /** Time passed: run timers (active expiry, heartbeats, acknowledgement timeouts). */
    record Tick() implements Input {}

    /** One command from a client, already checked for existence and arity by the session. */
    record ClientCommand(ClientRef client, long requestId, byte[][] args) implements Input {}

    /** MULTI ... EXEC: the queued commands, executed atomically as one log entry. */
    record ClientTransaction(ClientRef client, long requestId, List<byte[][]> commands) implements Input {}

    /** The local log is durable (under the fsync policy) up to and including this LSN. */
    record Persisted(long durableLsn) implements Input {}

    /**
     * Redis's WAIT: answer with how many replicas have applied {@code lsn} (the client's last write) once
     * at least numReplicas have, or when timeoutMillis passes (0: no timeout).
     */
    record Wait(ClientRef client, long requestId, long lsn, int numReplicas, long timeoutMillis) implements Input {}

    /** TANDEM.WAITLSN: answer OK once the entry (term, lsn) is applied here, or an error at the timeout. */
    record WaitLsn(ClientRef client, long requestId, long term, long lsn, long timeoutMillis) implements Input {}

    /**
     * A follower's runtime received its upstream's snapshot, verified it, made it durable and replaced the
     * local log with it: the log now ends at (snapshotTerm, snapshotLsn) and {@code keyspace} holds the
     * snapshot's keys (loaded off the agent's thread; the core adopts it), {@code membership} the members it
     * records (null when it records none). The runtime hands this over
     * only while the node follows and its log ends before snapshotLsn.
     */
    record SnapshotLoaded(long snapshotLsn, long snapshotTerm, Keyspace keyspace, Membership membership)
            implements Input {
        /** A snapshot that does not say who the members were (the node keeps the membership it knows). */
        public SnapshotLoaded(long snapshotLsn, long snapshotTerm, Keyspace keyspace) {
            this(snapshotLsn, snapshotTerm, keyspace, null);
        }
    }

    /**
     * TANDEM.MEMBERS ADD / REMOVE / PROMOTE / DEMOTE on the leader: one change to the membership, logged and
     * answered OK once committed (or refused at once with the reason).
     */
    record ChangeMembers(ClientRef client, long requestId, Membership.Change change) implements Input {}

    /**
     * The runtime rebuilt the keyspace for {@link Output#rewind}: {@code keyspace} holds the state as of
     * (term, lsn), the log ends there, and both are durable. {@code baseMembership} is the membership the
     * rebuild started from, in force at {@code baseLsn}: the snapshot's it started from, or the one the node
     * started from at LSN 0 when no snapshot reached back (null: the node keeps the memberships it knows, cut
     * after lsn; enough unless the rewind went back past the snapshot the node started from).
     */
    record Rewound(long lsn, long term, Keyspace keyspace, Membership baseMembership, long baseLsn)
            implements Input {
        public Rewound(long lsn, long term, Keyspace keyspace) {
            this(lsn, term, keyspace, null, 0);
        }
    }

    /**
     * CONFIG SET of the acknowledgement settings on this node (ack-policy, ack-level, ack-timeout-millis,
     * on-ack-timeout, min-replicas-to-write, min-replicas-max-lag): what this node's writes wait for from now
     * on, if it leads or once it does. The runtime has checked that the members can satisfy the policy.
     */
    record ChangeAcknowledgement(AckPolicy policy, AckLevel level, long ackTimeoutMillis, OnAckTimeout onAckTimeout,
            int minReplicasToWrite, long minReplicasMaxLagMillis) implements Input {}

    /** A message from another node. */
    record PeerMessage(Message message) implements Input {}

    Tick TICK = new Tick();
}
