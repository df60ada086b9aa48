package io.tandem.core.replicaset;

import io.tandem.core.keyspace.CommandContext;
import io.tandem.core.keyspace.CommandError;
import io.tandem.core.keyspace.CommandExecutor;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Executes client commands against a keyspace and collects their effects: what every role that writes
 * (a leader, a standalone node) shares. The caller decides what to do with the effects (log them as one
 * entry) and with the reply (hold it until what it shows is committed).
 */
final class CommandRunner {
    /** Active expiry: keys sampled per round, and rounds per tick (Redis: 20 keys, repeat while > 25%). */
    static final int EXPIRY_SAMPLE_KEYS = 20;
    static final int EXPIRY_MAX_ROUNDS = 16;

    private final Keyspace keyspace;
    private final CommandContext context;
    private final RandomGenerator random;
    private long expiredKeys;

    CommandRunner(Keyspace keyspace, RandomGenerator random) {
        this.keyspace = keyspace;
        this.random = random;
        this.context = new CommandContext(keyspace, random);
    }

    Keyspace keyspace() {
        return keyspace;
    }

    long expiredKeys() {
        return expiredKeys;
    }

    /** Whether this node deletes expired keys it meets (the leader) or only hides them (a follower). */
    void ownsExpiry(boolean owns) {
        context.ownsExpiry(owns);
    }

    void begin(long nowMillis) {
        context.begin(nowMillis);
    }

    /** The effects of what ran since begin(); empty when nothing changed. */
    List<Effect> takeEffects() {
        return context.hasEffects() ? context.takeEffects() : List.of();
    }

    Reply execute(byte[][] args) {
        try {
            return CommandExecutor.execute(context, args);
        } catch (CommandError e) {
            return e.reply();
        } catch (RuntimeException e) {
            // A bug, not bad input. The effects emitted so far are applied in memory, so the caller still
            // logs them: memory and log must never disagree.
            return Reply.error("ERR internal error: " + e);
        }
    }

    /** MULTI/EXEC: one reply per command; the effects of all of them are taken together. */
    Reply executeAll(List<byte[][]> commands) {
        List<Reply> replies = new ArrayList<>(commands.size());
        for (byte[][] args : commands) {
            replies.add(execute(args));
        }
        return new Reply.Array(replies);
    }

    /**
     * Active expiry, as Redis's activeExpireCycle: sample keys that have a TTL, delete the expired ones,
     * and go on while more than a quarter of a sample was expired (bounded per tick). The deletions are
     * effects in the log: followers never expire keys on their own clock.
     */
    void expireSome(long nowMillis) {
        for (int round = 0; round < EXPIRY_MAX_ROUNDS && keyspace.keysWithExpiry() > 0; round++) {
            int expired = 0;
            int samples = Math.min(EXPIRY_SAMPLE_KEYS, keyspace.keysWithExpiry());
            for (int i = 0; i < samples; i++) {
                byte[] key = keyspace.randomKeyWithExpiry(random);
                var entry = keyspace.find(key);
                if (entry != null && entry.isExpired(nowMillis)) {
                    context.emit(new Effect.DeleteKey(key));
                    expired++;
                }
            }
            expiredKeys += expired;
            if (expired * 4 <= samples) {
                break;
            }
        }
    }
}
