package io.tandem.server.metrics;

import java.util.Map;
import java.util.HashMap;

/**
 * Counters of one node, updated on the agent thread only. The admin server and INFO read them on that
 * thread too, so no field needs to be volatile or atomic.
 */
public final class ServerStats {
    public final long startedAtMillis;
    public long resetAtMillis;
    public long connectionsReceived;
    public long connectionsRejected;
    public long protocolErrors;
    public long commandsProcessed;
    public long netInputBytes;
    public long netOutputBytes;
    public int connectedClients;
    public long snapshotsTaken;
    public long lastSnapshotLsn;
    public long lastSnapshotMillis;
    public long lastSnapshotDurationMillis;
    public long lastSnapshotPauseMicros;
    public long maxSnapshotPauseMicros;
    public boolean snapshotInProgress;
    public long snapshotFailures;
    // Snapshot transfers: a leader bootstrapping followers, a follower bootstrapped.
    public long snapshotTransfersStarted;
    public long snapshotTransfersCompleted;
    public long snapshotBytesSent;
    public long snapshotChunksRejected;
    public long snapshotsInstalled;
    /** Times retention-bytes-max made the leader delete log a replica still needed. */
    public long retentionLimitHits;
    /** Lag alerts raised (lag-alert-millis, lag-alert-bytes). */
    public long lagAlertsRaised;
    // Elections (automatic failover) and what a deposed leader or its followers drop.
    /** Elections this node stood in (real votes, not pre-votes). */
    public long electionsStarted;
    /** Elections this node won. */
    public long electionsWon;
    public long votesGranted;
    /** Times this leader stepped down for not hearing from a majority (check-quorum). */
    public long quorumsLost;
    /** Times this leader's lease lapsed (it held acknowledgements until a majority renewed it, or stepped down). */
    public long leaseLapses;
    /** Rewinds: the keyspace rebuilt without divergent entries it had applied. */
    public long rewinds;
    /** Log entries dropped because they diverged from the leader's log (recorded in rollback/). */
    public long rollbackEntries;
    /** On a leader: how long acknowledged writes waited from their append to their acknowledgement. */
    public LatencyHistogram ackWait = new LatencyHistogram();
    public LatencyHistogram commandLatency = new LatencyHistogram();
    private final Map<String, CommandCounter> commands = new HashMap<>();

    /** Calls and errors of one command. */
    public static final class CommandCounter {
        public long calls;
        public long errors;
        public long microsTotal;
    }

    public ServerStats(long startedAtMillis) {
        this.startedAtMillis = startedAtMillis;
    }

    public CommandCounter command(String name) {
        return commands.computeIfAbsent(name, n -> new CommandCounter());
    }

    /** Counters by command name, in no particular order. */
    public Map<String, CommandCounter> commands() {
        return commands;
    }

    public long errorReplies() {
        long errors = 0;
        for (CommandCounter c : commands.values()) {
            errors += c.errors;
        }
        return errors;
    }

    /** CONFIG RESETSTAT: counters start again from zero (gauges such as connected clients stay). */
    public void reset() {
        connectionsReceived = 0;
        connectionsRejected = 0;
        protocolErrors = 0;
        commandsProcessed = 0;
        netInputBytes = 0;
        netOutputBytes = 0;
        maxSnapshotPauseMicros = 0;
        commandLatency = new LatencyHistogram();
        ackWait = new LatencyHistogram();
        commands.clear();
    }
}
