package io.tandem.core.replicaset;

import io.tandem.core.keyspace.CommandSpec;
import io.tandem.core.keyspace.CommandTable;
import io.tandem.core.model.Effect;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Output;
import io.tandem.core.util.Invariants;
import java.util.ArrayList;
import java.util.List;

/**
 * A client's command (or MULTI ... EXEC) on a {@link ReplicaSetNode}. A follower serves reads and refuses
 * writes with Redis's replica error. A leader refuses writes while a switchover is under way or too few
 * replicas are good (min-replicas-to-write), else executes, logs what wrote something, and answers once the
 * acknowledgement policy committed what the reply shows ({@link ReplicaSetNode#answer}).
 */
final class ClientCommands {
    static final Reply READ_ONLY = Reply.error("READONLY You can't write against a read only replica.");
    static final Reply REWINDING = Reply.error("LOADING this replica is rebuilding its dataset after it diverged from"
            + " the leader (a failover); retry shortly");
    static final Reply NOT_ENOUGH_REPLICAS = Reply.error("NOREPLICAS Not enough good replicas to write.");

    private final ReplicaSetNode node;

    ClientCommands(ReplicaSetNode node) {
        this.node = node;
    }

    void onCommand(long nowMillis, ClientRef client, long requestId, List<byte[][]> commands, boolean transaction,
            Output out) {
        CommandRunner runner = node.runner;
        if (!node.isLeader()) {
            // Is this a write? A follower serves reads only, with Redis's replica error for writes.
            if (isWrite(commands)) {
                out.reply(client, requestId, READ_ONLY);
                return;
            }
            if (node.rewinding) {
                out.reply(client, requestId, REWINDING);
                return;
            }
            runner.begin(nowMillis);
            Reply reply = transaction ? runner.executeAll(commands) : runner.execute(commands.get(0));
            List<Effect> effects = runner.takeEffects();
            Invariants.check(effects.isEmpty(), "a read on a follower produced effects %s", effects);
            out.reply(client, requestId, reply);
            return;
        }
        NodeId handingTo = node.switchoverTarget();
        if (handingTo != null && isWrite(commands)) {
            // FAILOVER: no new writes while the target catches up, so that it holds everything acknowledged.
            out.reply(client, requestId, Reply.error("TRYAGAIN FAILOVER in progress: leadership is moving to "
                    + handingTo + "; retry the write on the new leader"));
            return;
        }
        int minReplicas = node.config().minReplicasToWrite();
        if (minReplicas > 0 && isWrite(commands) && goodReplicas(nowMillis) < minReplicas) {
            // Redis's min-replicas-to-write: refuse before executing, so nothing is written.
            out.reply(client, requestId, NOT_ENOUGH_REPLICAS);
            return;
        }
        runner.begin(nowMillis);
        Reply reply = transaction ? runner.executeAll(commands) : runner.execute(commands.get(0));
        List<Effect> effects = runner.takeEffects();
        boolean write = !effects.isEmpty();
        if (write && node.logsStatements()) {
            effects = statements(commands);
        }
        if (write) {
            node.append(nowMillis, effects, out);
            node.awaitAcknowledgement(node.lastLsn, nowMillis);
        }
        // A read (anything that wrote nothing) must also know this node still led when it arrived: with
        // elections another may have been elected meanwhile and acknowledged writes this one never saw.
        long round = write ? 0 : node.readRound(nowMillis, out);
        node.answer(client, requestId, reply, write, round, out);
        // Nothing is shipped here: entries go to followers once durable on this node (onPersisted), in one
        // batch per follower for everything a flush made durable, not one request per command.
    }

    /**
     * Statement format: the write commands themselves (a lazy expiry a read caused is not logged: each node
     * derives it again, one of the ways statement replication is looser than rows).
     */
    private static List<Effect> statements(List<byte[][]> commands) {
        List<Effect> statements = new ArrayList<>();
        for (byte[][] args : commands) {
            CommandSpec spec = CommandTable.lookup(args[0]);
            if (spec != null && spec.has(CommandSpec.WRITE)) {
                statements.add(new Effect.Statement(args));
            }
        }
        return statements;
    }

    private static boolean isWrite(List<byte[][]> commands) {
        for (byte[][] args : commands) {
            CommandSpec spec = CommandTable.lookup(args[0]);
            if (spec != null && spec.has(CommandSpec.WRITE)) {
                return true;
            }
        }
        return false;
    }

    /** Replicas heard from within min-replicas-max-lag: Redis's "good" replicas. */
    private int goodReplicas(long nowMillis) {
        long maxLagMillis = node.config().minReplicasMaxLagMillis();
        int good = 0;
        for (Progress p : node.progress.values()) {
            if (p.connected && nowMillis - p.lastHeardMillis <= maxLagMillis) {
                good++;
            }
        }
        return good;
    }
}
