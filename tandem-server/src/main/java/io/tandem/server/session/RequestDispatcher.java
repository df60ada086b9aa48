package io.tandem.server.session;

import io.tandem.core.keyspace.CommandExecutor;
import io.tandem.core.keyspace.CommandSpec;
import io.tandem.core.keyspace.CommandTable;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.server.metrics.ServerStats;
import io.tandem.server.net.ClientConnection;
import io.tandem.server.pubsub.PubSub;
import io.tandem.server.pubsub.PubSubCommands;
import io.tandem.server.sentinel.Sentinel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each request goes, asked in Redis's order (processCommand): Is the command known? Is its
 * argument count right? Is the client authenticated, or is this one of the few commands allowed
 * before? Inside MULTI, is it queued or does it end the transaction? Otherwise a session command runs
 * here and a keyspace command goes to the core.
 */
public final class RequestDispatcher {
    private final SessionCommands sessionCommands;
    private final CoreSubmitter core;
    private final ServerStats stats;
    private final SessionHost host;
    private final PubSub pubSub;
    private final PubSubCommands pubSubCommands;
    private final Sentinel sentinel;

    public RequestDispatcher(SessionHost host, CoreSubmitter core, ServerStats stats) {
        this.host = host;
        this.sessionCommands = new SessionCommands(host);
        this.core = core;
        this.stats = stats;
        this.pubSub = new PubSub(host.settings().startup().pubSub(), System::currentTimeMillis);
        this.pubSubCommands = new PubSubCommands(pubSub);
        this.sentinel = new Sentinel(host::node, host.settings().startup(), pubSub, host.loop(), host::scheduleCycleEnd);
    }

    /** The node's pub/sub (its Sentinel events are published there). */
    public PubSub pubSub() {
        return pubSub;
    }

    /** Follows the node's events to publish Sentinel's; the agent must be told (NodeAgent.observe). */
    public Sentinel sentinel() {
        return sentinel;
    }

