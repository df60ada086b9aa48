package io.tandem.core.replicaset;

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
    private final CommandRunner runner;
    private final PendingReplies pending = new PendingReplies();
    private final long term;
    private long lastLsn;
    private long durableLsn;

    /**
     * @param keyspace the recovered keyspace (snapshot plus replayed log)
     * @param term     the term of the last recovered entry (1 for a new node)
     * @param lastLsn  the LSN of the last recovered entry, all of it durable (0 for a new node)
     */
    public StandaloneLeader(Keyspace keyspace, long term, long lastLsn, RandomGenerator random) {
        Invariants.check(term >= 1 && lastLsn >= 0, "bad recovered position term=%d lsn=%d", term, lastLsn);
        this.runner = new CommandRunner(keyspace, random);
        this.term = term;
        this.lastLsn = lastLsn;
        this.durableLsn = lastLsn;
    }

    @Override
    public void step(long nowMillis, Input input, Output out) {
        switch (input) {
            case Input.ClientCommand command -> {
                runner.begin(nowMillis);
                Reply reply = runner.execute(command.args());
                commit(nowMillis, command.client(), command.requestId(), reply, out);
            }
            case Input.ClientTransaction transaction -> {
                // MULTI/EXEC: all effects in one entry, so a crash keeps all or none.
                runner.begin(nowMillis);
                Reply reply = runner.executeAll(transaction.commands());
                commit(nowMillis, transaction.client(), transaction.requestId(), reply, out);
            }
            case Input.Persisted persisted -> onPersisted(persisted.durableLsn(), out);
            case Input.Tick tick -> {
                runner.begin(nowMillis);
                runner.expireSome(nowMillis);
                appendEntry(nowMillis, runner.takeEffects(), out);
            }
            case Input.PeerMessage message -> { } // a replica set of one has no peers to hear from
        }
    }

    /** Logs what the command changed, then queues its reply behind everything it may show. */
    private void commit(long nowMillis, ClientRef client, long requestId, Reply reply, Output out) {
        appendEntry(nowMillis, runner.takeEffects(), out);
        if (pending.isEmpty() && durableLsn >= lastLsn) {
            out.reply(client, requestId, reply);
        } else {
            pending.add(lastLsn, client, requestId, reply);
        }
    }

    private void appendEntry(long nowMillis, List<Effect> effects, Output out) {
        if (effects.isEmpty()) {
            return;
        }
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

    public Keyspace keyspace() {
        return runner.keyspace();
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
        return runner.expiredKeys();
    }

    public int pendingReplies() {
        return pending.size();
    }
}
