package io.tandem.core.replicaset;

import io.tandem.core.keyspace.CommandContext;
import io.tandem.core.keyspace.CommandError;
import io.tandem.core.keyspace.CommandExecutor;
import io.tandem.core.keyspace.Keyspace;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;
import io.tandem.core.protocol.Input;
import io.tandem.core.protocol.Output;
import io.tandem.core.protocol.PendingReplies;
import io.tandem.core.protocol.Protocol;
import io.tandem.core.util.Invariants;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A replica set of one: the node leads, every write is committed once it is durable in the local log.
 * This is the floor the leader-follower protocol builds on: commands become effects, effects become log
 * entries, and replies wait until what they show is durable.
 *
 * <p>Why execute before persisting: the next command (INCR twice in a pipeline) must see the first one's
 * result, so the keyspace runs ahead of the durable log, as Redis's memory runs ahead of its AOF. No client
 * can observe the difference: every reply waits for the log to catch up with what it shows.
 */
public final class StandaloneLeader implements Protocol {
    /** Active expiry: keys sampled per round, and rounds per tick (Redis: 20 keys, repeat while > 25%). */
    static final int EXPIRY_SAMPLE_KEYS = 20;
    static final int EXPIRY_MAX_ROUNDS = 16;

    private final Keyspace keyspace;
    private final CommandContext context;
    private final RandomGenerator random;
    private final PendingReplies pending = new PendingReplies();
    private final long term;
    private long lastLsn;
    private long durableLsn;
    private long expiredKeys;

    /**
     * @param keyspace the recovered keyspace (snapshot plus replayed log)
     * @param term     the term of the last recovered entry (1 for a new node)
     * @param lastLsn  the LSN of the last recovered entry, all of it durable (0 for a new node)
     */
    public StandaloneLeader(Keyspace keyspace, long term, long lastLsn, RandomGenerator random) {
        Invariants.check(term >= 1 && lastLsn >= 0, "bad recovered position term=%d lsn=%d", term, lastLsn);
        this.keyspace = keyspace;
        this.random = random;
        this.context = new CommandContext(keyspace, random);
        this.term = term;
        this.lastLsn = lastLsn;
        this.durableLsn = lastLsn;
    }

    @Override
    public void step(long nowMillis, Input input, Output out) {
        switch (input) {
            case Input.ClientCommand command -> onCommand(nowMillis, command, out);
            case Input.ClientTransaction transaction -> onTransaction(nowMillis, transaction, out);
            case Input.Persisted persisted -> onPersisted(persisted.durableLsn(), out);
            case Input.Tick tick -> expireSome(nowMillis, out);
        }
    }

    private void onCommand(long nowMillis, Input.ClientCommand command, Output out) {
        context.begin(nowMillis);
        Reply reply = executeOne(command.args());
        commit(nowMillis, command.client(), command.requestId(), reply, out);
    }

    /** MULTI/EXEC: one reply per command, all effects in one entry, so a crash keeps all or none. */
    private void onTransaction(long nowMillis, Input.ClientTransaction transaction, Output out) {
        context.begin(nowMillis);
        List<Reply> replies = new ArrayList<>(transaction.commands().size());
        for (byte[][] args : transaction.commands()) {
            replies.add(executeOne(args));
        }
        commit(nowMillis, transaction.client(), transaction.requestId(), new Reply.Array(replies), out);
    }

    private Reply executeOne(byte[][] args) {
        try {
            return CommandExecutor.execute(context, args);
        } catch (CommandError e) {
            return e.reply();
        } catch (RuntimeException e) {
            // A bug, not bad input. The effects emitted so far are applied in memory, so they still go to
            // the log below: memory and log must never disagree.
            return Reply.error("ERR internal error: " + e);
        }
    }

    /** Logs what the command changed, then queues its reply behind everything it may show. */
    private void commit(long nowMillis, ClientRef client, long requestId, Reply reply, Output out) {
        if (context.hasEffects()) {
            appendEntry(nowMillis, context.takeEffects(), out);
        }
        if (pending.isEmpty() && durableLsn >= lastLsn) {
            out.reply(client, requestId, reply);
        } else {
            pending.add(lastLsn, client, requestId, reply);
        }
    }

    private void appendEntry(long nowMillis, List<Effect> effects, Output out) {
        lastLsn++;
        out.persist(new Entry(term, lastLsn, nowMillis, effects));
    }

    private void onPersisted(long lsn, Output out) {
        Invariants.check(lsn <= lastLsn, "durable LSN %d beyond the last appended %d", lsn, lastLsn);
        if (lsn <= durableLsn) {
            return;
        }
        durableLsn = lsn;
        pending.release(durableLsn, out);
    }

    /**
     * Active expiry, as Redis's activeExpireCycle: sample keys that have a TTL, delete the expired ones,
     * and go on while more than a quarter of a sample was expired (bounded per tick). The deletions are
     * effects in the log: followers never expire keys on their own clock.
     */
    private void expireSome(long nowMillis, Output out) {
        context.begin(nowMillis);
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
        if (context.hasEffects()) {
            appendEntry(nowMillis, context.takeEffects(), out);
        }
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public long term() {
        return term;
    }

    public long lastLsn() {
        return lastLsn;
    }

    public long durableLsn() {
        return durableLsn;
    }

    public long expiredKeys() {
        return expiredKeys;
    }

    public int pendingReplies() {
        return pending.size();
    }
}
