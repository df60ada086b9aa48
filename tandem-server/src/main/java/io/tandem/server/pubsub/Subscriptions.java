package io.tandem.server.pubsub;

import io.tandem.core.util.ByteKey;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One connection's channels and patterns, in the order it subscribed (UNSUBSCRIBE without arguments answers in
 * that order), and since when its unsent output has been over the soft limit.
 */
public final class Subscriptions {
    final Set<ByteKey> channels = new LinkedHashSet<>();
    final Set<ByteKey> patterns = new LinkedHashSet<>();
    /** When the unsent output first reached the soft limit, or -1 while it is below. */
    long overSoftLimitSinceMillis = -1;

    /** What Redis's replies count: channels plus patterns. */
    public int count() {
        return channels.size() + patterns.size();
    }

    /** Is the connection in subscribed mode (in RESP2 it may then only (un)subscribe, PING, QUIT, RESET)? */
    public boolean active() {
        return count() > 0;
    }
}
