package io.tandem.core.model;

import java.util.List;

/**
 * A message between nodes of a replica set. Every message carries the sender's term and id: a receiver
 * with a higher term refuses it and answers with its own term (fencing), a receiver with a lower term
 * adopts the sender's.
 */
public sealed interface Message {
    long term();

    NodeId from();

    /**
     * Follower → upstream: "my log ends at (lastTerm, lastLsn); stream me what follows". Sent when a
     * follower (re)connects, and again after it had to drop its state. {@code announce} is the address
     * clients reach the follower at ("ip:port"), opaque to the protocol, shown by monitoring (INFO, ROLE),
     * as Redis replicas announce theirs with REPLCONF listening-port.
     */
    record Subscribe(long term, NodeId from, long lastLsn, long lastTerm, String announce) implements Message {}

    /**
     * Upstream → follower: entries following the one at (prevLsn, prevTerm), which the follower must hold
     * for them to fit. Without entries it is a heartbeat. {@code commitLsn} and {@code leaderTimeMillis}
     * tell the follower how current it is (its staleness); {@code announce} is the leader's client address
     * (for the follower's INFO: master_host, master_port). Heartbeats also carry {@code directory}, the
     * client addresses of every member the leader knows ("n1=ip:port,n2=ip:port"), so that any member can
     * be pointed at any other by its client address (REPLICAOF host port); batches leave it empty.
     * {@code readRound}: the leader's latest round of confirming its leadership for reads (read-index); the
     * follower echoes the highest it has seen, and a read waits until a majority echoed a round begun after
     * it arrived (0: no rounds, elections off). {@code relays}: the relays (cascading) this stream passed
     * through from the leader, the sender last if it relays; empty from the leader itself. A node that finds
     * itself in it is in a loop of upstreams, and a relay refuses a subscriber already in its own.
     * {@code ackOnReceipt}: the leader counts acknowledgements at level {@code received} (its ack-level, which
     * an operator may change at run time on the leader alone), so the follower answers as soon as the entries
     * are in its log instead of once they are durable; a relay passes on its leader's.
     */
    record AppendRequest(long term, NodeId from, long prevLsn, long prevTerm, List<Entry> entries, long commitLsn,
            long leaderTimeMillis, String announce, String directory, long readRound, List<NodeId> relays,
            boolean ackOnReceipt) implements Message {
        /** Most relays a stream may pass through: more than any replica set has members. */
        public static final int MAX_RELAYS = 255;

        public AppendRequest {
            if (relays.size() > MAX_RELAYS) {
                throw new IllegalArgumentException(relays.size() + " relays, at most " + MAX_RELAYS);
            }
        }

        /** From the leader itself, which counts acknowledgements once durable (or applied). */
        public AppendRequest(long term, NodeId from, long prevLsn, long prevTerm, List<Entry> entries, long commitLsn,
                long leaderTimeMillis, String announce, String directory, long readRound) {
            this(term, from, prevLsn, prevTerm, entries, commitLsn, leaderTimeMillis, announce, directory, readRound,
                    List.of(), false);
        }

        public AppendRequest(long term, NodeId from, long prevLsn, long prevTerm, List<Entry> entries, long commitLsn,
                long leaderTimeMillis, String announce, String directory) {
            this(term, from, prevLsn, prevTerm, entries, commitLsn, leaderTimeMillis, announce, directory, 0);
        }

        public long lastLsn() {
            return entries.isEmpty() ? prevLsn : entries.get(entries.size() - 1).lsn();
        }
    }

    /**
     * Follower → upstream. {@code matched} false: the follower does not hold the entry at prevLsn with
     * prevTerm; {@code lastLsn} then says where its log ends, for the upstream to step back. Otherwise the
     * follower's positions: received (appended to its log), durable (synced), applied (visible to reads).
     * A follower that relays to followers of its own (cascading) adds their positions, {@code downstream},
     * so that the leader sees, counts and monitors every replica. {@code snapshotLsn}: the LSN the follower's
     * log starts after (its snapshot's; 0 when it holds its log from the start), the lowest point at which
     * it can compare entries: on a mismatch below it, the upstream asks there instead. {@code readRound}
     * echoes the highest AppendRequest.readRound the follower has seen from its upstream. {@code leaderMillis}
     * echoes the highest AppendRequest.leaderTimeMillis it has seen in this term from its upstream: when, on
     * the leader's clock, the newest request it heard was sent (the leader's leadership lease counts from
     * it; 0: none yet).
     */
    record AppendResponse(long term, NodeId from, boolean matched, long lastLsn, long receivedLsn, long durableLsn,
            long appliedLsn, List<Relayed> downstream, long snapshotLsn, long readRound, long leaderMillis)
            implements Message {
        public AppendResponse {
            downstream = List.copyOf(downstream);
        }

        public AppendResponse(long term, NodeId from, boolean matched, long lastLsn, long receivedLsn,
                long durableLsn, long appliedLsn, List<Relayed> downstream) {
            this(term, from, matched, lastLsn, receivedLsn, durableLsn, appliedLsn, downstream, 0, 0, 0);
        }

        /** Without followers of its own. */
        public AppendResponse(long term, NodeId from, boolean matched, long lastLsn, long receivedLsn,
                long durableLsn, long appliedLsn) {
            this(term, from, matched, lastLsn, receivedLsn, durableLsn, appliedLsn, List.of(), 0, 0, 0);
        }
    }

