package io.tandem.server.sentinel;

import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.config.ReplicationSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What this node knows about its replica set, in Redis Sentinel's terms: the "master" is the leader this node
 * knows (itself when it leads), the "slaves" are the other members, and the "sentinels" are the other members
 * too, since every member answers the Sentinel API. Read on the node's event loop thread.
 *
 * <p>A member counts as down ({@code s_down}) once this node has not heard from it for {@code downAfterMillis}:
 * the election timeout when elections are on (what makes a follower stand), else five heartbeats.
 */
final class SentinelView {
    /** Without elections, a leader or replica not heard from for this many heartbeats counts as down. */
    static final int DOWN_AFTER_HEARTBEATS = 5;

    private final Supplier<ReplicaSetNode> node;
    private final ReplicationSettings replication;
    final String masterName;
    final long downAfterMillis;
    /** The leader's address as this node last knew it ("" before it knew one); kept while no leader is known. */
    private String lastLeaderAddress = "";

    SentinelView(Supplier<ReplicaSetNode> node, ReplicationSettings replication, String masterName) {
        this.node = node;
        this.replication = replication;
        this.masterName = masterName;
        this.downAfterMillis = replication.electionTimeoutMillis() > 0 ? replication.electionTimeoutMillis()
                : DOWN_AFTER_HEARTBEATS * replication.heartbeatIntervalMillis();
    }

    ReplicaSetNode node() {
        return node.get();
    }

    /** "ip:port" of the leader this node knows now, or "" (during an election, or before it heard of one). */
    String currentLeaderAddress() {
        ReplicaSetNode n = node();
        if (n.isLeader()) {
            return address(n.self());
        }
        NodeId leader = n.leader();
        if (leader == null) {
            return "";
        }
        String known = address(leader);
        return known.isEmpty() ? n.leaderAnnounce() : known;
    }

    /** The current leader's address, remembered; or the last one known while there is none. */
    String leaderAddress() {
        String current = currentLeaderAddress();
        if (!current.isEmpty()) {
            lastLeaderAddress = current;
        }
        return lastLeaderAddress;
    }

    String lastLeaderAddress() {
        return lastLeaderAddress;
    }

    void rememberLeader(String address) {
        lastLeaderAddress = address;
    }

    String selfAddress() {
        return address(node().self());
    }

    /** A member's client address as announced ("" if it never was). */
    String address(NodeId member) {
        return node().memberAddresses().getOrDefault(member, "");
    }

    /** Does this node consider its leader down: no leader, or not heard from for downAfterMillis? */
    boolean leaderDown(long nowMillis) {
        ReplicaSetNode n = node();
        if (n.isLeader()) {
            return false;
        }
        return n.leader() == null || n.heardFromLeaderMillis() == 0
                || nowMillis - n.heardFromLeaderMillis() > downAfterMillis;
    }

    /**
     * On the leader: is this follower down (silent, or not connected, for downAfterMillis)? Counted from when this
     * node started leading at the earliest: a new leader has heard from no one yet, and its followers are not down
     * for that.
     */
    boolean replicaDown(Progress p, long nowMillis) {
        observeRole(nowMillis);
        long since = Math.max(p.lastHeardMillis(), leadingSinceMillis);
        return nowMillis - since > downAfterMillis || !p.connected() && nowMillis - leadingSinceMillis > downAfterMillis;
    }

    private boolean leading;
    private long leadingSinceMillis;

    /** Notes when this node started leading (looked at whenever a replica's state is asked for). */
    void observeRole(long nowMillis) {
        boolean leads = node().isLeader();
        if (leads && !leading) {
            leadingSinceMillis = nowMillis;
        }
        leading = leads;
    }

    /** The members other than this node and its leader, with what this node knows of each. */
    List<Replica> replicas(long nowMillis) {
        ReplicaSetNode n = node();
        List<Replica> replicas = new ArrayList<>();
        if (n.isLeader()) {
            for (Map.Entry<NodeId, Progress> e : n.progress().entrySet()) {
                Progress p = e.getValue();
                String address = p.announce().isEmpty() ? address(e.getKey()) : p.announce();
                if (!address.isEmpty()) {
                    boolean down = replicaDown(p, nowMillis);
                    replicas.add(new Replica(e.getKey(), address, down, !p.connected(), !down,
                            nowMillis - p.lastHeardMillis(), p.appliedLsn()));
                }
            }
            return replicas;
        }
        // A follower hears only from its leader: it knows its own link exactly and the others' addresses from the
        // leader's directory. It reports them as the leader last described them: present.
        NodeId leader = n.leader();
        for (Map.Entry<NodeId, String> e : n.memberAddresses().entrySet()) {
            if (e.getKey().equals(leader) || e.getValue().isEmpty()) {
                continue;
            }
            if (e.getKey().equals(n.self())) {
                boolean down = leaderDown(nowMillis);
                replicas.add(new Replica(e.getKey(), e.getValue(), false, false, !down,
                        n.heardFromLeaderMillis() == 0 ? 0 : nowMillis - n.heardFromLeaderMillis(), n.appliedLsn()));
            } else {
                replicas.add(new Replica(e.getKey(), e.getValue(), false, false, true, 0, 0));
            }
        }
        return replicas;
    }

    /** One replica as Sentinel lists it. */
    record Replica(NodeId id, String address, boolean down, boolean disconnected, boolean linkUp, long silentMillis,
            long offset) {}

    /** The other members (every member answers the Sentinel API), with the client address each announced. */
    Map<NodeId, String> otherMembers() {
        Map<NodeId, String> others = new java.util.TreeMap<>();
        for (NodeId peer : replication.peers().keySet()) {
            others.put(peer, address(peer));
        }
        return others;
    }

    int quorum() {
        int voters = 1 + replication.peers().size();
        for (NodeId id : replication.nonVoting()) {
            if (id.equals(replication.nodeId()) || replication.peers().containsKey(id)) {
                voters--;
            }
        }
        return voters / 2 + 1;
    }

    long electionTimeoutMillis() {
        return replication.electionTimeoutMillis();
    }

    /**
     * A member's id in Sentinel's shape (40 hex digits), the same on every node and across restarts: SHA-1 of its
     * node id. Sentinel's MYID is stable too.
     */
    static String runId(NodeId member) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(("tandem-member:" + member)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "ip:port" split at the last colon: {"ip", "port"}. */
    static String[] hostPort(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? new String[] {address, ""} : new String[] {address.substring(0, colon),
                address.substring(colon + 1)};
    }
}
