package io.tandem.core.replicaset;

import io.tandem.core.keyspace.CommandContext;
import io.tandem.core.keyspace.CommandExecutor;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import java.util.random.RandomGenerator;

/**
 * Applies a log entry to a keyspace: row effects through Keyspace.apply, statements by executing the
 * command again, with the entry's time as "now" and this node's own random generator. That second part is
 * why statement replication can diverge: SPOP picks its members with whatever generator runs it. Used by
 * followers, and by recovery when it replays the log.
 */
public final class EntryApplier {
    private final Keyspace keyspace;
    private final CommandContext context;

    public EntryApplier(Keyspace keyspace, RandomGenerator random) {
        this.keyspace = keyspace;
        this.context = new CommandContext(keyspace, random);
        this.context.ownsExpiry(false); // replaying: expiry decisions are in the log already
    }

    /** Brings the keys entry writes into the CPU's cache, changing nothing (Keyspace#prefetch). */
    public void prefetch(Entry entry) {
        for (Effect effect : entry.effects()) {
            keyspace.prefetch(effect.key());
        }
    }

    public void apply(Entry entry) {
        for (Effect effect : entry.effects()) {
            if (effect instanceof Effect.Statement statement) {
                context.begin(entry.timeMillis());
                CommandExecutor.execute(context, statement.args());
                context.takeEffects();
            } else {
                keyspace.apply(effect);
            }
        }
    }
}