    /**
     * A cascaded replica's positions, as the follower it streams from last heard them, and the client
     * address it announced there (for the leader's monitoring and directory). {@code leaderMillis}: its
     * echo of the leader's send time (AppendResponse.leaderMillis), passed on for the leader's lease.
     * {@code via}: the relay it streams from (null: the one whose answer carries this), so that the leader
     * shows n5 via n4 in a chain n1 -> n2 -> n4 -> n5, not via n2, whose answer brought the report.
     */
    record Relayed(NodeId replica, long receivedLsn, long durableLsn, long appliedLsn, String announce,
            long leaderMillis, NodeId via) {
        public Relayed(NodeId replica, long receivedLsn, long durableLsn, long appliedLsn, String announce,
                long leaderMillis) {
            this(replica, receivedLsn, durableLsn, appliedLsn, announce, leaderMillis, null);
        }

        public Relayed(NodeId replica, long receivedLsn, long durableLsn, long appliedLsn, String announce) {
            this(replica, receivedLsn, durableLsn, appliedLsn, announce, 0);
        }

        /** The same report, naming the relay it came through when it does not name one yet. */
        public Relayed via(NodeId relay) {
            return via != null ? this : new Relayed(replica, receivedLsn, durableLsn, appliedLsn, announce,
                    leaderMillis, relay);
        }
    }

    /**
     * Upstream → follower: bytes {@code offset .. offset + data.length} of the upstream's snapshot file
     * covering the log up to (snapshotTerm, snapshotLsn), {@code totalBytes} long. Sent when the follower
     * needs entries the upstream's log no longer holds. {@code crc32c} covers {@code data}: a chunk that
     * does not match is refused, and the file as a whole is verified again (its own block checksums)
     * before it replaces anything. The core checks only the term and the sender; the runtime streams,
     * stores and verifies the bytes.
     */
    record SnapshotChunk(long term, NodeId from, long snapshotLsn, long snapshotTerm, long offset, long totalBytes,
            byte[] data, int crc32c) implements Message {}

    /**
     * Follower → upstream: the snapshot at snapshotLsn is held up to (not including) {@code nextOffset};
     * send from there. {@code failed}: the transfer was given up (a bad chunk, a full disk), start again.
     */
    record SnapshotAck(long term, NodeId from, long snapshotLsn, long nextOffset, boolean failed) implements Message {}

    /**
     * Candidate → every voter: "vote for me in {@code term}; my log ends at (lastTerm, lastLsn)". A vote
     * goes only to a candidate whose log is at least as up to date as the voter's (a higher last term, or
     * the same term and at least the same LSN), so that the most current replica wins and every entry a
     * majority holds survives. {@code preVote}: a dry run at term + 1 that changes no one's term (Raft's
     * pre-vote): a node cut off and returning cannot depose a healthy leader by raising terms, since no
     * one who still hears that leader grants it.
     */
    record VoteRequest(long term, NodeId from, long lastLsn, long lastTerm, boolean preVote, boolean transfer)
            implements Message {
        /** Not a leadership transfer. */
        public VoteRequest(long term, NodeId from, long lastLsn, long lastTerm, boolean preVote) {
            this(term, from, lastLsn, lastTerm, preVote, false);
        }
    }

    /** Voter → candidate: granted or not, for the request's term (or the voter's, if higher). */
    record VoteResponse(long term, NodeId from, boolean granted, boolean preVote) implements Message {}

    /**
     * Leader → the follower it hands leadership to (a switchover, FAILOVER): it has stopped taking writes
     * and the follower holds its whole log; stand for election now, without a pre-vote. The follower's
     * VoteRequests say {@code transfer}, and voters grant them although they still hear from this leader
     * (Raft's leadership transfer, etcd's MsgTimeoutNow). Without elections the follower simply leads the
     * next term.
     */
    record TimeoutNow(long term, NodeId from) implements Message {}
}
