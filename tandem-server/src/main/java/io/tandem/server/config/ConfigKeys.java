package io.tandem.server.config;

import java.util.List;

/** Every configuration key Tandem reads, with its default. Keep docs/configuration.md in step (a test checks). */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static final ConfigKey BIND = new ConfigKey("bind", "127.0.0.1",
            "Address the client port listens on. 0.0.0.0 listens on every interface.", false);
    public static final ConfigKey PORT = new ConfigKey("port", "7379",
            "Client port (Redis protocol). 0 picks a free port, printed at start-up.", false);
    public static final ConfigKey ADMIN_PORT = new ConfigKey("admin-port", "auto",
            "Admin HTTP port (/metrics, /api/status). auto = client port + 10000 (a free port when the client"
                    + " port is 0 or the sum exceeds 65535); 0 = a free port; -1 = no admin port.", false);
    public static final ConfigKey DATA_DIR = new ConfigKey("data-dir", "./data",
            "Directory of the write-ahead log (wal/) and snapshots. Created if missing.", false);
    public static final ConfigKey FSYNC = new ConfigKey("fsync", "batch",
            "When a write is durable enough to acknowledge: always (fsync each write before replying, blocking"
                    + " the node), batch (group commit: the reply waits for the fsync that covers it), everysec"
                    + " (reply after write(); fsync every second: an OS crash loses up to ~1 s), never (reply"
                    + " after write(); the OS decides when to flush).", false);
    public static final ConfigKey REQUIREPASS = new ConfigKey("requirepass", "",
            "Password clients must give with AUTH or HELLO ... AUTH. Empty: no password.", true);
    public static final ConfigKey PROTECTED_MODE = new ConfigKey("protected-mode", "yes",
            "With no password set, accept clients from loopback addresses only.", true);
    public static final ConfigKey MAXCLIENTS = new ConfigKey("maxclients", "10000",
            "Most client connections at once; one more is refused with an error.", true);
    public static final ConfigKey PROTO_MAX_BULK_LEN = new ConfigKey("proto-max-bulk-len", "512mb",
            "Largest bulk string a client may send (authenticated; before AUTH the limit is 16 KB).", true);
    public static final ConfigKey MAX_REQUEST_ARGS = new ConfigKey("max-request-args", "1048576",
            "Most arguments in one request (authenticated; before AUTH the limit is 10).", false);
    public static final ConfigKey WAL_SEGMENT_BYTES = new ConfigKey("wal-segment-bytes", "64mb",
            "Size of one write-ahead log segment file.", false);
    public static final ConfigKey WAL_MAX_PENDING_BYTES = new ConfigKey("wal-max-pending-bytes", "64mb",
            "Bytes of log waiting for the disk before the node stops reading clients (back-pressure).", false);
    public static final ConfigKey SNAPSHOT_AFTER_LOG_BYTES = new ConfigKey("snapshot-after-log-bytes", "256mb",
            "Take a snapshot in the background once the log has grown this much since the last one; then"
                    + " delete the log segments it covers. 0 = only on BGSAVE.", true);
    public static final ConfigKey HZ = new ConfigKey("hz", "10",
            "Timer ticks per second (active expiry runs on each tick), 1 to 500.", true);
    public static final ConfigKey IDLE_SPIN_MICROS = new ConfigKey("idle-spin-micros", "300",
            "After work, how long the event loop keeps polling its sockets (yielding the CPU between polls)"
                    + " before it blocks: a request or a replica's answer arriving meanwhile is read without a"
                    + " wake-up. Lower latency for CPU while busy; 0 = block at once. 0 to 100000.", true);

    public static final ConfigKey NODE_ID = new ConfigKey("node-id", "n1",
            "This node's name in its replica set (letters, digits, '-', '_', '.').", false);
    public static final ConfigKey PEER_PORT = new ConfigKey("peer-port", "auto",
            "Port other members connect to for replication. auto = client port + 20000 (a free port when the"
                    + " client port is 0); 0 = a free port; -1 = none (a node without replicas).", false);
    public static final ConfigKey PEERS = new ConfigKey("peers", "",
            "The other members: comma-separated id=host:peer-port, e.g. n2=127.0.0.1:27380,n3=127.0.0.1:27381."
                    + " Empty: a replica set of one.", false);
    public static final ConfigKey REPLICA_OF = new ConfigKey("replica-of", "",
            "The member this node follows at start (its node-id). Empty: this node leads.", false);
    public static final ConfigKey ACK_POLICY = new ConfigKey("ack-policy", "async",
            "When the leader acknowledges a write: async | semi-sync K | quorum | all | first K (n2,n3) |"
                    + " any K (n2,n3). See docs/replication.md.", true);
    public static final ConfigKey ACK_LEVEL = new ConfigKey("ack-level", "durable",
            "What a replica must have done for its acknowledgement to count: received | durable | applied.", true);
    public static final ConfigKey ACK_TIMEOUT_MILLIS = new ConfigKey("ack-timeout-millis", "1000",
            "How long a write waits for the policy before on-ack-timeout applies.", true);
    public static final ConfigKey ON_ACK_TIMEOUT = new ConfigKey("on-ack-timeout", "error",
            "error: the reply says how many replicas acknowledged (the write stays in the log); degrade: switch"
                    + " to async until the replicas catch up.", true);
    public static final ConfigKey HEARTBEAT_INTERVAL_MILLIS = new ConfigKey("heartbeat-interval-millis", "100",
            "How often a leader tells idle followers its commit LSN and time (their staleness).", false);

    public static final ConfigKey MIN_REPLICAS_TO_WRITE = new ConfigKey("min-replicas-to-write", "0",
            "Redis's: the leader refuses writes (-NOREPLICAS) while fewer replicas than this were heard from within"
                    + " min-replicas-max-lag seconds. 0: off.", true);
    public static final ConfigKey MIN_REPLICAS_MAX_LAG = new ConfigKey("min-replicas-max-lag", "10",
            "Seconds within which a replica must have been heard from to count for min-replicas-to-write.", true);
    public static final ConfigKey NON_VOTING = new ConfigKey("non-voting", "",
            "Members that never count for the quorum policy (unless named in first/any K): comma-separated ids."
                    + " The same on every member.", false);
    public static final ConfigKey APPLY_DELAY_MILLIS = new ConfigKey("apply-delay-millis", "0",
            "A delayed replica: this node persists entries at once but applies (shows) each only this long after"
                    + " the leader wrote it.", false);

    public static final ConfigKey ELECTION_TIMEOUT_MILLIS = new ConfigKey("election-timeout-millis", "auto",
            "Automatic failover: a follower that hears nothing from a leader for this long (plus a random part of"
                    + " as much again) stands for election, and a leader that hears from no majority of the voters for"
                    + " this long steps down. At least twice heartbeat-interval-millis. auto: five heartbeats (500 ms"
                    + " with the default heartbeat) on a node with peers or join, 0 on a node alone. 0: failover by"
                    + " hand (REPLICAOF). The same on every member.", false);
    public static final ConfigKey MAX_LAG_ON_FAILOVER_ENTRIES = new ConfigKey("max-lag-on-failover-entries", "0",
            "With elections: a follower more than this many entries behind the last commit point it heard of does"
                    + " not stand for election (Patroni's maximum_lag_on_failover, in entries). 0: no limit. The"
                    + " same on every member.", false);
    public static final ConfigKey PRIORITY = new ConfigKey("priority", "1",
            "With elections: 0 = this node never stands for election (it still votes, if voting); 1 or more = it"
                    + " may stand (today every value above 0 is the same).", false);

    public static final ConfigKey REPLICATION_FORMAT = new ConfigKey("replication-format", "row",
            "row: ship each write's resulting values (deterministic); statement: ship the commands for replicas to"
                    + " execute again (SPOP and other random commands then diverge; shown by TANDEM.DIGEST).", false);

    public static final ConfigKey UPSTREAM = new ConfigKey("upstream", "",
            "Cascading: the member this follower streams from instead of the leader (that follower relays what it"
                    + " holds durable, and reports this one's positions to the leader). Empty: the leader.", false);
    public static final ConfigKey ANNOUNCE_IP = new ConfigKey("announce-ip", "",
            "The IP address other members and clients reach this node at (its client and peer ports): shown in INFO"
                    + " replication, ROLE and the Sentinel API, and given to new members. Like Redis's"
                    + " replica-announce-ip. Empty: the bind address (127.0.0.1 when bind is 0.0.0.0 or ::).", false);
    public static final ConfigKey READ_LEASE_MILLIS = new ConfigKey("read-lease-millis", "0",
            "Lease reads: the leader answers reads without a round trip while a majority confirmed, less than this"
                    + " long ago, that it leads. Below election-timeout-millis; needs clocks that are not stepped"
                    + " backwards (see docs/replication.md). 0: read-index (a round trip per batch of reads).", false);
    public static final ConfigKey JOIN = new ConfigKey("join", "",
            "host:port of any member's client port: a node started with an empty data directory asks the replica"
                    + " set to add it (TANDEM.MEMBERS ADD, sent to the leader), then is bootstrapped by the leader."
                    + " Needs elections; leave peers and replica-of empty (the leader tells it the members).", false);
    public static final ConfigKey RETENTION_BYTES_MAX = new ConfigKey("retention-bytes-max", "1gb",
            "A leader keeps log segments a snapshot already covers while a replica still needs them, up to this"
                    + " many bytes of log; a replica further behind is bootstrapped from a snapshot instead.", false);

    public static final ConfigKey LAG_ALERT_MILLIS = new ConfigKey("lag-alert-millis", "10000",
            "On a leader: raise a lag alert (logged, counted) when a replica has been behind for longer than this."
                    + " 0: off.", true);
    public static final ConfigKey LAG_ALERT_BYTES = new ConfigKey("lag-alert-bytes", "64mb",
            "On a leader: raise a lag alert when a replica has more than this many bytes of log not applied."
                    + " 0: off.", true);

    public static final ConfigKey SENTINEL_MASTER_NAME = new ConfigKey("sentinel-master-name", "tandem",
            "The master name this node answers to in its Sentinel API (SENTINEL GET-MASTER-ADDR-BY-NAME <name>,"
                    + " redis-sentinel://...#<name>). The same on every member.", false);
    public static final ConfigKey PUBSUB_MAX_SUBSCRIPTIONS = new ConfigKey("pubsub-max-subscriptions", "10000",
            "Most channels and patterns one connection may be subscribed to at once; SUBSCRIBE or PSUBSCRIBE past it"
                    + " is refused with an error.", false);
    public static final ConfigKey PUBSUB_OUTPUT_HARD_LIMIT = new ConfigKey("pubsub-output-hard-limit", "32mb",
            "A subscriber whose unsent output reaches this many bytes is disconnected at once (Redis's"
                    + " client-output-buffer-limit pubsub hard limit). 0: no limit.", false);
    public static final ConfigKey PUBSUB_OUTPUT_SOFT_LIMIT = new ConfigKey("pubsub-output-soft-limit", "8mb",
            "A subscriber whose unsent output stays at or above this many bytes for pubsub-output-soft-seconds is"
                    + " disconnected (Redis's soft limit). 0: no soft limit.", false);
    public static final ConfigKey PUBSUB_OUTPUT_SOFT_SECONDS = new ConfigKey("pubsub-output-soft-seconds", "60",
            "How long a subscriber may stay over pubsub-output-soft-limit.", false);

    public static final List<ConfigKey> ALL = List.of(BIND, PORT, ADMIN_PORT, DATA_DIR, FSYNC, REQUIREPASS,
            PROTECTED_MODE, MAXCLIENTS, PROTO_MAX_BULK_LEN, MAX_REQUEST_ARGS, WAL_SEGMENT_BYTES,
            WAL_MAX_PENDING_BYTES, SNAPSHOT_AFTER_LOG_BYTES, HZ, IDLE_SPIN_MICROS, NODE_ID, PEER_PORT, PEERS,
            REPLICA_OF, ACK_POLICY,
            ACK_LEVEL, ACK_TIMEOUT_MILLIS, ON_ACK_TIMEOUT, HEARTBEAT_INTERVAL_MILLIS, MIN_REPLICAS_TO_WRITE,
            MIN_REPLICAS_MAX_LAG, NON_VOTING, APPLY_DELAY_MILLIS, REPLICATION_FORMAT,
            RETENTION_BYTES_MAX, LAG_ALERT_MILLIS, LAG_ALERT_BYTES, UPSTREAM, ELECTION_TIMEOUT_MILLIS, MAX_LAG_ON_FAILOVER_ENTRIES, PRIORITY, JOIN, ANNOUNCE_IP, READ_LEASE_MILLIS,
            SENTINEL_MASTER_NAME, PUBSUB_MAX_SUBSCRIPTIONS, PUBSUB_OUTPUT_HARD_LIMIT, PUBSUB_OUTPUT_SOFT_LIMIT,
            PUBSUB_OUTPUT_SOFT_SECONDS);

    public static ConfigKey byName(String name) {
        for (ConfigKey key : ALL) {
            if (key.name().equals(name)) {
                return key;
            }
        }
        return null;
    }
}
