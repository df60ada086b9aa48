package io.tandem.server.admin;

import io.tandem.server.agent.NodeAgent;
import io.tandem.server.agent.NodeClock;
import io.tandem.server.agent.ProcessMemory;
import io.tandem.server.metrics.LatencyHistogram;
import io.tandem.server.metrics.ServerStats;
import io.tandem.storage.wal.Histogram;
import io.tandem.storage.wal.WalMetrics;
import java.util.Map;
import java.util.TreeMap;

/** The node's metrics in Prometheus's text exposition format. Runs on the agent thread. */
final class MetricsRenderer {
    private MetricsRenderer() {}

    static String render(NodeAgent agent) {
        ServerStats stats = agent.stats();
        WalMetrics wal = agent.wal().metrics();
        var leader = agent.node();
        StringBuilder out = new StringBuilder(8192);

        Map<String, ServerStats.CommandCounter> commands = new TreeMap<>(stats.commands());
        header(out, "tandem_commands_total", "counter", "Commands received, by command.");
        for (Map.Entry<String, ServerStats.CommandCounter> e : commands.entrySet()) {
            out.append("tandem_commands_total{command=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().calls).append('\n');
        }
        header(out, "tandem_command_errors_total", "counter", "Commands answered with an error, by command.");
        for (Map.Entry<String, ServerStats.CommandCounter> e : commands.entrySet()) {
            out.append("tandem_command_errors_total{command=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().errors).append('\n');
        }
        latency(out, "tandem_command_latency_seconds",
                "Keyspace command latency, from decoding the request to encoding its reply (includes the wait for"
                        + " the log to be durable).", stats.commandLatency);
        latency(out, "tandem_ack_wait_seconds", "On a leader: how long each acknowledged write waited from its"
                + " append to its acknowledgement (local fsync, and the replicas the ack-policy asks for).", stats.ackWait);
        walHistogram(out, "tandem_wal_fsync_seconds", "Duration of one WAL fdatasync.", wal.syncMicros(), 1e-6);
        walHistogram(out, "tandem_wal_fsync_batch_records", "Log records made durable by one fdatasync.",
                wal.recordsPerSync(), 1);
        walHistogram(out, "tandem_wal_fsync_batch_bytes", "Log bytes made durable by one fdatasync.",
                wal.bytesPerSync(), 1);
        counter(out, "tandem_wal_bytes_written_total", "Bytes written to the write-ahead log.", wal.bytesWritten());
        counter(out, "tandem_wal_fsyncs_total", "fdatasync calls on the write-ahead log.", wal.dataSyncs());
        counter(out, "tandem_wal_writebacks_total",
                "Background fdatasyncs under fsync never that keep the kernel's dirty pages few.", wal.writebacks());
        gauge(out, "tandem_wal_pending_bytes", "Log bytes appended but not yet written.", agent.wal().pendingBytes());
        gauge(out, "tandem_lsn_last", "LSN of the last log entry.", leader.lastLsn());
        gauge(out, "tandem_lsn_durable", "Highest LSN durable under the fsync policy.", leader.durableLsn());
        gauge(out, "tandem_term", "Current term.", leader.term());
        gauge(out, "tandem_commit_lsn", "Highest LSN the acknowledgement policy has committed (leader).",
                leader.commitLsn());
        gauge(out, "tandem_is_leader", "1 on the leader.", leader.isLeader() ? 1 : 0);
        gauge(out, "tandem_replication_degraded", "1 while on-ack-timeout degrade has the leader acknowledging"
                + " on its own durability.", leader.degraded() ? 1 : 0);
        // Prometheus's "info" pattern: the settings as labels, so that a dashboard sees CONFIG SET change them.
        var acks = leader.config();
        header(out, "tandem_ack_settings_info", "gauge", "The acknowledgement settings in force on this node (what"
                + " writes wait for while it leads): always 1, the settings are the labels.");
        out.append("tandem_ack_settings_info{policy=\"").append(acks.ackPolicy()).append("\",level=\"")
                .append(acks.ackLevel()).append("\",on_ack_timeout=\"").append(acks.onAckTimeout().configName())
                .append("\"} 1\n");
        gauge(out, "tandem_staleness_seconds", "How far this node's reads may lag its leader (0 on the leader).",
                leader.stalenessMillis(NodeClock.millis()) / 1e3);
        replicaLag(out, agent);
        counter(out, "tandem_net_input_bytes_total", "Bytes read from clients.", stats.netInputBytes);
        counter(out, "tandem_net_output_bytes_total", "Bytes written to clients.", stats.netOutputBytes);
        counter(out, "tandem_connections_total", "Client connections accepted.", stats.connectionsReceived);
        counter(out, "tandem_connections_rejected_total", "Client connections refused (maxclients, protected mode).",
                stats.connectionsRejected);
        counter(out, "tandem_protocol_errors_total", "Connections closed for a protocol error.", stats.protocolErrors);
        gauge(out, "tandem_connected_clients", "Open client connections.", stats.connectedClients);
        gauge(out, "tandem_keys", "Keys in the keyspace.", leader.keyspace().size());
        gauge(out, "tandem_keys_with_expiry", "Keys with a time to live.", leader.keyspace().keysWithExpiry());
        counter(out, "tandem_expired_keys_total", "Keys deleted by expiry.", leader.expiredKeys());
        Runtime rt = Runtime.getRuntime();
        gauge(out, "tandem_memory_heap_used_bytes", "JVM heap in use.", rt.totalMemory() - rt.freeMemory());
        gauge(out, "tandem_memory_heap_committed_bytes", "JVM heap committed.", rt.totalMemory());
        gauge(out, "tandem_memory_rss_bytes", "Resident set size of the process.", ProcessMemory.residentBytes());
        counter(out, "tandem_snapshots_total", "Snapshots written.", stats.snapshotsTaken);
        counter(out, "tandem_snapshot_failures_total", "Snapshots that failed.", stats.snapshotFailures);
        counter(out, "tandem_snapshot_transfers_total", "Snapshot transfers this leader started to bootstrap followers.",
                stats.snapshotTransfersStarted);
        counter(out, "tandem_snapshot_sent_bytes_total", "Snapshot bytes this leader sent in completed transfers.",
                stats.snapshotBytesSent);
        counter(out, "tandem_snapshots_installed_total", "Snapshots this follower installed from its leader.",
                stats.snapshotsInstalled);
        counter(out, "tandem_lag_alerts_total", "Lag alerts raised (lag-alert-millis, lag-alert-bytes).",
                stats.lagAlertsRaised);
        counter(out, "tandem_retention_limit_hits_total", "Times retention-bytes-max made the leader drop log a"
                + " replica still needed.", stats.retentionLimitHits);
        counter(out, "tandem_elections_started_total", "Elections this node stood in (after a won pre-vote).",
                stats.electionsStarted);
        counter(out, "tandem_elections_total", "Elections this node won (it became leader of a new term).",
                stats.electionsWon);
        counter(out, "tandem_votes_granted_total", "Votes this node gave to candidates.", stats.votesGranted);
        counter(out, "tandem_quorum_lost_total", "Times this leader stepped down for not hearing from a majority"
                + " within election-timeout-millis (check-quorum).", stats.quorumsLost);
        counter(out, "tandem_lease_lapses_total", "Times this leader's lease lapsed: it held acknowledgements until a"
                + " majority renewed it (or stepped down).", stats.leaseLapses);
        counter(out, "tandem_rewinds_total", "Times this node rebuilt its keyspace without divergent entries it had"
                + " applied.", stats.rewinds);
        counter(out, "tandem_rollback_entries_total", "Log entries dropped because the leader's log does not hold"
                + " them, recorded in <data-dir>/rollback/.", stats.rollbackEntries);
        gauge(out, "tandem_rewinding", "1 while this node rebuilds its keyspace after a rewind.",
                leader.rewinding() ? 1 : 0);
        gauge(out, "tandem_snapshot_in_progress", "1 while a snapshot is being written.",
                stats.snapshotInProgress ? 1 : 0);
        gauge(out, "tandem_snapshot_pause_seconds_max", "Longest pause of the agent to start a snapshot.",
                stats.maxSnapshotPauseMicros / 1e6);
        return out.toString();
    }

    /** Per replica, on the leader: lag in entries and seconds, and the three positions. */
    private static void replicaLag(StringBuilder out, NodeAgent agent) {
        var node = agent.node();
        long now = NodeClock.millis();
        header(out, "tandem_replication_lag_entries", "gauge", "Entries the replica has not applied yet.");
        node.progress().forEach((id, p) -> out.append("tandem_replication_lag_entries{replica=\"").append(id)
                .append("\"} ").append(node.lastLsn() - p.appliedLsn()).append('\n'));
        header(out, "tandem_replication_lag_seconds", "gauge",
                "How long the replica has been behind: time since its applied position last moved (0 when caught up).");
        node.progress().forEach((id, p) -> out.append("tandem_replication_lag_seconds{replica=\"").append(id)
                .append("\"} ").append(number(p.lagMillis(node.lastLsn(), now) / 1e3)).append('\n'));
        header(out, "tandem_replication_lag_bytes", "gauge",
                "Bytes of log the replica has not applied (exact for the last 64 MB of log, estimated beyond).");
        node.progress().forEach((id, p) -> out.append("tandem_replication_lag_bytes{replica=\"").append(id)
                .append("\"} ").append(node.lagBytes(id)).append('\n'));
        header(out, "tandem_replication_position_lsn", "gauge", "The replica's acknowledged LSN at each level.");
        node.progress().forEach((id, p) -> {
            for (String[] level : new String[][] {{"sent", Long.toString(p.sentLsn())},
                    {"received", Long.toString(p.receivedLsn())}, {"durable", Long.toString(p.durableLsn())},
                    {"applied", Long.toString(p.appliedLsn())}}) {
                out.append("tandem_replication_position_lsn{replica=\"").append(id).append("\",level=\"")
                        .append(level[0]).append("\"} ").append(level[1]).append('\n');
            }
        });
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, double value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    private static void latency(StringBuilder out, String name, String help, LatencyHistogram h) {
        header(out, name, "histogram", help);
        long cumulative = 0;
        for (int i = 0; i < LatencyHistogram.BOUNDS_MICROS.length; i++) {
            cumulative += h.bucket(i);
            out.append(name).append("_bucket{le=\"").append(number(LatencyHistogram.BOUNDS_MICROS[i] / 1e6))
                    .append("\"} ").append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append(name).append("_sum ").append(number(h.sumMicros() / 1e6)).append('\n');
        out.append(name).append("_count ").append(h.count()).append('\n');
    }

    private static void walHistogram(StringBuilder out, String name, String help, Histogram h, double scale) {
        header(out, name, "histogram", help);
        long cumulative = 0;
        for (int i = 0; i < h.buckets() - 1; i++) {
            cumulative += h.bucketCount(i);
            out.append(name).append("_bucket{le=\"").append(number(Histogram.upperBound(i) * scale)).append("\"} ")
                    .append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append(name).append("_sum ").append(number(h.sum() * scale)).append('\n');
        out.append(name).append("_count ").append(h.count()).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
