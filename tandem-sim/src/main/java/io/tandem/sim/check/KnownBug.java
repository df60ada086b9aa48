package io.tandem.sim.check;

/**
 * Bugs of tandem-core that the simulator found and that are reported but not fixed yet. While a bug is
 * tolerated ({@link KnownBugs}), the checker that finds it counts the hit instead of failing, so the rest of
 * the property test keeps guarding everything else; {@code -Dtandem.sim.strict=true} tolerates none.
 *
 * <p>TODO: remove each constant (and its toleration) once tandem-core fixes the bug; the reproductions in
 * KnownBugsTest then pass strict and lose their @Disabled. (BUG-1, a lost AppendRequest never sent again,
 * was fixed in tandem-core by 3989f50 while this was written; its reproduction stays as a regression test.)
 */
public enum KnownBug {
    /**
     * BUG-2: the leader keeps a follower's received/durable/applied positions when the follower
     * resubscribes. After a follower crash that lost received but undurable entries, its Subscribe says
     * where its log now ends, yet Progress.receivedLsn stays at the old, higher value (positions only grow
     * in onAppendResponse): lag monitoring overstates the follower, inflightBytes undercounts, and the
     * go-back-N test {@code sentLsn > receivedLsn} cannot see a loss below the stale position (see
     * {@link #STALE_RECEIVED_HIDES_LOST_BATCH}). Tolerated by holding the received claim of a follower that
     * ever crashed only to what it ever received.
     */
    PROGRESS_KEPT_ACROSS_RESUBSCRIBE,

    /**
     * BUG-2, its liveness side: the leader re-streams from a restarted follower's Subscribe, and if that
     * batch is lost, the resend rule ({@code sentLsn > receivedLsn}, fixed for BUG-1) does not fire because
     * the stale receivedLsn is not below sentLsn; the follower, answering heartbeats, never resubscribes. It
     * catches up only if later writes make the leader send past the gap, so with no more writes it never
     * converges. Tolerated by forcing a resubscribe in the quiesce phase (cutting leader -> follower until the
     * follower resubscribes), counted as a hit.
     */
    STALE_RECEIVED_HIDES_LOST_BATCH,

    /**
     * BUG-3: a restarted leader treats its whole recovered log as committed. The ReplicaSetNode constructor
     * sets commitLsn = lastLsn, and becomeLeader keeps the maximum, so entries that were durable on the
     * leader but acknowledged by no replica (their writers got no reply) count as committed after a restart:
     * a read served at once shows them, under quorum or all, although no replica holds them. Tolerated for
     * replies showing only LSNs the leader recovered, when it has restarted.
     */
    RESTARTED_LEADER_COMMITS_WHOLE_LOG,

    /**
     * BUG-4: on-ack-timeout error releases the reads queued behind a timed-out write with their own replies
     * (PendingReplies.releaseTimedOut), although docs/replication.md says a read is released only once the
     * commit LSN covers what it shows. Worse, the timeout also fires when the leader's own disk is slow: the
     * read (or a command that changed nothing, such as SREM of a missing member) then shows data that is not
     * durable even on the leader, which a leader crash loses. Tolerated for non-write replies released in a
     * step that timed out an acknowledgement.
     */
    TIMEOUT_RELEASES_UNCOMMITTED_READS
}
