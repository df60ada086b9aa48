package io.tandem.server.agent;

import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What INFO replication and ROLE say about the replica set, with Redis's field names where they mean the
 * same thing (Lettuce's MasterReplica and Sentinel-aware clients read them) and Tandem's own lines, like
 * PostgreSQL's pg_stat_replication, where Redis has none.
 *
 * <p>Offsets: Redis counts the replication offset in bytes; Tandem reports LSNs (log entries) in those
 * fields. Clients only compare them with each other.
 */
final class ReplicationInfo {
    /** A follower counts as "online" / its link as "up" while heard from within this many heartbeats. */
    static final int LINK_UP_HEARTBEATS = 5;

    private ReplicationInfo() {}

    static void render(StringBuilder out, ReplicaSetNode node, String runId, long heartbeatMillis, long nowMillis) {
        out.append("# Replication\r\n");
        long linkWindow = LINK_UP_HEARTBEATS * heartbeatMillis;
        if (node.isLeader()) {
            field(out, "role", "master");
            slaves(out, node, nowMillis, linkWindow);
        } else {
            field(out, "role", "slave");
            String[] hostPort = hostPort(leaderAnnounce(node));
            boolean up = linkUp(node, nowMillis, linkWindow);
            field(out, "master_host", hostPort[0]);
            field(out, "master_port", hostPort[1]);
            field(out, "master_link_status", up ? "up" : "down");
            field(out, "master_last_io_seconds_ago", node.heardFromLeaderMillis() == 0 ? -1
                    : (nowMillis - node.heardFromLeaderMillis()) / 1000);
            field(out, "master_sync_in_progress", node.rewinding() ? 1 : 0);
            field(out, "slave_read_repl_offset", node.lastLsn());
            field(out, "slave_repl_offset", node.appliedLsn());
            field(out, "slave_priority", 100);
            field(out, "slave_read_only", 1);
            field(out, "replica_announced", 1);
            slaves(out, node, nowMillis, linkWindow); // a relay's own replicas (cascading), as Redis shows them
        }
        field(out, "master_failover_state", node.failoverState());
        field(out, "master_replid", runId);
        field(out, "master_repl_offset", node.lastLsn());
        // Tandem's own: term, commit point, and per replica what pg_stat_replication shows.
        field(out, "tandem_node_id", node.self());
        field(out, "tandem_term", node.term());
        field(out, "tandem_commit_lsn", node.commitLsn());
        field(out, "tandem_durable_lsn", node.durableLsn());
        field(out, "tandem_applied_lsn", node.appliedLsn());
        // What this node's writes wait for when it leads (CONFIG SET may have changed it since the start).
        field(out, "tandem_ack_policy", node.config().ackPolicy());
        field(out, "tandem_ack_level", node.config().ackLevel());
        if (node.isLeader()) {
            field(out, "tandem_degraded", node.degraded() ? 1 : 0);
        }
        field(out, "tandem_rewinding", node.rewinding() ? 1 : 0);
        // Who the members are here (TANDEM.MEMBERS lists them), and the LSN of the entry that made it so.
        field(out, "tandem_members", node.membership().encode());
        field(out, "tandem_members_lsn", node.membershipLsn());
        // Per replica this node streams to (a leader's; a relay's when cascading); on the leader also those
        // a relay feeds, with the relay named (via=) and their positions as it reported them.
        int i = 0;
        for (Map.Entry<NodeId, Progress> e : node.progress().entrySet()) {
            Progress p = e.getValue();
            boolean up = nowMillis - p.lastHeardMillis() <= linkWindow && p.connected();
            long lagEntries = Math.max(0, node.lastLsn() - p.appliedLsn());
            String state = !up ? "disconnected" : p.relayedBy() != null ? "relayed" : p.receivingSnapshot()
                    ? "snapshot" : p.probing() ? "catchup" : "streaming";
            field(out, "tandem_replica" + i++, "id=" + e.getKey() + ",addr=" + address(node, e) + ",state=" + state
                    + (p.relayedBy() != null ? ",via=" + p.relayedBy() : "")
                    + ",sent_lsn=" + p.sentLsn() + ",received_lsn=" + p.receivedLsn() + ",durable_lsn="
                    + p.durableLsn() + ",applied_lsn=" + p.appliedLsn() + ",lag_entries=" + lagEntries + ",lag_bytes="
                    + node.lagBytes(e.getKey()) + ",lag_ms=" + p.lagMillis(node.lastLsn(), nowMillis));
        }
        if (!node.isLeader()) {
            long staleness = node.leaderTimeMillis() == 0 ? -1 : Math.max(0, nowMillis - node.leaderTimeMillis());
            field(out, "tandem_leader", node.leader() == null ? "" : node.leader());
            field(out, "tandem_staleness_ms", staleness);
        }
    }

    /** ROLE, in Redis's shape: master with its replicas, or slave with its master and state. */
    static Reply role(ReplicaSetNode node, long heartbeatMillis, long nowMillis) {
        long linkWindow = LINK_UP_HEARTBEATS * heartbeatMillis;
        if (node.isLeader()) {
            List<Reply> replicas = new ArrayList<>();
            for (Map.Entry<NodeId, Progress> e : online(node, nowMillis, linkWindow)) {
                String[] hostPort = hostPort(address(node, e));
                replicas.add(new Reply.Array(List.of(Reply.bulk(hostPort[0]), Reply.bulk(hostPort[1]),
                        Reply.bulk(Long.toString(e.getValue().appliedLsn())))));
            }
            return new Reply.Array(List.of(Reply.bulk("master"), Reply.integer(node.lastLsn()),
                    new Reply.Array(replicas)));
        }
        String[] hostPort = hostPort(leaderAnnounce(node));
        boolean up = linkUp(node, nowMillis, linkWindow);
        long port = hostPort[1].isEmpty() ? 0 : Long.parseLong(hostPort[1]);
        return new Reply.Array(List.of(Reply.bulk("slave"), Reply.bulk(hostPort[0]), Reply.integer(port),
                Reply.bulk(up ? "connected" : "connecting"), Reply.integer(node.appliedLsn())));
    }

    /**
     * The leader's client address, or "" while this follower knows no leader (after a restart with elections,
     * during an election, or as a deposed leader): the address of a leader it no longer follows would send
     * clients to a node that may be gone.
     */
    private static String leaderAnnounce(ReplicaSetNode node) {
        return node.leader() == null ? "" : node.leaderAnnounce();
    }

    private static boolean linkUp(ReplicaSetNode node, long nowMillis, long linkWindow) {
        return node.leader() != null && !node.leaderAnnounce().isEmpty() && !node.rewinding()
                && nowMillis - node.heardFromLeaderMillis() <= linkWindow;
    }

    /** Redis's connected_slaves and slaveN lines: the replicas connected to this node itself. */
    private static void slaves(StringBuilder out, ReplicaSetNode node, long nowMillis, long linkWindow) {
        List<Map.Entry<NodeId, Progress>> online = online(node, nowMillis, linkWindow);
        field(out, "connected_slaves", online.size());
        int i = 0;
        for (Map.Entry<NodeId, Progress> e : online) {
            Progress p = e.getValue();
            String[] hostPort = hostPort(address(node, e));
            long lagSeconds = (nowMillis - p.lastHeardMillis()) / 1000;
            field(out, "slave" + i++, "ip=" + hostPort[0] + ",port=" + hostPort[1] + ",state=online,offset="
                    + p.appliedLsn() + ",lag=" + lagSeconds);
        }
    }

    /** Replicas connected to this node itself (not those a relay feeds: Redis lists only its own). */
    private static List<Map.Entry<NodeId, Progress>> online(ReplicaSetNode node, long nowMillis, long linkWindow) {
        List<Map.Entry<NodeId, Progress>> online = new ArrayList<>();
        for (Map.Entry<NodeId, Progress> e : node.progress().entrySet()) {
            Progress p = e.getValue();
            if (p.connected() && p.relayedBy() == null && nowMillis - p.lastHeardMillis() <= linkWindow
                    && !address(node, e).isEmpty()) {
                online.add(e);
            }
        }
        return online;
    }

    /**
     * A replica's client address: what it announced when it subscribed, else what the leader's directory
     * says (a follower found by a new leader's probes after an election does not subscribe again, and must
     * still be listed: Lettuce's MasterReplica finds replicas from these lines).
     */
    private static String address(ReplicaSetNode node, Map.Entry<NodeId, Progress> replica) {
        String announced = replica.getValue().announce();
        return announced.isEmpty() ? node.memberAddresses().getOrDefault(replica.getKey(), "") : announced;
    }

    private static String[] hostPort(String announce) {
        int colon = announce.lastIndexOf(':');
        return colon < 0 ? new String[] {announce, ""} : new String[] {announce.substring(0, colon),
                announce.substring(colon + 1)};
    }

    private static void field(StringBuilder out, String name, Object value) {
        out.append(name).append(':').append(value).append("\r\n");
    }
}
