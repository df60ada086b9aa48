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
    /**
     * Entries whose keys are prefetched together before they are applied (see {@link #replay}): their paths in
     * the key table (a few cache lines each) must still be in the core's cache when they are applied (2 MB of
     * L2 here).
     */
    public static final int BATCH = 256;

    private final Keyspace keyspace;
    private final CommandContext context;
    /** What {@link #replay} holds until its batch is full or {@link #finishReplay} is called. */
    private final Entry[] replayed = new Entry[BATCH];
    private int replayedCount;

    public EntryApplier(Keyspace keyspace, RandomGenerator random) {
        this.keyspace = keyspace;
        this.context = new CommandContext(keyspace, random);
        this.context.ownsExpiry(false); // replaying: expiry decisions are in the log already
    }

    /**
     * Applies entries in log order {@link #BATCH} at a time, each batch's keys prefetched first: a follower
     * applying what it is shipped (ReplicaSetNode#applyDurable), and recovery and a rewind's rebuild replaying
     * the log. 10^6 new keys are a chain of cache misses each when applied one by one; the walks of a batch
     * overlap. The same compiled code serves all of them (a restarted follower catches up right after its
     * recovery). Call {@link #finishReplay} after the last entry of a run.
     */
    public void replay(Entry entry) {
        replayed[replayedCount++] = entry;
        if (replayedCount == BATCH) {
            finishReplay();
        }
    }

    /** Applies what {@link #replay} still holds. */
    public void finishReplay() {
        for (int i = 0; i < replayedCount; i++) {
            for (Effect effect : replayed[i].effects()) {
                keyspace.queuePrefetch(effect.key());
            }
        }
        keyspace.prefetchQueued();
        for (int i = 0; i < replayedCount; i++) {
            apply(replayed[i]);
            replayed[i] = null;
        }
        replayedCount = 0;
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
