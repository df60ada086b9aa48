package io.tandem.core.keyspace;

import io.tandem.core.model.Effect;
import io.tandem.core.util.ByteKey;
import io.tandem.core.util.Invariants;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The data of one node: keys to strings, hashes, sets and lists, with expiry times. It changes only by
 * {@link #apply(Effect)}, so a leader that executes a command and a follower that receives its effects
 * run the same code and end in the same state. Reads are plain lookups; whether a key counts as expired
 * is the caller's question (it knows the time).
 */
public final class Keyspace {
    private KeyTable table = new KeyTable();
    private ExpiryIndex expiries = new ExpiryIndex();
    private final int hashSeed;

    public Keyspace(int hashSeed) {
        this.hashSeed = hashSeed;
    }

    /** The seed of this keyspace's key hashes (a keyspace loaded to replace this one must use the same). */
    public int hashSeed() {
        return hashSeed;
    }

    /**
     * Takes over every key of {@code loaded} (a snapshot installed from the leader), dropping this
     * keyspace's own: whoever holds this keyspace sees the loaded keys from now on. {@code loaded} must
     * not be used afterwards. Frozen views taken before stay as they were.
     */
    public void adopt(Keyspace loaded) {
        Invariants.check(loaded.hashSeed == hashSeed, "adopting a keyspace hashed with seed %d into one with %d",
                loaded.hashSeed, hashSeed);
        this.table = loaded.table;
        this.expiries = loaded.expiries;
        loaded.table = new KeyTable();
        loaded.expiries = new ExpiryIndex();
    }

    public int size() {
        return table.size();
    }

    public int keysWithExpiry() {
        return expiries.size();
    }

    /** The entry of key, expired or not, or null. Do not keep it across a write. */
    public KeyEntry find(byte[] key) {
        return table.get(key, KeyHash.hash(key, hashSeed));
    }

    /** What {@link #prefetch} read, kept so that the reads are not optimized away; means nothing. */
    private int prefetched;

    /**
     * Brings key's place in the table into the CPU's cache and changes nothing. Call it for a batch of keys
     * about to be written, then write them: see {@link KeyTable#touch}.
     */
    public void prefetch(byte[] key) {
        prefetched += table.touch(KeyHash.hash(key, hashSeed));
    }

    /** Hashes of the keys {@link #queuePrefetch} queued, and the walks of {@link KeyTable#touchAll}. */
    private int[] queuedHashes = new int[256];
    private Object[] queuedWalks = new Object[256];
    private int queued;

    /** Queues key for {@link #prefetchQueued}: {@link #prefetch} for a batch, the batch's walks interleaved. */
    public void queuePrefetch(byte[] key) {
        if (queued == queuedHashes.length) {
            queuedHashes = Arrays.copyOf(queuedHashes, queued * 2);
            queuedWalks = new Object[queued * 2];
        }
        queuedHashes[queued++] = KeyHash.hash(key, hashSeed);
    }

    /** Brings into the CPU's cache the places of every key queued since the last call (KeyTable#touchAll). */
    public void prefetchQueued() {
        prefetched += table.touchAll(queuedHashes, queuedWalks, queued);
        queued = 0;
    }

    /** A key with a TTL chosen at random (for active expiry), or null. */
    public byte[] randomKeyWithExpiry(RandomGenerator random) {
        return expiries.random(random);
    }

    public KeyEntry randomEntry(RandomGenerator random) {
        return table.random(random);
    }

    public void forEach(Consumer<KeyEntry> action) {
        table.forEach(action);
    }

    /** See {@link KeyTable#scan}: -1 when the walk reached the end. */
    public long scan(long fromOrder, int count, Consumer<KeyEntry> action) {
        return table.scan(fromOrder, count, action);
    }

    /** A consistent, never-changing view of every key for a snapshot; O(1), writes go on. */
    public FrozenKeyspace freeze() {
        return new FrozenKeyspace(table.freeze());
    }

    public void apply(Effect effect) {
        switch (effect) {
            case Effect.PutString put -> {
                KeyEntry entry = entryForWrite(put.key());
                entry.value = put.value();
                if (put.expireAtMillis() != Effect.KEEP_TTL) {
                    setExpiry(entry, put.expireAtMillis());
                }
            }
            case Effect.DeleteKey delete -> delete(delete.key());
            case Effect.ExpireAt expire -> setExpiry(existingForWrite(expire.key()), expire.atMillis());
            case Effect.Persist persist -> setExpiry(existingForWrite(persist.key()), Effect.NO_EXPIRY);
            case Effect.HashPut put -> {
                HashValue hash = hashForWrite(put.key());
                byte[][] fv = put.fieldsAndValues();
                for (int i = 0; i < fv.length; i += 2) {
                    hash.fields.put(new ByteKey(fv[i]), fv[i + 1]);
                }
            }
            case Effect.HashRemove remove -> {
                HashValue hash = (HashValue) mutableCollection(existingForWrite(remove.key()), HashValue.class);
                for (byte[] field : remove.fields()) {
                    hash.fields.remove(new ByteKey(field));
                }
                if (hash.fields.isEmpty()) {
                    delete(remove.key());
                }
            }
            case Effect.SetAdd add -> {
                SetValue set = setForWrite(add.key());
                for (byte[] member : add.members()) {
                    set.members.add(new ByteKey(member));
                }
            }
            case Effect.SetRemove remove -> {
                SetValue set = (SetValue) mutableCollection(existingForWrite(remove.key()), SetValue.class);
                for (byte[] member : remove.members()) {
                    set.members.remove(new ByteKey(member));
                }
                if (set.members.isEmpty()) {
                    delete(remove.key());
                }
            }
            case Effect.ListPush push -> {
                ListValue list = listForWrite(push.key());
                for (byte[] element : push.elements()) {
                    if (push.left()) {
                        list.pushLeft(element);
                    } else {
                        list.pushRight(element);
                    }
                }
            }
            case Effect.ListPop pop -> {
                ListValue list = (ListValue) mutableCollection(existingForWrite(pop.key()), ListValue.class);
                Invariants.check(pop.count() <= list.size(), "pop of %d from a list of %d", pop.count(), list.size());
                for (int i = 0; i < pop.count(); i++) {
                    if (pop.left()) {
                        list.popLeft();
                    } else {
                        list.popRight();
                    }
                }
                if (list.size() == 0) {
                    delete(pop.key());
                }
            }
            case Effect.FlushAll flush -> {
                table.clear();
                expiries.clear();
            }
            case Effect.Statement statement -> throw new IllegalStateException(
                    "a statement is executed, not applied (EntryApplier): " + statement);
            case Effect.Reconfigure reconfigure -> {
                // Who the members are is the replication protocol's business (ReplicaSetNode), not the keyspace's.
            }
        }
    }

    /** Adds a key as read from a snapshot (the key must be new). */
    public void load(byte[] key, Object value, long expireAtMillis) {
        Invariants.check(value instanceof byte[] || value instanceof HashValue || value instanceof SetValue
                || value instanceof ListValue, "unknown value type %s", value);
        KeyEntry entry = table.insert(key, KeyHash.hash(key, hashSeed));
        entry.value = value;
        setExpiry(entry, expireAtMillis);
    }

    /** Value builders for snapshot loading, in the current epoch. */
    public HashValue newHash() {
        return new HashValue(table.epoch());
    }

    public SetValue newSet() {
        return new SetValue(table.epoch());
    }

    public ListValue newList() {
        return new ListValue(table.epoch());
    }

    public static void loadField(HashValue hash, byte[] field, byte[] value) {
        hash.fields.put(new ByteKey(field), value);
    }

    public static void loadMember(SetValue set, byte[] member) {
        set.members.add(new ByteKey(member));
    }

    public static void loadElement(ListValue list, byte[] element) {
        list.pushRight(element);
    }

    private void delete(byte[] key) {
        KeyEntry removed = table.remove(key, KeyHash.hash(key, hashSeed));
        if (removed != null && removed.hasExpiry()) {
            expiries.remove(key);
        }
    }

    private void setExpiry(KeyEntry entry, long expireAtMillis) {
        boolean had = entry.hasExpiry();
        entry.expireAtMillis = expireAtMillis < 0 ? Effect.NO_EXPIRY : expireAtMillis;
        if (entry.hasExpiry() && !had) {
            expiries.add(entry.key);
        } else if (!entry.hasExpiry() && had) {
            expiries.remove(entry.key);
        }
    }

    private KeyEntry entryForWrite(byte[] key) {
        return table.getOrInsert(key, KeyHash.hash(key, hashSeed));
    }

    private KeyEntry existingForWrite(byte[] key) {
        KeyEntry entry = table.getForUpdate(key, KeyHash.hash(key, hashSeed));
        Invariants.check(entry != null, "effect on a missing key");
        return entry;
    }

    private HashValue hashForWrite(byte[] key) {
        KeyEntry entry = entryForWrite(key);
        if (entry.value == null) {
            entry.value = new HashValue(table.epoch());
        }
        return (HashValue) mutableCollection(entry, HashValue.class);
    }

    private SetValue setForWrite(byte[] key) {
        KeyEntry entry = entryForWrite(key);
        if (entry.value == null) {
            entry.value = new SetValue(table.epoch());
        }
        return (SetValue) mutableCollection(entry, SetValue.class);
    }

    private ListValue listForWrite(byte[] key) {
        KeyEntry entry = entryForWrite(key);
        if (entry.value == null) {
            entry.value = new ListValue(table.epoch());
        }
        return (ListValue) mutableCollection(entry, ListValue.class);
    }

    /**
     * The entry's collection, copied into the current epoch first if a snapshot may still read it. The
     * leader checks types before it emits an effect, so a wrong type here is a bug, not user input.
     */
    private Object mutableCollection(KeyEntry entry, Class<?> type) {
        Object value = entry.value;
        Invariants.check(type.isInstance(value), "effect for a %s on a %s", type.getSimpleName(),
                value == null ? "missing value" : value.getClass().getSimpleName());
        int epoch = table.epoch();
        switch (value) {
            case HashValue hash when hash.epoch != epoch -> entry.value = hash.copy(epoch);
            case SetValue set when set.epoch != epoch -> entry.value = set.copy(epoch);
            case ListValue list when list.epoch != epoch -> entry.value = list.copy(epoch);
            default -> { }
        }
        return entry.value;
    }
}
