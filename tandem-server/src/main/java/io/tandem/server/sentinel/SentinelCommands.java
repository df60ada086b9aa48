package io.tandem.server.sentinel;

import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.agent.NodeClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SENTINEL on every member's client port, with Redis Sentinel 7's reply shapes (maps: flat arrays in RESP2) and
 * error texts, so that Sentinel-aware clients (Jedis's JedisSentinelPool, Lettuce's redis-sentinel:// URIs and
 * MasterReplica) find the leader and the replicas with no code change. Each node answers from its own view.
 */
public final class SentinelCommands {
    static final String NO_SUCH_MASTER = "ERR No such master with that name";

    private final SentinelView view;

    SentinelCommands(SentinelView view) {
        this.view = view;
    }

    public Reply execute(byte[][] args) {
        String sub = new String(args[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        Integer arity = switch (sub) {
            case "get-master-addr-by-name", "master", "replicas", "slaves", "sentinels" -> 3;
            case "masters", "myid" -> 2;
            case "help" -> 2;
            default -> null;
        };
        if (arity == null) {
            return Reply.error("ERR unknown subcommand '" + new String(args[1], StandardCharsets.UTF_8)
                    + "'. Try SENTINEL HELP.");
        }
        if (args.length != arity) {
            return Reply.error("ERR wrong number of arguments for 'sentinel|" + sub + "' command");
        }
        long now = NodeClock.millis();
        return switch (sub) {
            case "get-master-addr-by-name" -> masterAddress(args[2]);
            case "master" -> known(args[2]) ? master(now) : Reply.error(NO_SUCH_MASTER);
            case "masters" -> view.leaderAddress().isEmpty() ? Reply.EMPTY_ARRAY
                    : new Reply.Array(List.of(master(now)));
            case "replicas", "slaves" -> known(args[2]) ? replicas(now) : Reply.error(NO_SUCH_MASTER);
            case "sentinels" -> known(args[2]) ? sentinels(now) : Reply.error(NO_SUCH_MASTER);
            case "myid" -> Reply.bulk(SentinelView.runId(view.node().self()));
            default -> help();
        };
    }

    /** Is this the configured master name, and does this node know (or did it know) a leader? */
    private boolean known(byte[] name) {
        return text(name).equals(view.masterName) && !view.leaderAddress().isEmpty();
    }

    /**
     * [ip, port] of the leader this node knows now; a nil array for another name, or while it knows none (during
     * an election): a client then asks another sentinel or again later, as with Sentinel before a first master.
     */
    private Reply masterAddress(byte[] name) {
        if (!text(name).equals(view.masterName)) {
            return Reply.NULL_ARRAY;
        }
        String leader = view.currentLeaderAddress();
        if (leader.isEmpty()) {
            return Reply.NULL_ARRAY;
        }
        view.rememberLeader(leader);
        String[] hostPort = SentinelView.hostPort(leader);
        return new Reply.Array(List.of(Reply.bulk(hostPort[0]), Reply.bulk(hostPort[1])));
    }

    private Reply master(long now) {
        ReplicaSetNode n = view.node();
        String address = view.leaderAddress();
        String[] hostPort = SentinelView.hostPort(address);
        boolean down = view.leaderDown(now);
        long silent = n.isLeader() ? 0 : n.heardFromLeaderMillis() == 0 ? 0 : now - n.heardFromLeaderMillis();
        NodeId leader = n.isLeader() ? n.self() : n.leader();
        List<Reply> m = new ArrayList<>();
        field(m, "name", view.masterName);
        field(m, "ip", hostPort[0]);
        field(m, "port", hostPort[1]);
        field(m, "runid", leader == null ? "" : SentinelView.runId(leader));
        field(m, "flags", down ? "master,s_down" : "master");
        field(m, "link-pending-commands", "0");
        field(m, "link-refcount", "1");
        field(m, "last-ping-sent", "0");
        field(m, "last-ok-ping-reply", Long.toString(silent));
        field(m, "last-ping-reply", Long.toString(silent));
        if (down) {
            field(m, "s-down-time", Long.toString(Math.max(0, silent - view.downAfterMillis)));
        }
        field(m, "down-after-milliseconds", Long.toString(view.downAfterMillis));
        field(m, "info-refresh", Long.toString(silent));
        field(m, "role-reported", "master");
        field(m, "role-reported-time", Long.toString(silent));
        field(m, "config-epoch", Long.toString(n.term()));
        field(m, "num-slaves", Integer.toString(view.replicas(now).size()));
        field(m, "num-other-sentinels", Integer.toString(view.otherMembers().size()));
        field(m, "quorum", Integer.toString(view.quorum()));
        field(m, "failover-timeout", Long.toString(2 * view.electionTimeoutMillis()));
        field(m, "parallel-syncs", "1");
        return new Reply.MapReply(m);
    }

    private Reply replicas(long now) {
        String[] leader = SentinelView.hostPort(view.leaderAddress());
        List<Reply> replicas = new ArrayList<>();
        for (SentinelView.Replica r : view.replicas(now)) {
            String[] hostPort = SentinelView.hostPort(r.address());
            String flags = "slave" + (r.down() ? ",s_down" : "") + (r.disconnected() ? ",disconnected" : "");
            List<Reply> m = new ArrayList<>();
            field(m, "name", r.address());
            field(m, "ip", hostPort[0]);
            field(m, "port", hostPort[1]);
            field(m, "runid", SentinelView.runId(r.id()));
            field(m, "flags", flags);
            field(m, "link-pending-commands", "0");
            field(m, "link-refcount", "1");
            field(m, "last-ping-sent", "0");
            field(m, "last-ok-ping-reply", Long.toString(r.silentMillis()));
            field(m, "last-ping-reply", Long.toString(r.silentMillis()));
            field(m, "down-after-milliseconds", Long.toString(view.downAfterMillis));
            field(m, "info-refresh", Long.toString(r.silentMillis()));
            field(m, "role-reported", "slave");
            field(m, "role-reported-time", Long.toString(r.silentMillis()));
            field(m, "master-link-down-time", r.linkUp() ? "0" : Long.toString(r.silentMillis()));
            field(m, "master-link-status", r.linkUp() ? "ok" : "err");
            field(m, "master-host", leader[0]);
            field(m, "master-port", leader[1]);
            field(m, "slave-priority", "100");
            field(m, "slave-repl-offset", Long.toString(r.offset()));
            field(m, "replica-announced", "1");
            replicas.add(new Reply.MapReply(m));
        }
        return new Reply.Array(replicas);
    }

    private Reply sentinels(long now) {
        List<Reply> sentinels = new ArrayList<>();
        view.otherMembers().forEach((id, address) -> {
            if (address.isEmpty()) {
                return; // never announced: a client could not reach it
            }
            String[] hostPort = SentinelView.hostPort(address);
            List<Reply> m = new ArrayList<>();
            field(m, "name", SentinelView.runId(id));
            field(m, "ip", hostPort[0]);
            field(m, "port", hostPort[1]);
            field(m, "runid", SentinelView.runId(id));
            field(m, "flags", "sentinel");
            field(m, "link-pending-commands", "0");
            field(m, "link-refcount", "1");
            field(m, "last-ping-sent", "0");
            field(m, "last-ok-ping-reply", "0");
            field(m, "last-ping-reply", "0");
            field(m, "down-after-milliseconds", Long.toString(view.downAfterMillis));
            field(m, "last-hello-message", "0");
            field(m, "voted-leader", "?");
            field(m, "voted-leader-epoch", "0");
            sentinels.add(new Reply.MapReply(m));
        });
        return new Reply.Array(sentinels);
    }

    private static Reply help() {
        List<Reply> lines = new ArrayList<>();
        for (String line : List.of(
                "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET-MASTER-ADDR-BY-NAME <master-name>",
                "    Return the ip and port number of the leader with that name.",
                "MASTER <master-name>",
                "    Show the state and info of the leader with that name.",
                "MASTERS",
                "    Show a list of the monitored masters (the replica set's leader) and their state.",
                "MYID",
                "    Return the ID of this member.",
                "REPLICAS <master-name>",
                "    Show a list of the replicas of this leader and their state.",
                "SENTINELS <master-name>",
                "    Show a list of the other members, which answer SENTINEL too.",
                "HELP",
                "    Print this help.")) {
            lines.add(new Reply.Simple(line));
        }
        return new Reply.Array(lines);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void field(List<Reply> map, String name, String value) {
        map.add(Reply.bulk(name));
        map.add(Reply.bulk(value));
    }
}
