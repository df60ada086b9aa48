package io.tandem.server.config;

import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings CONFIG SET may change while the node runs, starting from the validated {@link NodeConfig}.
 * Read and written on the agent thread only. CONFIG GET also answers a few Redis names that clients and
 * tools ask for (redis-benchmark asks for "save"), mapped to what Tandem does.
 */
public final class RuntimeSettings {
    private final NodeConfig config;
    private String requirepass;
    private boolean protectedMode;
    private int maxClients;
    private int protoMaxBulkLen;
    private long snapshotAfterLogBytes;
    private int hz;
    private long idleSpinNanos;
    // The acknowledgement settings (CONFIG SET hands them to the core: Input.ChangeAcknowledgement) and lag alerts.
    private AckPolicy ackPolicy;
    private AckLevel ackLevel;
    private long ackTimeoutMillis;
    private OnAckTimeout onAckTimeout;
    private int minReplicasToWrite;
    private int minReplicasMaxLagSeconds;
    private long lagAlertMillis;
    private long lagAlertBytes;
    /** Why this node could never commit under a policy when it leads (null: it could); set by the agent. */
    private Function<AckPolicy, String> policyRefusal = policy -> null;
    /** Most idle-spin-micros: 0.1 s, far beyond any wake-up worth saving. */
    public static final int IDLE_SPIN_MICROS_MAX = 100_000;
    /** The bounds the loader checks too (NodeConfigLoader): an hour, 1000 replicas, a day, a day. */
    static final int ACK_TIMEOUT_MILLIS_MAX = 3_600_000;
    static final int MIN_REPLICAS_TO_WRITE_MAX = 1000;
    static final int MIN_REPLICAS_MAX_LAG_MAX = 86_400;
    static final int LAG_ALERT_MILLIS_MAX = 86_400_000;

    public RuntimeSettings(NodeConfig config) {
        this.config = config;
        this.requirepass = config.requirepass();
        this.protectedMode = config.protectedMode();
        this.maxClients = config.maxClients();
        this.protoMaxBulkLen = config.protoMaxBulkLen();
        this.snapshotAfterLogBytes = config.snapshotAfterLogBytes();
        this.hz = config.hz();
        this.idleSpinNanos = config.idleSpinMicros() * 1000L;
        ReplicationSettings replication = config.replication();
        this.ackPolicy = replication.ackPolicy();
        this.ackLevel = replication.ackLevel();
        this.ackTimeoutMillis = replication.ackTimeoutMillis();
        this.onAckTimeout = replication.onAckTimeout();
        this.minReplicasToWrite = replication.minReplicasToWrite();
        this.minReplicasMaxLagSeconds = (int) (replication.minReplicasMaxLagMillis() / 1000);
        this.lagAlertMillis = replication.lagAlertMillis();
        this.lagAlertBytes = replication.lagAlertBytes();
    }

    /**
     * How CONFIG SET ack-policy learns whether this node could ever commit under a policy once it leads, with
     * the members of the moment (the agent knows them): a reason to refuse it, or null.
     */
    public void checkPoliciesWith(Function<AckPolicy, String> refusal) {
        this.policyRefusal = refusal;
    }

    public AckPolicy ackPolicy() {
        return ackPolicy;
    }

    public AckLevel ackLevel() {
        return ackLevel;
    }

    public long ackTimeoutMillis() {
        return ackTimeoutMillis;
    }

    public OnAckTimeout onAckTimeout() {
        return onAckTimeout;
    }

    public int minReplicasToWrite() {
        return minReplicasToWrite;
    }

    public long minReplicasMaxLagMillis() {
        return minReplicasMaxLagSeconds * 1000L;
    }

    public long lagAlertMillis() {
        return lagAlertMillis;
    }

    public long lagAlertBytes() {
        return lagAlertBytes;
    }

    public NodeConfig startup() {
        return config;
    }

    public String requirepass() {
        return requirepass;
    }

    public boolean passwordRequired() {
        return !requirepass.isEmpty();
    }

    public boolean protectedMode() {
        return protectedMode;
    }

    public int maxClients() {
        return maxClients;
    }

    public int protoMaxBulkLen() {
        return protoMaxBulkLen;
    }

    public long snapshotAfterLogBytes() {
        return snapshotAfterLogBytes;
    }

    public int hz() {
        return hz;
    }

    /** How long the event loop polls after work before it blocks (idle-spin-micros), in nanoseconds. */
    public long idleSpinNanos() {
        return idleSpinNanos;
    }

