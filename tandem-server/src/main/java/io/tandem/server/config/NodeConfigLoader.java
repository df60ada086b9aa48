package io.tandem.server.config;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.QuorumMath;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.storage.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link NodeConfig} from three sources, highest first: command-line flags, environment
 * variables (TANDEM_PORT, TANDEM_DATA_DIR, ...), the config file. The file has Redis's format: one
 * "key value" a line, '#' starts a comment, values may be "quoted". Sizes accept Redis's units
 * (1k = 1000, 1kb = 1024, mb, gb). Every error names the key, the value and its source.
 */
public final class NodeConfigLoader {
    private NodeConfigLoader() {}

    /** A value and where it came from, for error messages. */
    private record Sourced(String value, String source) {}

    public static NodeConfig load(Map<String, String> flags, Map<String, String> environment, Path file) {
        Map<String, Sourced> values = new HashMap<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            values.put(key.name(), new Sourced(key.defaultValue(), "default"));
        }
        if (file != null) {
            readFile(file, values);
        }
        for (ConfigKey key : ConfigKeys.ALL) {
            String env = environment.get(key.environmentVariable());
            if (env != null) {
                values.put(key.name(), new Sourced(env, "environment variable " + key.environmentVariable()));
            }
        }
        for (Map.Entry<String, String> flag : flags.entrySet()) {
            ConfigKey key = requireKey(flag.getKey(), "command line");
            values.put(key.name(), new Sourced(flag.getValue(), "flag " + key.flag()));
        }
        return build(values);
    }

    private static void readFile(Path file, Map<String, Sourced> values) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int space = indexOfWhitespace(line);
            String name = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
            String value = space < 0 ? "" : unquote(line.substring(space).strip(), where);
            ConfigKey key = requireKey(name, where);
            values.put(key.name(), new Sourced(value, where));
        }
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String value, String where) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        if (value.startsWith("\"") || value.startsWith("'")) {
            throw new ConfigException(where + ": unbalanced quotes in value " + value);
        }
        return value;
    }

    private static ConfigKey requireKey(String name, String where) {
        ConfigKey key = ConfigKeys.byName(name);
        if (key == null) {
            throw new ConfigException("unknown configuration key '" + name + "' (" + where + "); known keys: "
                    + String.join(", ", ConfigKeys.ALL.stream().map(ConfigKey::name).toList()));
        }
        return key;
    }

    private static NodeConfig build(Map<String, Sourced> v) {
        int port = intValue(v, ConfigKeys.PORT, 0, 65535);
        String adminText = v.get(ConfigKeys.ADMIN_PORT.name()).value().strip();
        int adminPort;
        if (adminText.equalsIgnoreCase("auto")) {
            adminPort = port == 0 || port + 10000 > 65535 ? 0 : port + 10000;
        } else {
            adminPort = intValue(v, ConfigKeys.ADMIN_PORT, -1, 65535);
        }
        String bind = v.get(ConfigKeys.BIND.name()).value().strip();
        if (bind.isEmpty()) {
            throw invalid(v, ConfigKeys.BIND, "an address is required");
        }
        String dataDir = v.get(ConfigKeys.DATA_DIR.name()).value().strip();
        if (dataDir.isEmpty()) {
            throw invalid(v, ConfigKeys.DATA_DIR, "a directory is required");
        }
        FsyncPolicy fsync;
        try {
            fsync = FsyncPolicy.parse(v.get(ConfigKeys.FSYNC.name()).value());
        } catch (IllegalArgumentException e) {
            throw invalid(v, ConfigKeys.FSYNC, e.getMessage());
        }
        String requirepass = v.get(ConfigKeys.REQUIREPASS.name()).value();
        if (requirepass.length() > 512) {
            throw invalid(v, ConfigKeys.REQUIREPASS, "longer than 512 characters");
        }
        return new NodeConfig(
                bind,
                port,
                adminPort,
                Path.of(dataDir),
                fsync,
                requirepass,
                yesNo(v, ConfigKeys.PROTECTED_MODE),
                intValue(v, ConfigKeys.MAXCLIENTS, 1, 1_000_000),
                (int) bytes(v, ConfigKeys.PROTO_MAX_BULK_LEN, 1024 * 1024, Integer.MAX_VALUE - 8),
                intValue(v, ConfigKeys.MAX_REQUEST_ARGS, 16, Integer.MAX_VALUE),
                bytes(v, ConfigKeys.WAL_SEGMENT_BYTES, 1L << 20, 1L << 30),
                bytes(v, ConfigKeys.WAL_MAX_PENDING_BYTES, 1L << 20, 4L << 30),
                bytes(v, ConfigKeys.SNAPSHOT_AFTER_LOG_BYTES, 0, Long.MAX_VALUE / 2),
                intValue(v, ConfigKeys.HZ, 1, 500),
                intValue(v, ConfigKeys.IDLE_SPIN_MICROS, 0, RuntimeSettings.IDLE_SPIN_MICROS_MAX),
                replication(v, port),
                pubSub(v));
    }

    private static PubSubSettings pubSub(Map<String, Sourced> v) {
        String masterName = v.get(ConfigKeys.SENTINEL_MASTER_NAME.name()).value().strip();
        if (masterName.isEmpty() || masterName.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw invalid(v, ConfigKeys.SENTINEL_MASTER_NAME, "a name of printable characters without spaces is required");
        }
        return new PubSubSettings(masterName,
                intValue(v, ConfigKeys.PUBSUB_MAX_SUBSCRIPTIONS, 1, Integer.MAX_VALUE),
                bytes(v, ConfigKeys.PUBSUB_OUTPUT_HARD_LIMIT, 0, Long.MAX_VALUE / 2),
                bytes(v, ConfigKeys.PUBSUB_OUTPUT_SOFT_LIMIT, 0, Long.MAX_VALUE / 2),
                intValue(v, ConfigKeys.PUBSUB_OUTPUT_SOFT_SECONDS, 0, 86_400));
    }

    private static ReplicationSettings replication(Map<String, Sourced> v, int port) {
        NodeId self = nodeId(v, ConfigKeys.NODE_ID, v.get(ConfigKeys.NODE_ID.name()).value().strip());
        String peerPortText = v.get(ConfigKeys.PEER_PORT.name()).value().strip();
        int peerPort = peerPortText.equalsIgnoreCase("auto")
                ? (port == 0 || port + 20000 > 65535 ? 0 : port + 20000)
                : intValue(v, ConfigKeys.PEER_PORT, -1, 65535);
        Map<NodeId, String> peers = new java.util.TreeMap<>();
        String peersText = v.get(ConfigKeys.PEERS.name()).value().strip();
        if (!peersText.isEmpty()) {
            for (String item : peersText.split(",")) {
                String[] idAndAddress = item.strip().split("=", 2);
                if (idAndAddress.length != 2 || !validHostPort(idAndAddress[1].strip())) {
                    throw invalid(v, ConfigKeys.PEERS, "'" + item.strip() + "' is not id=host:port");
                }
                NodeId peer = nodeId(v, ConfigKeys.PEERS, idAndAddress[0].strip());
                if (peer.equals(self)) {
                    throw invalid(v, ConfigKeys.PEERS, "lists this node itself (" + self + ")");
                }
                if (peers.put(peer, idAndAddress[1].strip()) != null) {
                    throw invalid(v, ConfigKeys.PEERS, "names " + peer + " twice");
                }
            }
        }
        if (!peers.isEmpty() && peerPort < 0) {
            throw invalid(v, ConfigKeys.PEER_PORT, "a node with peers needs a peer port");
        }
        String replicaOfText = v.get(ConfigKeys.REPLICA_OF.name()).value().strip();
        NodeId replicaOf = replicaOfText.isEmpty() ? null : nodeId(v, ConfigKeys.REPLICA_OF, replicaOfText);
        if (replicaOf != null && !peers.containsKey(replicaOf)) {
            throw invalid(v, ConfigKeys.REPLICA_OF, replicaOf + " is not among the peers");
        }
        AckPolicy policy;
        try {
            policy = AckPolicy.parse(v.get(ConfigKeys.ACK_POLICY.name()).value());
        } catch (IllegalArgumentException e) {
            throw invalid(v, ConfigKeys.ACK_POLICY, e.getMessage());
        }
        java.util.Set<NodeId> nodes = new java.util.TreeSet<>(peers.keySet());
        nodes.add(self);
        NodeId leader = replicaOf != null ? replicaOf : self;
        var never = QuorumMath.whyNeverSatisfied(policy, leader, nodes);
        if (never.isPresent()) {
            throw invalid(v, ConfigKeys.ACK_POLICY, never.get());
        }
        AckLevel level;
        try {
            level = AckLevel.parse(v.get(ConfigKeys.ACK_LEVEL.name()).value());
        } catch (IllegalArgumentException e) {
            throw invalid(v, ConfigKeys.ACK_LEVEL, e.getMessage());
        }
        OnAckTimeout onTimeout;
        try {
            onTimeout = OnAckTimeout.parse(v.get(ConfigKeys.ON_ACK_TIMEOUT.name()).value());
        } catch (IllegalArgumentException e) {
            throw invalid(v, ConfigKeys.ON_ACK_TIMEOUT, e.getMessage());
        }
        java.util.Set<NodeId> nonVoting = new java.util.TreeSet<>();
        String nonVotingText = v.get(ConfigKeys.NON_VOTING.name()).value().strip();
        if (!nonVotingText.isEmpty()) {
            for (String item : nonVotingText.split(",")) {
                NodeId id = nodeId(v, ConfigKeys.NON_VOTING, item.strip());
                if (!id.equals(self) && !peers.containsKey(id)) {
                    throw invalid(v, ConfigKeys.NON_VOTING, id + " is neither this node nor one of the peers");
                }
                nonVoting.add(id);
            }
        }
        String upstreamText = v.get(ConfigKeys.UPSTREAM.name()).value().strip();
        NodeId upstream = upstreamText.isEmpty() ? null : nodeId(v, ConfigKeys.UPSTREAM, upstreamText);
        if (upstream != null) {
            if (replicaOf == null) {
                throw invalid(v, ConfigKeys.UPSTREAM, "a leader streams from nobody: set replica-of too");
            }
            if (upstream.equals(self) || !peers.containsKey(upstream)) {
                throw invalid(v, ConfigKeys.UPSTREAM, upstream + " is not one of the peers");
            }
        }
        int heartbeatMillis = intValue(v, ConfigKeys.HEARTBEAT_INTERVAL_MILLIS, 1, 60_000);
        long electionTimeoutMillis = electionTimeout(v, heartbeatMillis, !peers.isEmpty() || !joinText(v).isEmpty());
        return new ReplicationSettings(self, peerPort, peers, replicaOf, policy, level,
                intValue(v, ConfigKeys.ACK_TIMEOUT_MILLIS, 1, RuntimeSettings.ACK_TIMEOUT_MILLIS_MAX), onTimeout,
                heartbeatMillis, intValue(v, ConfigKeys.MIN_REPLICAS_TO_WRITE, 0, RuntimeSettings.MIN_REPLICAS_TO_WRITE_MAX),
                intValue(v, ConfigKeys.MIN_REPLICAS_MAX_LAG, 0, RuntimeSettings.MIN_REPLICAS_MAX_LAG_MAX) * 1000L,
                nonVoting,
                intValue(v, ConfigKeys.APPLY_DELAY_MILLIS, 0, 86_400_000), statementFormat(v),
                bytes(v, ConfigKeys.RETENTION_BYTES_MAX, 0, Long.MAX_VALUE / 2),
                intValue(v, ConfigKeys.LAG_ALERT_MILLIS, 0, RuntimeSettings.LAG_ALERT_MILLIS_MAX),
                bytes(v, ConfigKeys.LAG_ALERT_BYTES, 0, Long.MAX_VALUE / 2), upstream,
                electionTimeoutMillis, intValue(v, ConfigKeys.PRIORITY, 0, 1000),
                intValue(v, ConfigKeys.MAX_LAG_ON_FAILOVER_ENTRIES, 0, Integer.MAX_VALUE),
                join(v, peers, replicaOf, peerPort, electionTimeoutMillis), announceIp(v),
                readLease(v, electionTimeoutMillis));
    }

    /** 0, or below the election timeout (the voters' promise a lease rests on; see ReadLease). */
    private static long readLease(Map<String, Sourced> v, long electionTimeoutMillis) {
        int millis = intValue(v, ConfigKeys.READ_LEASE_MILLIS, 0, 3_600_000);
        if (millis > 0 && millis >= electionTimeoutMillis) {
            throw invalid(v, ConfigKeys.READ_LEASE_MILLIS, electionTimeoutMillis == 0
                    ? "lease reads need elections (election-timeout-millis is 0)"
                    : "must be below election-timeout-millis (" + electionTimeoutMillis + "); with the clock-drift"
                            + " margin of docs/replication.md, e.g. " + electionTimeoutMillis * 4 / 5);
        }
        return millis;
    }

    /**
     * An IP literal (IPv4 dotted quad, or IPv6), not a host name: clients take it from INFO and the Sentinel
     * API, and some (Lettuce) drop host names with dashes when they parse INFO replication.
     */
    private static String announceIp(Map<String, Sourced> v) {
        String ip = v.get(ConfigKeys.ANNOUNCE_IP.name()).value().strip();
        if (ip.isEmpty()) {
            return null;
        }
        boolean v4 = ip.matches("(\\d{1,3})(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(ip.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean v6 = ip.contains(":") && ip.matches("[0-9a-fA-F:.]{2,45}");
        if (!v4 && !v6) {
            throw invalid(v, ConfigKeys.ANNOUNCE_IP, "'" + ip + "' is not an IP address (a host name is not accepted:"
                    + " clients read it from INFO and the Sentinel API)");
        }
        return ip;
    }

    private static String joinText(Map<String, Sourced> v) {
        return v.get(ConfigKeys.JOIN.name()).value().strip();
    }

    /**
     * A node that joins learns who the members are from the leader that adds it, so it lists none itself;
     * and after a restart only elections tell it whom to follow (no configuration names its leader).
     */
    private static String join(Map<String, Sourced> v, Map<NodeId, String> peers, NodeId replicaOf, int peerPort,
            long electionTimeoutMillis) {
        String join = joinText(v);
        if (join.isEmpty()) {
            return null;
        }
        if (!validHostPort(join)) {
            throw invalid(v, ConfigKeys.JOIN, "'" + join + "' is not host:port (a member's client port)");
        }
        if (!peers.isEmpty() || replicaOf != null) {
            throw invalid(v, ConfigKeys.JOIN, "a node that joins learns its peers from the leader: leave peers and"
                    + " replica-of empty");
        }
        if (electionTimeoutMillis == 0) {
            throw invalid(v, ConfigKeys.JOIN, "needs elections (election-timeout-millis above 0): after a restart,"
                    + " nothing else tells a node that joined whom to follow");
        }
        if (peerPort < 0) {
            throw invalid(v, ConfigKeys.JOIN, "needs a peer port (peer-port is -1)");
        }
        return join;
    }

    /**
     * election-timeout-millis auto: five heartbeats. A follower then misses four heartbeats in a row (a GC
     * pause, a slow disk) before it stands, and a dead leader is replaced within about a second with the
     * default 100 ms heartbeat (measured: docs/benchmarks.md).
     */
    static final int AUTO_ELECTION_TIMEOUT_HEARTBEATS = 5;

    /**
     * 0, or at least two heartbeats: a follower must be able to miss one heartbeat (a slow tick, a GC pause)
     * without standing for election. The same rule as the core's ReplicaSetConfig, checked here first so that
     * the error names the key and where the value came from.
     */
    private static long electionTimeout(Map<String, Sourced> v, int heartbeatMillis, boolean replicated) {
        if (v.get(ConfigKeys.ELECTION_TIMEOUT_MILLIS.name()).value().strip().equalsIgnoreCase("auto")) {
            // A node alone has nothing to elect: it leads, as a plain Redis server does, and its log holds only
            // what clients wrote (a leader with elections opens each term with an empty entry).
            return replicated ? AUTO_ELECTION_TIMEOUT_HEARTBEATS * (long) heartbeatMillis : 0;
        }
        int millis = intValue(v, ConfigKeys.ELECTION_TIMEOUT_MILLIS, 0, 3_600_000);
        if (millis > 0 && millis < 2L * heartbeatMillis) {
            throw invalid(v, ConfigKeys.ELECTION_TIMEOUT_MILLIS, "must be 0 (failover by hand) or at least twice"
                    + " heartbeat-interval-millis (" + heartbeatMillis + "), so at least " + 2L * heartbeatMillis);
        }
        return millis;
    }

    private static boolean statementFormat(Map<String, Sourced> v) {
        return switch (v.get(ConfigKeys.REPLICATION_FORMAT.name()).value().strip().toLowerCase(Locale.ROOT)) {
            case "row" -> false;
            case "statement" -> true;
            default -> throw invalid(v, ConfigKeys.REPLICATION_FORMAT, "expected row or statement");
        };
    }

    private static NodeId nodeId(Map<String, Sourced> v, ConfigKey key, String text) {
        try {
            return NodeId.of(text);
        } catch (IllegalArgumentException e) {
            throw invalid(v, key, e.getMessage());
        }
    }

    private static boolean validHostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return false;
        }
        try {
            int p = Integer.parseInt(address.substring(colon + 1));
            return p >= 1 && p <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Parses a value with Redis's config grammar; public for CONFIG SET. */
    public static long parseBytes(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
                {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] unit : units) {
            if (s.endsWith(unit[0])) {
                multiplier = Long.parseLong(unit[1]);
                s = s.substring(0, s.length() - unit[0].length());
                break;
            }
        }
        long n = Long.parseLong(s); // NumberFormatException for garbage
        return Math.multiplyExact(n, multiplier);
    }

    public static boolean parseYesNo(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("expected yes or no");
        };
    }

    private static long bytes(Map<String, Sourced> v, ConfigKey key, long min, long max) {
        long n;
        try {
            n = parseBytes(v.get(key.name()).value());
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(v, key, "not a size (examples: 1048576, 64mb, 1gb)");
        }
        if (n < min || n > max) {
            throw invalid(v, key, "must be between " + min + " and " + max + " bytes");
        }
        return n;
    }

    private static int intValue(Map<String, Sourced> v, ConfigKey key, int min, int max) {
        long n;
        try {
            n = Long.parseLong(v.get(key.name()).value().strip());
        } catch (NumberFormatException e) {
            throw invalid(v, key, "not an integer");
        }
        if (n < min || n > max) {
            throw invalid(v, key, "must be between " + min + " and " + max);
        }
        return (int) n;
    }

    private static boolean yesNo(Map<String, Sourced> v, ConfigKey key) {
        try {
            return parseYesNo(v.get(key.name()).value());
        } catch (IllegalArgumentException e) {
            throw invalid(v, key, "expected yes or no");
        }
    }

    private static ConfigException invalid(Map<String, Sourced> v, ConfigKey key, String why) {
        Sourced s = v.get(key.name());
        return new ConfigException("invalid value for '" + key.name() + "': '" + s.value() + "' (" + s.source()
                + "): " + why);
    }
}
