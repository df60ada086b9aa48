package io.tandem.server.pubsub;

import io.tandem.core.model.Reply;
import io.tandem.server.net.ClientConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB, with Redis 7's replies. */
public final class PubSubCommands {
    private final PubSub pubSub;

    public PubSubCommands(PubSub pubSub) {
        this.pubSub = pubSub;
    }

    /**
     * In RESP2, while subscribed, Redis answers only these (any other reply could be mistaken for a message); in
     * RESP3 replies and pushes have different types, so every command is allowed.
     */
    public static boolean allowedWhileSubscribed(String name) {
        return switch (name) {
            case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ping", "quit", "reset" -> true;
            default -> false;
        };
    }

    /** PING in RESP2 subscribed mode: ["pong", message or ""], as Redis answers it there. */
    public static Reply subscribedPing(byte[][] args) {
        if (args.length > 2) {
            return Reply.error("ERR wrong number of arguments for 'ping' command");
        }
        return new Reply.Array(List.of(Reply.bulk("pong"), args.length == 2 ? Reply.bulk(args[1]) : Reply.bulk("")));
    }

    /**
     * Runs one of the commands. The (un)subscribe commands write their confirmations themselves (one per channel)
     * and return null; the others return their reply.
     */
    public Reply execute(ClientConnection conn, String name, byte[][] args) {
        switch (name) {
            case "subscribe" -> pubSub.subscribe(conn, args);
            case "psubscribe" -> pubSub.psubscribe(conn, args);
            case "unsubscribe" -> pubSub.unsubscribe(conn, args);
            case "punsubscribe" -> pubSub.punsubscribe(conn, args);
            case "publish" -> {
                return Reply.integer(pubSub.publish(args[1], args[2]));
            }
            case "pubsub" -> {
                return introspect(args);
            }
            default -> throw new IllegalArgumentException("not a pub/sub command: " + name);
        }
        return null;
    }

    /** PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT. */
    private Reply introspect(byte[][] args) {
        String sub = new String(args[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "channels" -> {
                if (args.length <= 3) {
                    List<Reply> names = new ArrayList<>();
                    for (byte[] channel : pubSub.activeChannels(args.length == 3 ? args[2] : null)) {
                        names.add(Reply.bulk(channel));
                    }
                    return new Reply.Array(names);
                }
            }
            case "numsub" -> {
                List<Reply> counts = new ArrayList<>();
                for (int i = 2; i < args.length; i++) {
                    counts.add(Reply.bulk(args[i]));
                    counts.add(Reply.integer(pubSub.subscribers(args[i])));
                }
                return new Reply.Array(counts); // a flat array of pairs, in RESP3 too (as Redis 7)
            }
            case "numpat" -> {
                if (args.length == 2) {
                    return Reply.integer(pubSub.activePatterns());
                }
            }
            default -> {
                return Reply.error("ERR unknown subcommand '" + new String(args[1], StandardCharsets.UTF_8)
                        + "'. Try PUBSUB HELP.");
            }
        }
        return Reply.error("ERR wrong number of arguments for 'pubsub|" + sub + "' command");
    }
}
