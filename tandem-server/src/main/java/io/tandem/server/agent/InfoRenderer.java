package io.tandem.server.agent;

import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.session.SessionCommands;
import io.tandem.storage.wal.Wal;
import io.tandem.storage.wal.WalMetrics;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * INFO's text, with Redis's section names and field names where a field means the same thing (so tools
 * that parse INFO work), plus Tandem's own fields prefixed where Redis has no equivalent.
 */
final class InfoRenderer {
    private static final List<String> DEFAULT_SECTIONS =
            List.of("server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace");

    private final NodeAgent agent;
    private final NodeFacts fixed;

    InfoRenderer(NodeAgent agent, NodeFacts fixed) {
        this.agent = agent;
        this.fixed = fixed;
    }

    String render(List<String> requested) {
        List<String> sections = requested.isEmpty() || requested.contains("default") || requested.contains("all")
                || requested.contains("everything") ? DEFAULT_SECTIONS : requested;
        StringBuilder out = new StringBuilder();
        for (String section : DEFAULT_SECTIONS) {
            if (!sections.contains(section)) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append("\r\n");
            }
            switch (section) {
                case "server" -> server(out);
                case "clients" -> clients(out);
                case "memory" -> memory(out);
                case "persistence" -> persistence(out);
                case "stats" -> stats(out);
                case "replication" -> replication(out);
                case "cpu" -> cpu(out);
                case "keyspace" -> keyspace(out);
                default -> { }
            }
        }
        return out.toString();
    }

    private void server(StringBuilder out) {
        ServerStats stats = agent.stats();
        long uptimeSeconds = (NodeClock.millis() - stats.startedAtMillis) / 1000;
        RuntimeSettings settings = agent.settings();
        out.append("# Server\r\n");
        field(out, "redis_version", SessionCommands.REDIS_VERSION);
        field(out, "tandem_version", SessionCommands.TANDEM_VERSION);
        field(out, "redis_mode", "standalone");
        field(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        field(out, "arch_bits", "64");
        field(out, "multiplexing_api", fixed.transport());
        field(out, "java_version", System.getProperty("java.version"));
        field(out, "process_id", ProcessHandle.current().pid());
        field(out, "run_id", fixed.runId());
        field(out, "tcp_port", agent.boundPort());
        field(out, "uptime_in_seconds", uptimeSeconds);
        field(out, "uptime_in_days", uptimeSeconds / 86400);
        field(out, "hz", settings.hz());
        field(out, "config_file", fixed.configFile());
        field(out, "data_dir", fixed.dataDir());
    }

    private void clients(StringBuilder out) {
        out.append("# Clients\r\n");
        field(out, "connected_clients", agent.stats().connectedClients);
        field(out, "maxclients", agent.settings().maxClients());
        field(out, "blocked_clients", 0);
    }

    private void memory(StringBuilder out) {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long rss = ProcessMemory.residentBytes();
        out.append("# Memory\r\n");
        field(out, "used_memory", used);
        field(out, "used_memory_human", human(used));
        field(out, "used_memory_rss", rss);
        field(out, "used_memory_rss_human", human(rss));
        field(out, "jvm_heap_committed", rt.totalMemory());
        field(out, "jvm_heap_max", rt.maxMemory());
        field(out, "maxmemory", 0);
        field(out, "maxmemory_policy", "noeviction");
    }

    private void persistence(StringBuilder out) {
        ServerStats stats = agent.stats();
        Wal wal = agent.wal();
        WalMetrics metrics = wal.metrics();
        ReplicaSetNode leader = agent.node();
        out.append("# Persistence\r\n");
        field(out, "loading", 0);
        field(out, "aof_enabled", 1);
        field(out, "wal_fsync_policy", agent.settings().startup().fsync().configName());
        field(out, "wal_last_lsn", leader.lastLsn());
        field(out, "wal_durable_lsn", leader.durableLsn());
        field(out, "wal_first_lsn", wal.firstLsn());
        field(out, "wal_pending_bytes", wal.pendingBytes());
        field(out, "wal_bytes_written", metrics.bytesWritten());
        field(out, "wal_fsyncs", metrics.dataSyncs());
        field(out, "wal_writebacks", metrics.writebacks());
        field(out, "wal_segments", wal.segmentFiles().size());
        field(out, "rdb_bgsave_in_progress", stats.snapshotInProgress ? 1 : 0);
        field(out, "rdb_last_save_time", stats.lastSnapshotMillis / 1000);
        field(out, "snapshots_taken", stats.snapshotsTaken);
        field(out, "snapshot_failures", stats.snapshotFailures);
        field(out, "snapshot_last_lsn", stats.lastSnapshotLsn);
        field(out, "snapshot_last_duration_ms", stats.lastSnapshotDurationMillis);
        field(out, "snapshot_last_pause_us", stats.lastSnapshotPauseMicros);
        field(out, "snapshot_max_pause_us", stats.maxSnapshotPauseMicros);
        field(out, "snapshot_transfers_started", stats.snapshotTransfersStarted);
        field(out, "snapshot_transfers_completed", stats.snapshotTransfersCompleted);
        field(out, "snapshot_bytes_sent", stats.snapshotBytesSent);
        field(out, "snapshots_installed", stats.snapshotsInstalled);
        field(out, "snapshot_chunks_rejected", stats.snapshotChunksRejected);
        field(out, "retention_limit_hits", stats.retentionLimitHits);
    }

    private void stats(StringBuilder out) {
        ServerStats stats = agent.stats();
        out.append("# Stats\r\n");
        field(out, "total_connections_received", stats.connectionsReceived);
        field(out, "total_commands_processed", stats.commandsProcessed);
        field(out, "total_net_input_bytes", stats.netInputBytes);
        field(out, "total_net_output_bytes", stats.netOutputBytes);
        field(out, "rejected_connections", stats.connectionsRejected);
        field(out, "expired_keys", agent.node().expiredKeys());
        field(out, "total_error_replies", stats.errorReplies());
        field(out, "protocol_errors", stats.protocolErrors);
        field(out, "pending_replies", agent.node().pendingReplies());
        field(out, "ack_wait_count", stats.ackWait.count());
        field(out, "ack_wait_p50_us", stats.ackWait.quantileUpperBoundMicros(0.5));
        field(out, "ack_wait_p99_us", stats.ackWait.quantileUpperBoundMicros(0.99));
        field(out, "lag_alerts_raised", stats.lagAlertsRaised);
    }

    private void replication(StringBuilder out) {
        ReplicationInfo.render(out, agent.node(), fixed.runId(),
                agent.settings().startup().replication().heartbeatIntervalMillis(), NodeClock.millis());
        // Failover: whether it is automatic, and what this node did in elections and rewinds.
        var stats = agent.stats();
        field(out, "tandem_election_timeout_ms", agent.settings().startup().replication().electionTimeoutMillis());
        field(out, "tandem_elections_started", stats.electionsStarted);
        field(out, "tandem_elections_won", stats.electionsWon);
        field(out, "tandem_votes_granted", stats.votesGranted);
        field(out, "tandem_quorum_lost", stats.quorumsLost);
        field(out, "tandem_lease_lapses", stats.leaseLapses);
        field(out, "tandem_rewinds", stats.rewinds);
        field(out, "tandem_rollback_entries", stats.rollbackEntries);
    }

    private void cpu(StringBuilder out) {
        out.append("# CPU\r\n");
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            field(out, "used_cpu_process_seconds", String.format("%.6f", sun.getProcessCpuTime() / 1e9));
        }
        field(out, "available_processors", Runtime.getRuntime().availableProcessors());
    }

    private void keyspace(StringBuilder out) {
        var keyspace = agent.node().keyspace();
        out.append("# Keyspace\r\n");
        if (keyspace.size() > 0) {
            out.append("db0:keys=").append(keyspace.size()).append(",expires=").append(keyspace.keysWithExpiry())
                    .append(",avg_ttl=0\r\n");
        }
    }

    private static void field(StringBuilder out, String name, Object value) {
        out.append(name).append(':').append(value).append("\r\n");
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"K", "M", "G", "T"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.2f%s", v, units[u]);
    }
}
