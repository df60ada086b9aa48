package io.tandem.server.agent;

import io.tandem.core.protocol.Output;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.config.ReplicationSettings;

/**
 * Which role a node takes when it starts.
 *
 * <p>Failover by hand (no election timeout): as configured, the node without replica-of leads and the
 * others follow it, in the term recovery found.
 *
 * <p>With elections: every member's configuration names the same initial leader, so on a brand-new replica
 * set (no entry, no snapshot, no vote, term at most 1 anywhere) that one may lead term 1 at once and the
 * others follow it; no one else can lead term 1, and elections start at term 2. After any restart that
 * shortcut would be wrong: the configured leader may have been deposed meanwhile, and leading an old term
 * again is how two leaders appear. So a restarted node follows no one: it learns the leader from its
 * heartbeats, or, hearing none for an election timeout, stands for election.
 *
 * <p>A node started to join (config key join) follows no one until the leader that adds it streams to it.
 */
public final class StartingRole {
    private static final System.Logger LOG = System.getLogger(StartingRole.class.getName());

    private StartingRole() {}

    public static void take(ReplicaSetNode node, ReplicationSettings replication, NodeRecovery.Result recovery,
            long nowMillis, Output out) {
        long term = recovery.startTerm();
        if (replication.join() != null) {
            // No configuration names this node's leader, nor any member: the leader that adds it streams to it.
            LOG.log(System.Logger.Level.INFO, "starting as a follower in term " + term + " with no known leader: "
                    + (recovery.pristine() ? "joining through " + replication.join()
                            : "joined before; waiting to hear from the leader, or to elect one"));
            node.becomeFollower(term, null, nowMillis, out);
            return;
        }
        if (!replication.elections() || recovery.pristine()) {
            if (replication.replicaOf() == null) {
                node.becomeLeader(term, nowMillis, out);
            } else {
                node.becomeFollower(term, replication.streamsFrom(), nowMillis, out);
            }
            return;
        }
        LOG.log(System.Logger.Level.INFO, "starting as a follower in term " + term + " with no known leader (elections"
                + " are on and this node has data: the configured leader " + replication.initialLeader() + " may have"
                + " been replaced); waiting to hear from the leader, or to elect one");
        node.becomeFollower(term, null, nowMillis, out);
        // A first tick now: the only voter of its replica set (a node without peers) elects itself at once,
        // rather than refusing writes until the timer's first tick.
        node.step(nowMillis, io.tandem.core.protocol.Input.TICK, out);
    }
}
