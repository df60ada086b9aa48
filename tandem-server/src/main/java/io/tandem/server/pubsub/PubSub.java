package io.tandem.server.pubsub;

import io.tandem.core.keyspace.GlobMatcher;
import io.tandem.core.model.Reply;
import io.tandem.core.util.ByteKey;
import io.tandem.server.config.PubSubSettings;
import io.tandem.server.net.ClientConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Pub/sub on one node, with Redis's replies: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE and PUBLISH.
 * Messages stay on the node they were published on (as in Redis without cluster): Tandem publishes its
 * Sentinel events this way, each node its own view.
 *
 * <p>Lives on the node's event loop thread, like the connections. Every confirmation and message is a
 * {@link Reply.Push}: a push in RESP3, an array in RESP2, exactly as Redis sends them.
 *
 * <p>Limits: at most {@code maxSubscriptions} channels plus patterns per connection, and a subscriber that
 * does not read its messages is disconnected when its unsent output reaches the hard limit, or stays over the
 * soft limit for the soft time (Redis's client-output-buffer-limit pubsub), with a log line saying so.
 */
public final class PubSub {
    private static final System.Logger LOG = System.getLogger(PubSub.class.getName());
    private static final Reply SUBSCRIBE = Reply.bulk("subscribe");
    private static final Reply UNSUBSCRIBE = Reply.bulk("unsubscribe");
    private static final Reply PSUBSCRIBE = Reply.bulk("psubscribe");
    private static final Reply PUNSUBSCRIBE = Reply.bulk("punsubscribe");
    private static final Reply MESSAGE = Reply.bulk("message");
    private static final Reply PMESSAGE = Reply.bulk("pmessage");

    private final PubSubSettings settings;
    private final LongSupplier clockMillis;
    private final Map<ByteKey, Set<ClientConnection>> channels = new HashMap<>();
    private final Map<ByteKey, Set<ClientConnection>> patterns = new LinkedHashMap<>();
    private long disconnectedSlowSubscribers;

    public PubSub(PubSubSettings settings, LongSupplier clockMillis) {
        this.settings = settings;
        this.clockMillis = clockMillis;
    }

    /** SUBSCRIBE channel [channel ...]: one confirmation per channel, each with the new count. */
    public void subscribe(ClientConnection conn, byte[][] args) {
        subscribe(conn, args, false);
    }

    /** PSUBSCRIBE pattern [pattern ...]. */
    public void psubscribe(ClientConnection conn, byte[][] args) {
        subscribe(conn, args, true);
    }

    private void subscribe(ClientConnection conn, byte[][] args, boolean pattern) {
        Subscriptions subs = subscriptions(conn);
        // Refused as a whole, before any subscription changes: a partial SUBSCRIBE would leave the client unsure
        // which confirmations to expect.
        Set<ByteKey> fresh = new LinkedHashSet<>();
        Set<ByteKey> own = pattern ? subs.patterns : subs.channels;
        for (int i = 1; i < args.length; i++) {
            ByteKey key = new ByteKey(args[i]);
            if (!own.contains(key)) {
                fresh.add(key);
            }
        }
        if ((long) subs.count() + fresh.size() > settings.maxSubscriptions()) {
            conn.reply(Reply.error("ERR this connection may subscribe to at most " + settings.maxSubscriptions()
                    + " channels and patterns (pubsub-max-subscriptions); it has " + subs.count()));
            return;
        }
        Map<ByteKey, Set<ClientConnection>> registry = pattern ? patterns : channels;
        for (int i = 1; i < args.length; i++) {
            ByteKey key = new ByteKey(args[i]);
            if (own.add(key)) {
                registry.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(conn);
            }
            conn.reply(new Reply.Push(List.of(pattern ? PSUBSCRIBE : SUBSCRIBE, Reply.bulk(args[i]),
                    Reply.integer(subs.count()))));
        }
    }

    /** UNSUBSCRIBE [channel ...]: without arguments, from every channel; with none to leave, one nil reply. */
    public void unsubscribe(ClientConnection conn, byte[][] args) {
        unsubscribe(conn, args, false);
    }

    /** PUNSUBSCRIBE [pattern ...]. */
    public void punsubscribe(ClientConnection conn, byte[][] args) {
        unsubscribe(conn, args, true);
    }

    private void unsubscribe(ClientConnection conn, byte[][] args, boolean pattern) {
        Subscriptions subs = subscriptions(conn);
        Set<ByteKey> own = pattern ? subs.patterns : subs.channels;
        Reply kind = pattern ? PUNSUBSCRIBE : UNSUBSCRIBE;
        List<ByteKey> leaving = new ArrayList<>();
        if (args.length > 1) {
            for (int i = 1; i < args.length; i++) {
                leaving.add(new ByteKey(args[i]));
            }
        } else if (own.isEmpty()) {
            // Redis answers an UNSUBSCRIBE of nothing with a nil channel and the count.
            conn.reply(new Reply.Push(List.of(kind, Reply.NULL, Reply.integer(subs.count()))));
            return;
        } else {
            leaving.addAll(own);
        }
        Map<ByteKey, Set<ClientConnection>> registry = pattern ? patterns : channels;
        for (ByteKey key : leaving) {
            if (own.remove(key)) {
                leave(registry, key, conn);
            }
            conn.reply(new Reply.Push(List.of(kind, Reply.bulk(key.bytes()), Reply.integer(subs.count()))));
        }
    }

    /** The connection closed or was RESET: it leaves everything, without confirmations (as Redis does). */
    public void dropAll(ClientConnection conn) {
        Subscriptions subs = conn.subscriptions;
        if (subs == null) {
            return;
        }
        for (ByteKey key : subs.channels) {
            leave(channels, key, conn);
        }
        for (ByteKey key : subs.patterns) {
            leave(patterns, key, conn);
        }
        subs.channels.clear();
        subs.patterns.clear();
        subs.overSoftLimitSinceMillis = -1;
    }

    /**
     * PUBLISH channel message: delivered to every subscriber of the channel and every pattern that matches it (a
     * connection subscribed both ways gets it twice, as in Redis); returns how many deliveries were made.
     */
    public long publish(byte[] channel, byte[] message) {
        long receivers = 0;
        ByteKey key = new ByteKey(channel);
        Set<ClientConnection> direct = channels.get(key);
        if (direct != null) {
            Reply push = new Reply.Push(List.of(MESSAGE, Reply.bulk(channel), Reply.bulk(message)));
            for (ClientConnection conn : List.copyOf(direct)) {
                receivers += deliver(conn, push);
            }
        }
        if (!patterns.isEmpty()) {
            for (Map.Entry<ByteKey, Set<ClientConnection>> e : List.copyOf(patterns.entrySet())) {
                if (GlobMatcher.matches(e.getKey().bytes(), channel)) {
                    Reply push = new Reply.Push(List.of(PMESSAGE, Reply.bulk(e.getKey().bytes()), Reply.bulk(channel),
                            Reply.bulk(message)));
                    for (ClientConnection conn : List.copyOf(e.getValue())) {
                        receivers += deliver(conn, push);
                    }
                }
            }
        }
        return receivers;
    }

    /** PUBLISH with text, for the node's own events. */
    public long publish(String channel, String message) {
        return publish(io.tandem.core.util.Ascii.bytes(channel), message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** PUBSUB CHANNELS [pattern]: channels with at least one subscriber. */
    public List<byte[]> activeChannels(byte[] pattern) {
        List<byte[]> names = new ArrayList<>();
        for (ByteKey key : channels.keySet()) {
            if (pattern == null || GlobMatcher.matches(pattern, key.bytes())) {
                names.add(key.bytes());
            }
        }
        return names;
    }

    /** PUBSUB NUMSUB: subscribers of one channel (patterns not counted, as in Redis). */
    public int subscribers(byte[] channel) {
        Set<ClientConnection> subs = channels.get(new ByteKey(channel));
        return subs == null ? 0 : subs.size();
    }

    /** PUBSUB NUMPAT: patterns with at least one subscriber. */
    public int activePatterns() {
        return patterns.size();
    }

    public long disconnectedSlowSubscribers() {
        return disconnectedSlowSubscribers;
    }

    /** One message to one subscriber, unless its unsent output is over the limits: then it is disconnected. */
    private int deliver(ClientConnection conn, Reply push) {
        if (conn.closing() || !conn.channel.isActive()) {
            return 0;
        }
        Subscriptions subs = conn.subscriptions;
        long unsent = conn.pendingOutputBytes();
        long now = clockMillis.getAsLong();
        String over = null;
        if (settings.outputHardLimitBytes() > 0 && unsent >= settings.outputHardLimitBytes()) {
            over = "pubsub-output-hard-limit " + settings.outputHardLimitBytes();
        } else if (settings.outputSoftLimitBytes() > 0 && unsent >= settings.outputSoftLimitBytes()) {
            if (subs.overSoftLimitSinceMillis < 0) {
                subs.overSoftLimitSinceMillis = now;
            } else if (now - subs.overSoftLimitSinceMillis >= settings.outputSoftSeconds() * 1000L) {
                over = "pubsub-output-soft-limit " + settings.outputSoftLimitBytes() + " for "
                        + settings.outputSoftSeconds() + " s";
            }
        } else {
            subs.overSoftLimitSinceMillis = -1;
        }
        if (over != null) {
            disconnectedSlowSubscribers++;
            LOG.log(System.Logger.Level.WARNING, "Client id=" + conn.id + " addr=" + conn.channel.remoteAddress()
                    + " closed for overcoming of output buffer limits: " + unsent + " bytes of pub/sub messages"
                    + " unsent (" + over + ")");
            dropAll(conn);
            conn.channel.close();
            return 0;
        }
        conn.reply(push);
        return 1;
    }

    private Subscriptions subscriptions(ClientConnection conn) {
        if (conn.subscriptions == null) {
            conn.subscriptions = new Subscriptions();
            conn.onRelease(() -> dropAll(conn));
        }
        return conn.subscriptions;
    }

    private static void leave(Map<ByteKey, Set<ClientConnection>> registry, ByteKey key, ClientConnection conn) {
        Set<ClientConnection> subs = registry.get(key);
        if (subs != null) {
            subs.remove(conn);
            if (subs.isEmpty()) {
                registry.remove(key);
            }
        }
    }
}
