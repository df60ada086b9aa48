package io.tandem.sim.check;

import io.tandem.core.model.NodeId;
import io.tandem.sim.sim.Cluster;
import java.util.List;
import io.tandem.sim.sim.SimNode;

/**
 * Has the system settled after the faults stopped? The leader is up, has everything durable and no reply
 * waiting, and every follower its membership names follows it in its term and has received, made durable
 * and applied the leader's whole log (the same last entry, not only as many), with no disk work left.
 */
public final class Quiescence {
    private Quiescence() {}

    /** The leader's view of its followers, for failure messages. */
    public static String progress(Cluster cluster) {
        SimNode leader = cluster.leader();
        return leader != null && leader.isUp() ? AckPromiseChecker.progress(leader) : "(no leader up)";
    }

    /** Null when settled, else what is still moving (for the "did not converge" failure). */
    public static String unsettled(Cluster cluster) {
        SimNode leader = cluster.leader();
        if (leader == null) {
            return "no node leads";
        }
        if (!leader.isUp()) {
            return "the leader is down";
        }
        long last = leader.core().lastLsn();
        if (leader.core().durableLsn() != last || !leader.disk().idle()) {
            return "the leader's log is not durable: last " + last + ", durable " + leader.core().durableLsn();
        }
        if (leader.core().pendingReplies() > 0) {
            return "the leader still holds " + leader.core().pendingReplies() + " replies";
        }
        for (SimNode follower : cluster.memberFollowers()) {
            if (!follower.isUp()) {
                return follower.name() + " is down";
            }
            var core = follower.core();
            if (core.isLeader() || core.term() != leader.core().term()) {
                return follower.name() + " is in term " + core.term() + (core.isLeader() ? " and leads it" : "")
                        + ", the leader " + leader.name() + " in " + leader.core().term();
            }
            if (core.lastLsn() != last || core.durableLsn() != last || core.appliedLsn() != last
                    || !follower.disk().idle()) {
                return follower.name() + " is behind the leader's " + last + ": " + Truth.positions(follower)
                        + " (core: last=" + core.lastLsn() + " durable=" + core.durableLsn() + " applied="
                        + core.appliedLsn() + ")";
            }
            // As long, but the same? After a failover a follower may hold another term's entries up to the
            // same LSN, until the leader has found the divergence (the convergence check would fail it).
            if (last > 0 && !Truth.sameEntry(follower.disk().log().get(last), leader.disk().log().get(last))) {
                return follower.name() + " holds another entry at " + last + " than the leader";
            }
        }
        return uncascaded(cluster);
    }

    /**
     * Cascading: does every member configured to stream from a relay do so, once that relay follows the leader
     * (null if so)? After an election the new leader streams to every member directly; the member goes back to
     * its relay as soon as the relay follows the new leader in its term. When the relay leads, the member
     * follows it directly (the check above). Not when the relay streams through the member (the upstreams form a
     * loop: one of them must stream from elsewhere). Called once the logs have settled: every member is in the
     * leader's term by then.
     */
    static String uncascaded(Cluster cluster) {
        SimNode leader = cluster.leader();
        List<SimNode> followers = cluster.memberFollowers();
        for (SimNode follower : followers) {
            NodeId relay = follower.cascadeFrom();
            if (relay == null) {
                continue;
            }
            SimNode upstream = followers.stream().filter(n -> n.id().equals(relay)).findFirst().orElse(null);
            if (upstream == null || !upstream.isUp() || upstream.core().term() != leader.core().term()
                    || upstream.core().leader() == null || upstream.core().leader().equals(follower.id())) {
                continue; // the relay leads, left the membership, or follows no one (or this member)
            }
            if (upstreamOf(cluster.nodes(), upstream, follower.id())) {
                continue; // the relay streams through this member: the upstreams configured form a loop
            }
            if (!relay.equals(follower.core().leader())) {
                return follower.name() + " is configured to stream from " + relay + ", which follows "
                        + upstream.core().leader() + " in term " + upstream.core().term() + ", but streams from "
                        + follower.core().leader();
            }
        }
        return null;
    }

    /**
     * Does {@code node}'s stream pass through {@code member} (whom it follows, whom that one follows, ...)? Over
     * every node: a relay on the way may have been removed from the members and still relay.
     */
    private static boolean upstreamOf(List<SimNode> nodes, SimNode node, NodeId member) {
        SimNode at = node;
        for (int hops = 0; at != null && hops <= nodes.size(); hops++) {
            NodeId next = at.isUp() ? at.core().leader() : null;
            if (next == null) {
                return false;
            }
            if (next.equals(member)) {
                return true;
            }
            at = nodes.stream().filter(n -> n.id().equals(next)).findFirst().orElse(null);
        }
        return false;
    }
}