    public void dispatch(ClientConnection conn, byte[][] args) {
        stats.commandsProcessed++;
        CommandSpec spec = CommandTable.lookup(args[0]);
        if (spec == null) {
            reject(conn, null, CommandExecutor.unknownCommand(args));
            return;
        }
        ServerStats.CommandCounter counter = stats.command(spec.name());
        counter.calls++;
        conn.lastCommand = spec.name();
        if (!spec.arityAccepts(args.length)) {
            counter.errors++;
            reject(conn, spec, CommandExecutor.wrongArity(spec.name()));
            return;
        }
        if (!conn.authenticated && host.settings().passwordRequired() && !spec.has(CommandSpec.NO_AUTH)) {
            counter.errors++;
            reject(conn, spec, Reply.error("NOAUTH Authentication required."));
            return;
        }
        if (conn.subscribed() && conn.protocolVersion == 2 && !PubSubCommands.allowedWhileSubscribed(spec.name())) {
            // RESP2 has no push type: in subscribed mode, every reply could be mistaken for a message.
            counter.errors++;
            reject(conn, spec, Reply.error("ERR Can't execute '" + spec.name() + "': only (P|S)SUBSCRIBE /"
                    + " (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
            return;
        }
        if (spec.name().equals("ping") && conn.subscribed() && conn.protocolVersion == 2) {
            conn.reply(PubSubCommands.subscribedPing(args));
            return;
        }
        if (conn.inMulti()) {
            inMulti(conn, spec, args, counter);
            return;
        }
        switch (spec.name()) {
            case "multi" -> {
                conn.multiQueue = new ArrayList<>();
                conn.multiDirty = false;
                conn.reply(Reply.OK);
            }
            case "exec" -> conn.reply(Reply.error("ERR EXEC without MULTI"));
            case "discard" -> conn.reply(Reply.error("ERR DISCARD without MULTI"));
            default -> execute(conn, spec, args, counter);
        }
    }

    private void execute(ClientConnection conn, CommandSpec spec, byte[][] args, ServerStats.CommandCounter counter) {
        if (!spec.has(CommandSpec.SESSION)) {
            // Is this a read on a follower bounded by TANDEM.MAXSTALENESS? Then it must be current enough.
            if (conn.maxStalenessMillis > 0 && spec.has(CommandSpec.READONLY) && !core.leads()) {
                long staleness = core.stalenessMillis();
                if (staleness > conn.maxStalenessMillis) {
                    counter.errors++;
                    conn.reply(Reply.error("STALE this replica may be " + staleness + " ms behind its leader, over"
                            + " this connection's bound of " + conn.maxStalenessMillis + " ms"));
                    return;
                }
            }
            core.submitCommand(conn, args, counter);
            return;
        }
        if (spec.group().equals("pubsub")) {
            Reply reply = pubSubCommands.execute(conn, spec.name(), args);
            if (reply != null) {
                if (reply instanceof Reply.Error) {
                    counter.errors++;
                }
                conn.reply(reply);
            }
            if (spec.name().equals("publish")) {
                host.scheduleCycleEnd(); // the subscribers' messages go out with this cycle's replies
            }
            return;
        }
        if (spec.name().equals("sentinel")) {
            Reply reply = sentinel.execute(args);
            if (reply instanceof Reply.Error) {
                counter.errors++;
            }
            conn.reply(reply);
            return;
        }
        if (spec.name().equals("reset")) {
            pubSub.dropAll(conn); // RESET leaves every channel and pattern, without confirmations (as Redis)
        }
        if (spec.name().equals("tandem.members")) {
            Input change = MembersCommand.parse(conn, args, host.node());
            if (change != null) {
                core.submitWait(conn, change, counter);
            }
            return;
        }
        if (spec.name().equals("wait") || spec.name().equals("tandem.waitlsn")) {
            Input blocking = WaitCommands.parse(conn, spec.name(), args);
            if (blocking != null) {
                core.submitWait(conn, blocking, counter);
            }
            return;
        }
        Reply own = WaitCommands.immediate(conn, spec.name(), args);
        if (own != null) {
            conn.reply(own);
            return;
        }
        Reply reply = sessionCommands.execute(conn, spec.name(), args);
        if (reply == null) {
            return; // SHUTDOWN: no reply, the node is closing
        }
        if (reply instanceof Reply.Error) {
            counter.errors++;
        }
        conn.reply(reply);
        if (spec.name().equals("quit")) {
            conn.closeAfterReplies();
        }
    }

    private void inMulti(ClientConnection conn, CommandSpec spec, byte[][] args, ServerStats.CommandCounter counter) {
        switch (spec.name()) {
            case "exec" -> exec(conn, counter);
            case "discard" -> {
                conn.multiQueue = null;
                conn.multiDirty = false;
                conn.reply(Reply.OK);
            }
            case "multi" -> conn.reply(Reply.error("ERR MULTI calls can not be nested"));
            case "quit", "reset" -> execute(conn, spec, args, counter);
            default -> {
                if (spec.has(CommandSpec.NO_MULTI)) {
                    reject(conn, spec, Reply.error("ERR Command not allowed inside a transaction"));
                    return;
                }
                conn.multiQueue.add(args);
                conn.reply(Reply.QUEUED);
            }
        }
    }

    /** EXEC: abort if a queued command was rejected; else run the queue as one atomic core step. */
    private void exec(ClientConnection conn, ServerStats.CommandCounter counter) {
        List<byte[][]> queued = conn.multiQueue;
        boolean aborted = conn.multiDirty;
        conn.multiQueue = null;
        conn.multiDirty = false;
        if (aborted) {
            conn.reply(Reply.error("EXECABORT Transaction discarded because of previous errors."));
            return;
        }
        List<byte[][]> coreCommands = new ArrayList<>(queued.size());
        List<Integer> positions = new ArrayList<>();
        List<Reply> sessionReplies = new ArrayList<>();
        for (int i = 0; i < queued.size(); i++) {
            byte[][] args = queued.get(i);
            CommandSpec spec = CommandTable.lookup(args[0]);
            if (spec.has(CommandSpec.SESSION)) {
                // Session commands touch no key, so answering them now instead of between the keyspace
                // commands cannot change any reply.
                positions.add(i);
                sessionReplies.add(immediate(conn, spec, args));
            } else {
                coreCommands.add(args);
            }
        }
        if (coreCommands.isEmpty()) {
            conn.reply(new Reply.Array(sessionReplies));
            return;
        }
        core.submitTransaction(conn, coreCommands, queued.size(),
                positions.stream().mapToInt(Integer::intValue).toArray(), sessionReplies.toArray(new Reply[0]),
                counter);
    }

    /** A session command inside EXEC: one reply, answered now (SUBSCRIBE and the like cannot be queued). */
    private Reply immediate(ClientConnection conn, CommandSpec spec, byte[][] args) {
        if (spec.name().equals("sentinel")) {
            return sentinel.execute(args);
        }
        if (spec.group().equals("pubsub")) {
            Reply reply = pubSubCommands.execute(conn, spec.name(), args);
            host.scheduleCycleEnd();
            return reply;
        }
        return sessionCommands.execute(conn, spec.name(), args);
    }

    /**
     * A command refused before it ran. Inside MULTI it dooms the transaction (EXEC will answer EXECABORT).
     * A refused EXEC itself (wrong arity, NOAUTH) discards the transaction at once, as Redis's
     * execCommandAbort does, with the reason in the text: "EXECABORT Transaction discarded because of:
     * wrong number of arguments for 'exec' command" (Redis drops the "ERR " of the reason).
     */
    private static void reject(ClientConnection conn, CommandSpec spec, Reply error) {
        if (spec != null && spec.name().equals("exec")) {
            conn.multiQueue = null;
            conn.multiDirty = false;
            String reason = ((Reply.Error) error).text();
            if (reason.startsWith("ERR ")) {
                reason = reason.substring(4);
            }
            conn.reply(Reply.error("EXECABORT Transaction discarded because of: " + reason));
            return;
        }
        if (conn.inMulti()) {
            conn.multiDirty = true;
        }
        conn.reply(error);
    }
}
