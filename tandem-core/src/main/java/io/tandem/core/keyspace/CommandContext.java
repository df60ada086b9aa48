package io.tandem.core.keyspace;

import io.tandem.core.model.Effect;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What a command sees while it executes: the keyspace, the time and the random generator of this step,
 * and the effects it has emitted so far. A command changes the keyspace only through {@link #emit},
 * which applies the effect exactly as a follower will, and records it for the log.
 *
 * <p>After an emit, re-read any value taken before it: a snapshot in progress may have made the keyspace
 * replace it with a copy.
 */
public final class CommandContext {
    private final Keyspace keyspace;
    private final RandomGenerator random;
    private final ArrayList<Effect> effects = new ArrayList<>();
    private long nowMillis;
    private boolean ownsExpiry = true;

    public CommandContext(Keyspace keyspace, RandomGenerator random) {
        this.keyspace = keyspace;
        this.random = random;
    }

    /** Starts a step at this time; effects of the previous step must have been taken. */
    public void begin(long nowMillis) {
        this.nowMillis = nowMillis;
        effects.clear();
    }

    /**
     * Whether this node decides expiry. The leader does: an expired key it touches is deleted by an effect
     * that followers apply. A follower only hides expired keys, never deletes them on its own clock.
     */
    public void ownsExpiry(boolean owns) {
        this.ownsExpiry = owns;
    }

    public boolean hasEffects() {
        return !effects.isEmpty();
    }

    public List<Effect> takeEffects() {
        List<Effect> taken = List.copyOf(effects);
        effects.clear();
        return taken;
    }

    public long nowMillis() {
        return nowMillis;
    }

    public RandomGenerator random() {
        return random;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public void emit(Effect effect) {
        keyspace.apply(effect);
        effects.add(effect);
    }

    /**
     * The live entry of key, or null. An expired key counts as absent; on the node that owns expiry it is
     * also deleted (Redis's expireIfNeeded, which propagates a DEL to replicas).
     */
    public KeyEntry lookup(byte[] key) {
        KeyEntry entry = keyspace.find(key);
        if (entry == null) {
            return null;
        }
        if (entry.isExpired(nowMillis)) {
            if (ownsExpiry) {
                emit(new Effect.DeleteKey(key));
            }
            return null;
        }
        return entry;
    }

    public byte[] getString(byte[] key) {
        return typed(key, byte[].class);
    }

    public HashValue getHash(byte[] key) {
        return typed(key, HashValue.class);
    }

    public SetValue getSet(byte[] key) {
        return typed(key, SetValue.class);
    }

    public ListValue getList(byte[] key) {
        return typed(key, ListValue.class);
    }

    private <T> T typed(byte[] key, Class<T> type) {
        KeyEntry entry = lookup(key);
        if (entry == null) {
            return null;
        }
        if (!type.isInstance(entry.value)) {
            throw CommandError.WRONG_TYPE;
        }
        return type.cast(entry.value);
    }

    /** Redis's TYPE name of a value. */
    public static String typeName(Object value) {
        return switch (value) {
            case byte[] b -> "string";
            case HashValue h -> "hash";
            case SetValue s -> "set";
            case ListValue l -> "list";
            default -> "none";
        };
    }
}
