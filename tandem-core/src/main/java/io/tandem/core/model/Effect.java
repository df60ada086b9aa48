package io.tandem.core.model;

/**
 * One change to the keyspace, as shipped in the log (row format): the resulting value, never the command
 * that produced it. Applying the same effects in the same order to the same keyspace gives the same
 * keyspace on every node, whatever its clock or random generator. A command that changes nothing
 * produces no effect.
 *
 * <p>Keys, fields and values are never modified after the effect is built; the keyspace keeps the arrays.
 */
public sealed interface Effect {

    /** Expiry value meaning "no time to live". */
    long NO_EXPIRY = -1;
    /** Expiry value meaning "keep the key's current time to live" (SET KEEPTTL, INCR, APPEND). */
    long KEEP_TTL = -2;

    byte[] key();

    /** The key holds this string; any previous value of any type is replaced. */
    record PutString(byte[] key, byte[] value, long expireAtMillis) implements Effect {}

    /** The key is removed (DEL, a lazy or active expiry decided by the node that owns writes). */
    record DeleteKey(byte[] key) implements Effect {}

    /** The key expires at this absolute time of the writing node's clock (milliseconds since epoch). */
    record ExpireAt(byte[] key, long atMillis) implements Effect {}

    /** The key's time to live is removed. */
    record Persist(byte[] key) implements Effect {}

    /** Fields of a hash are set: {@code fieldsAndValues} alternates field, value. Creates the hash. */
    record HashPut(byte[] key, byte[][] fieldsAndValues) implements Effect {}

    /** Fields are removed from a hash; the key is removed with its last field. */
    record HashRemove(byte[] key, byte[][] fields) implements Effect {}

    /** Members are added to a set. Creates the set. */
    record SetAdd(byte[] key, byte[][] members) implements Effect {}

    /** Members are removed from a set; the key is removed with its last member. */
    record SetRemove(byte[] key, byte[][] members) implements Effect {}

    /** Elements are pushed one by one at the head (left) or tail of a list. Creates the list. */
    record ListPush(byte[] key, boolean left, byte[][] elements) implements Effect {}

    /** {@code count} elements are removed from the head (left) or tail; the key goes with its last one. */
    record ListPop(byte[] key, boolean left, int count) implements Effect {}

    /**
     * Statement format: the command itself, for replicas to execute again (with their own clock and random
     * generator, which is how statement replication diverges on SPOP and friends). Never applied by
     * {@link io.tandem.core.keyspace.Keyspace#apply}: see {@code EntryApplier}.
     */
    record Statement(byte[][] args) implements Effect {
        @Override
        public byte[] key() {
            return args.length > 1 ? args[1] : new byte[0];
        }
    }

    /**
     * The replica set's members change (TANDEM.MEMBERS): every node uses {@code membership} from the moment
     * the entry is in its log. Not a change to the keyspace: {@link io.tandem.core.keyspace.Keyspace#apply}
     * ignores it.
     */
    record Reconfigure(Membership membership) implements Effect {
        private static final byte[] NO_KEY = new byte[0];

        @Override
        public byte[] key() {
            return NO_KEY;
        }
    }

    /** Every key is removed. */
    record FlushAll() implements Effect {
        private static final byte[] NO_KEY = new byte[0];

        @Override
        public byte[] key() {
            return NO_KEY;
        }
    }
}
