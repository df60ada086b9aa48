package io.tandem.server.admin;

import io.tandem.server.agent.NodeAgent;
import io.tandem.server.agent.NodeClock;
import io.tandem.server.agent.ProcessMemory;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.session.SessionCommands;

/** The node's status as a JSON object, for tools (`tandem status`) and the dashboard. Runs on the agent. */
final class StatusJson {
    private StatusJson() {}

    static String render(NodeAgent agent) {
        ServerStats stats = agent.stats();
        var leader = agent.node();
        var wal = agent.wal();
        return "{"
                + "\"version\":\"" + SessionCommands.TANDEM_VERSION + "\","
                + "\"nodeId\":\"" + leader.self() + "\","
                + "\"role\":\"" + (leader.isLeader() ? "leader" : "follower") + "\","
                + "\"leader\":\"" + (leader.leader() == null ? "" : leader.leader()) + "\","
                + "\"commitLsn\":" + leader.commitLsn() + ","
                + "\"appliedLsn\":" + leader.appliedLsn() + ","
                + "\"stalenessMillis\":" + leader.stalenessMillis(NodeClock.millis()) + ","
                + "\"port\":" + agent.boundPort() + ","
                + "\"term\":" + leader.term() + ","
                + "\"lastLsn\":" + leader.lastLsn() + ","
                + "\"durableLsn\":" + leader.durableLsn() + ","
                + "\"firstLogLsn\":" + wal.firstLsn() + ","
                + "\"fsync\":\"" + agent.settings().startup().fsync().configName() + "\","
                + "\"keys\":" + leader.keyspace().size() + ","
                + "\"keysWithExpiry\":" + leader.keyspace().keysWithExpiry() + ","
                + "\"connectedClients\":" + stats.connectedClients + ","
                + "\"commandsProcessed\":" + stats.commandsProcessed + ","
                + "\"uptimeSeconds\":" + (NodeClock.millis() - stats.startedAtMillis) / 1000 + ","
                + "\"rssBytes\":" + ProcessMemory.residentBytes() + ","
                + "\"snapshot\":{\"inProgress\":" + stats.snapshotInProgress + ",\"lastLsn\":" + stats.lastSnapshotLsn
                + ",\"taken\":" + stats.snapshotsTaken + ",\"lastDurationMillis\":" + stats.lastSnapshotDurationMillis
                + ",\"maxPauseMicros\":" + stats.maxSnapshotPauseMicros + "}"
                + "}";
    }
}