    /** Every parameter CONFIG GET knows, in a stable order, with its current value. */
    public Map<String, String> all(int boundPort) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bind", config.bind());
        m.put("port", Integer.toString(boundPort));
        m.put("dir", config.dataDir().toAbsolutePath().toString());
        m.put("data-dir", config.dataDir().toString());
        m.put("fsync", config.fsync().configName());
        m.put("requirepass", requirepass);
        m.put("protected-mode", protectedMode ? "yes" : "no");
        m.put("maxclients", Integer.toString(maxClients));
        m.put("proto-max-bulk-len", Integer.toString(protoMaxBulkLen));
        m.put("max-request-args", Integer.toString(config.maxRequestArgs()));
        m.put("wal-segment-bytes", Long.toString(config.walSegmentBytes()));
        m.put("wal-max-pending-bytes", Long.toString(config.walMaxPendingBytes()));
        m.put("snapshot-after-log-bytes", Long.toString(snapshotAfterLogBytes));
        m.put("hz", Integer.toString(hz));
        m.put("idle-spin-micros", Long.toString(idleSpinNanos / 1000));
        ReplicationSettings replication = config.replication();
        m.put("node-id", replication.nodeId().name());
        m.put("ack-policy", ackPolicy.toString());
        m.put("ack-level", ackLevel.toString());
        m.put("ack-timeout-millis", Long.toString(ackTimeoutMillis));
        m.put("on-ack-timeout", onAckTimeout.configName());
        m.put("min-replicas-to-write", Integer.toString(minReplicasToWrite));
        m.put("min-replicas-max-lag", Integer.toString(minReplicasMaxLagSeconds));
        m.put("lag-alert-millis", Long.toString(lagAlertMillis));
        m.put("lag-alert-bytes", Long.toString(lagAlertBytes));
        m.put("heartbeat-interval-millis", Long.toString(replication.heartbeatIntervalMillis()));
        m.put("election-timeout-millis", Long.toString(replication.electionTimeoutMillis()));
        m.put("read-lease-millis", Long.toString(replication.readLeaseMillis()));
        m.put("apply-delay-millis", Long.toString(replication.applyDelayMillis()));
        m.put("replication-format", replication.statementFormat() ? "statement" : "row");
        m.put("retention-bytes-max", Long.toString(replication.retentionBytesMax()));
        // Redis names, answered with what Tandem does: no RDB save points (snapshots follow the log), the
        // write-ahead log is always on, and its fsync policy in Redis's words.
        m.put("save", "");
        m.put("appendonly", "yes");
        m.put("appendfsync", switch (config.fsync()) {
            case ALWAYS, BATCH -> "always";
            case EVERYSEC -> "everysec";
            case NEVER -> "no";
        });
        m.put("databases", "1");
        m.put("maxmemory", "0");
        return m;
    }

    /**
     * Applies one CONFIG SET pair; returns null on success or the reason it was refused. Validation is the
     * loader's, so a value CONFIG SET accepts is one the config file would accept.
     */
    public String set(String name, String value) {
        return set(name, value, true);
    }

    /**
     * Puts back a value this node held a moment ago (a CONFIG SET whose later pair was refused): not checked
     * against the members again, since it was in force until then.
     */
    public void restore(String name, String value) {
        set(name, value, false);
    }

    private String set(String name, String value, boolean check) {
        try {
            switch (name) {
                case "requirepass" -> {
                    if (value.length() > 512) {
                        return "longer than 512 characters";
                    }
                    requirepass = value;
                }
                case "protected-mode" -> protectedMode = NodeConfigLoader.parseYesNo(value);
                case "maxclients" -> maxClients = boundedInt(value, 1, 1_000_000);
                case "proto-max-bulk-len" -> protoMaxBulkLen =
                        (int) boundedLong(NodeConfigLoader.parseBytes(value), 1024 * 1024, Integer.MAX_VALUE - 8);
                case "snapshot-after-log-bytes" -> snapshotAfterLogBytes =
                        boundedLong(NodeConfigLoader.parseBytes(value), 0, Long.MAX_VALUE / 2);
                case "hz" -> hz = boundedInt(value, 1, 500);
                case "idle-spin-micros" -> idleSpinNanos = boundedInt(value, 0, IDLE_SPIN_MICROS_MAX) * 1000L;
                case "ack-policy" -> {
                    AckPolicy policy = AckPolicy.parse(value);
                    String refused = check ? policyRefusal.apply(policy) : null;
                    if (refused != null) {
                        return refused;
                    }
                    ackPolicy = policy;
                }
                case "ack-level" -> ackLevel = AckLevel.parse(value);
                case "ack-timeout-millis" -> ackTimeoutMillis = boundedInt(value, 1, ACK_TIMEOUT_MILLIS_MAX);
                case "on-ack-timeout" -> onAckTimeout = OnAckTimeout.parse(value);
                case "min-replicas-to-write" -> minReplicasToWrite = boundedInt(value, 0, MIN_REPLICAS_TO_WRITE_MAX);
                case "min-replicas-max-lag" -> minReplicasMaxLagSeconds = boundedInt(value, 0, MIN_REPLICAS_MAX_LAG_MAX);
                case "lag-alert-millis" -> lagAlertMillis = boundedInt(value, 0, LAG_ALERT_MILLIS_MAX);
                case "lag-alert-bytes" -> lagAlertBytes =
                        boundedLong(NodeConfigLoader.parseBytes(value), 0, Long.MAX_VALUE / 2);
                case "save" -> {
                    if (!value.isBlank()) {
                        return "Tandem takes snapshots by log size (snapshot-after-log-bytes), not save points";
                    }
                }
                default -> {
                    return null == ConfigKeys.byName(name) && !all(0).containsKey(name) ? "unknown" : "immutable";
                }
            }
            return null;
        } catch (NumberFormatException | ArithmeticException e) {
            return "not a number";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static int boundedInt(String value, int min, int max) {
        return (int) boundedLong(Long.parseLong(value.strip()), min, max);
    }

    private static long boundedLong(long n, long min, long max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return n;
    }
}
