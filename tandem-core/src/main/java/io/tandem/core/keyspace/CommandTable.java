package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.CommandSpec.ADMIN;
import static io.tandem.core.keyspace.CommandSpec.FAST;
import static io.tandem.core.keyspace.CommandSpec.NO_AUTH;
import static io.tandem.core.keyspace.CommandSpec.NO_MULTI;
import static io.tandem.core.keyspace.CommandSpec.RANDOM;
import static io.tandem.core.keyspace.CommandSpec.READONLY;
import static io.tandem.core.keyspace.CommandSpec.SESSION;
import static io.tandem.core.keyspace.CommandSpec.WRITE;

import io.tandem.core.util.Ascii;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every command the node knows, by lower-case name. Arity follows Redis (N exact, -N at least N, the
 * name included); key positions and documentation feed COMMAND and COMMAND DOCS.
 */
public final class CommandTable {
    private static final Map<String, CommandSpec> BY_NAME = new LinkedHashMap<>();

    /**
     * Open-addressing table for {@link #lookup(byte[])}: the name's bytes are hashed case-insensitively
     * in place, so finding a command allocates nothing (this runs for every request).
     */
    private static final int SLOTS = 256;
    private static final CommandSpec[] TABLE = new CommandSpec[SLOTS];
    private static final byte[][] TABLE_NAMES = new byte[SLOTS][];

    private CommandTable() {}

    public static CommandSpec lookup(byte[] name) {
        if (name.length == 0 || name.length > 32) {
            return null;
        }
        for (int i = hashIgnoreCase(name) & (SLOTS - 1); TABLE[i] != null; i = (i + 1) & (SLOTS - 1)) {
            if (equalsLowerCase(name, TABLE_NAMES[i])) {
                return TABLE[i];
            }
        }
        return null;
    }

    private static int hashIgnoreCase(byte[] name) {
        int h = 0x811c9dc5;
        for (byte b : name) {
            int c = b >= 'A' && b <= 'Z' ? b + 32 : b;
            h = (h ^ c) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsLowerCase(byte[] name, byte[] lower) {
        if (name.length != lower.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int c = name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i];
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static void index(CommandSpec spec) {
        byte[] name = Ascii.bytes(spec.name());
        int i = hashIgnoreCase(name) & (SLOTS - 1);
        while (TABLE[i] != null) {
            i = (i + 1) & (SLOTS - 1);
        }
        TABLE[i] = spec;
        TABLE_NAMES[i] = name;
    }

    public static CommandSpec lookup(String lowerName) {
        return BY_NAME.get(lowerName);
    }

    public static Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(BY_NAME.values());
    }

    private static void add(String name, int arity, int flags, int first, int last, int step, String group,
            String since, String summary, CommandHandler handler) {
        BY_NAME.put(name, new CommandSpec(name, arity, flags, first, last, step, group, since, summary, handler));
    }

    /** A command of the client session: no handler here (see the server's session). */
    private static void session(String name, int arity, int flags, String group, String since, String summary) {
        add(name, arity, flags | SESSION, 0, 0, 0, group, since, summary, null);
    }

    static {
        // connection and server commands handled by the client session
        session("hello", -1, NO_AUTH | FAST, "connection", "6.0.0", "Handshakes with the server.");
        session("auth", -2, NO_AUTH | FAST, "connection", "1.0.0", "Authenticates the connection.");
        session("client", -2, 0, "connection", "2.4.0", "A container for client connection commands.");
        session("select", 2, FAST, "connection", "1.0.0", "Changes the selected database (only 0 exists).");
        session("quit", -1, NO_AUTH | FAST, "connection", "1.0.0", "Closes the connection.");
        session("reset", 1, NO_AUTH | FAST | NO_MULTI, "connection", "6.2.0", "Resets the connection.");
        session("multi", 1, FAST | NO_MULTI, "transactions", "1.2.0", "Starts a transaction.");
        session("exec", 1, NO_MULTI, "transactions", "1.2.0", "Executes all commands in a transaction.");
        session("discard", 1, FAST | NO_MULTI, "transactions", "2.0.0", "Discards a transaction.");
        session("command", -1, 0, "server", "2.8.13", "Returns detailed information about all commands.");
        session("config", -2, ADMIN, "server", "2.0.0", "A container for server configuration commands.");
        session("info", -1, 0, "server", "1.0.0", "Returns information and statistics about the server.");
        session("bgsave", -1, ADMIN, "server", "1.0.0", "Takes a snapshot in the background.");
        session("role", 1, FAST, "server", "2.8.12", "Returns the replication role.");
        session("replicaof", 3, ADMIN | NO_MULTI, "server", "5.0.0",
                "Follows the member at host port, or with NO ONE leads (in a new term).");
        session("slaveof", 3, ADMIN | NO_MULTI, "server", "1.0.0", "An old name of REPLICAOF.");
        session("failover", -1, ADMIN | NO_MULTI, "server", "6.2.0",
                "Hands leadership to a caught-up replica (FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]).");
        session("wait", 3, NO_MULTI, "generic", "3.0.0",
                "Blocks until this connection's writes are applied by N replicas or the timeout passes.");
        session("tandem.lsn", 1, FAST, "tandem", "0.1.0",
                "Returns this connection's last acknowledged write as a token term:lsn, or nil.");
        session("tandem.waitlsn", 3, NO_MULTI, "tandem", "0.1.0",
                "Blocks until the write of a token term:lsn is applied on this node, or the timeout passes.");
        session("tandem.maxstaleness", 2, FAST, "tandem", "0.1.0",
                "Makes this connection's reads on a follower fail with -STALE while it lags more than N ms.");
        session("tandem.members", -1, ADMIN | NO_MULTI, "tandem", "0.1.0",
                "Lists the replica set's members, or changes them one at a time on the leader"
                        + " (ADD id host:peerport [NONVOTING] | REMOVE id | PROMOTE id | DEMOTE id).");
        session("shutdown", -1, ADMIN | NO_MULTI, "server", "1.0.0",
                "Stops the node cleanly (acknowledged writes are already durable).");

        // pub/sub (local to the node) and the Sentinel API, answered by the session
        session("subscribe", -2, NO_MULTI, "pubsub", "2.0.0", "Listens for messages published to channels.");
        session("unsubscribe", -1, NO_MULTI, "pubsub", "2.0.0", "Stops listening to messages posted to channels.");
        session("psubscribe", -2, NO_MULTI, "pubsub", "2.0.0",
                "Listens for messages published to channels that match patterns.");
        session("punsubscribe", -1, NO_MULTI, "pubsub", "2.0.0",
                "Stops listening to messages published to channels that match patterns.");
        session("publish", 3, FAST, "pubsub", "2.0.0",
                "Posts a message to a channel on this node; returns how many subscriptions received it.");
        session("pubsub", -2, 0, "pubsub", "2.8.0", "A container for pub/sub introspection commands.");
        session("sentinel", -2, 0, "sentinel", "2.8.4",
                "Redis Sentinel's API: where the replica set's leader and replicas are (GET-MASTER-ADDR-BY-NAME,"
                        + " MASTER, REPLICAS, SENTINELS, MYID).");

        // keyspace commands that touch no key
        add("ping", -1, FAST, 0, 0, 0, "connection", "1.0.0", "Returns the server's liveliness response.",
                GenericCommands::ping);
        add("echo", 2, FAST, 0, 0, 0, "connection", "1.0.0", "Returns the given string.", GenericCommands::echo);
        add("dbsize", 1, READONLY | FAST, 0, 0, 0, "server", "1.0.0", "Returns the number of keys.",
                GenericCommands::dbsize);
        add("flushall", -1, WRITE | ADMIN, 0, 0, 0, "server", "1.0.0", "Removes all keys.",
                GenericCommands::flushall);
        add("flushdb", -1, WRITE | ADMIN, 0, 0, 0, "server", "1.0.0", "Removes all keys of the database.",
                GenericCommands::flushall);
        add("keys", 2, READONLY, 0, 0, 0, "generic", "1.0.0", "Returns all key names that match a pattern.",
                GenericCommands::keys);
        add("scan", -2, READONLY, 0, 0, 0, "generic", "2.8.0", "Iterates over the key names.",
                GenericCommands::scan);
        add("randomkey", 1, READONLY | RANDOM, 0, 0, 0, "generic", "1.0.0", "Returns a random key name.",
                GenericCommands::randomkey);

        // generic key commands
        add("del", -2, WRITE, 1, -1, 1, "generic", "1.0.0", "Deletes one or more keys.", GenericCommands::del);
        add("unlink", -2, WRITE | FAST, 1, -1, 1, "generic", "4.0.0", "Deletes one or more keys.",
                GenericCommands::del);
        add("exists", -2, READONLY | FAST, 1, -1, 1, "generic", "1.0.0", "Determines whether keys exist.",
                GenericCommands::exists);
        add("type", 2, READONLY | FAST, 1, 1, 1, "generic", "1.0.0", "Determines the type of value of a key.",
                GenericCommands::type);
        add("expire", -3, WRITE | FAST, 1, 1, 1, "generic", "1.0.0", "Sets a key's time to live in seconds.",
                GenericCommands::expire);
        add("pexpire", -3, WRITE | FAST, 1, 1, 1, "generic", "2.6.0",
                "Sets a key's time to live in milliseconds.", GenericCommands::pexpire);
        add("expireat", -3, WRITE | FAST, 1, 1, 1, "generic", "1.2.0",
                "Sets the expiration time of a key to a Unix timestamp.", GenericCommands::expireat);
        add("pexpireat", -3, WRITE | FAST, 1, 1, 1, "generic", "2.6.0",
                "Sets the expiration time of a key to a Unix milliseconds timestamp.", GenericCommands::pexpireat);
        add("ttl", 2, READONLY | FAST, 1, 1, 1, "generic", "1.0.0", "Returns the time to live of a key in seconds.",
                GenericCommands::ttl);
        add("pttl", 2, READONLY | FAST, 1, 1, 1, "generic", "2.6.0",
                "Returns the time to live of a key in milliseconds.", GenericCommands::pttl);
        add("persist", 2, WRITE | FAST, 1, 1, 1, "generic", "2.2.0", "Removes the expiration time of a key.",
                GenericCommands::persist);

        // strings
        add("get", 2, READONLY | FAST, 1, 1, 1, "string", "1.0.0", "Returns the string value of a key.",
                StringCommands::get);
        add("set", -3, WRITE, 1, 1, 1, "string", "1.0.0", "Sets the string value of a key.", StringCommands::set);
        add("setnx", 3, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Sets a key only when it does not exist.",
                StringCommands::setnx);
        add("setex", 4, WRITE, 1, 1, 1, "string", "2.0.0", "Sets a key and its expiration in seconds.",
                StringCommands::setex);
        add("psetex", 4, WRITE, 1, 1, 1, "string", "2.6.0", "Sets a key and its expiration in milliseconds.",
                StringCommands::psetex);
        add("getset", 3, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Sets a key and returns its previous value.",
                StringCommands::getset);
        add("getdel", 2, WRITE | FAST, 1, 1, 1, "string", "6.2.0", "Returns a key's value and deletes it.",
                StringCommands::getdel);
        add("mget", -2, READONLY | FAST, 1, -1, 1, "string", "1.0.0", "Returns the values of keys.",
                StringCommands::mget);
        add("mset", -3, WRITE, 1, -1, 2, "string", "1.0.1", "Sets the values of keys.", StringCommands::mset);
        add("msetnx", -3, WRITE, 1, -1, 2, "string", "1.0.1", "Sets keys only when none of them exists.",
                StringCommands::msetnx);
        add("incr", 2, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Increments the integer value of a key by one.",
                StringCommands::incr);
        add("decr", 2, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Decrements the integer value of a key by one.",
                StringCommands::decr);
        add("incrby", 3, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Increments the integer value of a key.",
                StringCommands::incrby);
        add("decrby", 3, WRITE | FAST, 1, 1, 1, "string", "1.0.0", "Decrements the integer value of a key.",
                StringCommands::decrby);
        add("append", 3, WRITE | FAST, 1, 1, 1, "string", "2.0.0", "Appends a string to the value of a key.",
                StringCommands::append);
        add("strlen", 2, READONLY | FAST, 1, 1, 1, "string", "2.2.0", "Returns the length of a string value.",
                StringCommands::strlen);

        // hashes
        add("hset", -4, WRITE | FAST, 1, 1, 1, "hash", "2.0.0", "Sets fields of a hash.", HashCommands::hset);
        add("hmset", -4, WRITE | FAST, 1, 1, 1, "hash", "2.0.0", "Sets fields of a hash.", HashCommands::hmset);
        add("hsetnx", 4, WRITE | FAST, 1, 1, 1, "hash", "2.0.0", "Sets a field only when it does not exist.",
                HashCommands::hsetnx);
        add("hget", 3, READONLY | FAST, 1, 1, 1, "hash", "2.0.0", "Returns the value of a field.",
                HashCommands::hget);
        add("hmget", -3, READONLY | FAST, 1, 1, 1, "hash", "2.0.0", "Returns the values of fields.",
                HashCommands::hmget);
        add("hdel", -3, WRITE | FAST, 1, 1, 1, "hash", "2.0.0", "Deletes fields of a hash.", HashCommands::hdel);
        add("hgetall", 2, READONLY, 1, 1, 1, "hash", "2.0.0", "Returns all fields and values.",
                HashCommands::hgetall);
        add("hlen", 2, READONLY | FAST, 1, 1, 1, "hash", "2.0.0", "Returns the number of fields.",
                HashCommands::hlen);
        add("hexists", 3, READONLY | FAST, 1, 1, 1, "hash", "2.0.0", "Determines whether a field exists.",
                HashCommands::hexists);
        add("hincrby", 4, WRITE | FAST, 1, 1, 1, "hash", "2.0.0", "Increments the integer value of a field.",
                HashCommands::hincrby);
        add("hkeys", 2, READONLY, 1, 1, 1, "hash", "2.0.0", "Returns all fields of a hash.", HashCommands::hkeys);
        add("hvals", 2, READONLY, 1, 1, 1, "hash", "2.0.0", "Returns all values of a hash.", HashCommands::hvals);
        add("hstrlen", 3, READONLY | FAST, 1, 1, 1, "hash", "3.2.0", "Returns the length of a field's value.",
                HashCommands::hstrlen);

        // sets
        add("sadd", -3, WRITE | FAST, 1, 1, 1, "set", "1.0.0", "Adds members to a set.", SetCommands::sadd);
        add("srem", -3, WRITE | FAST, 1, 1, 1, "set", "1.0.0", "Removes members from a set.", SetCommands::srem);
        add("smembers", 2, READONLY, 1, 1, 1, "set", "1.0.0", "Returns all members of a set.",
                SetCommands::smembers);
        add("sismember", 3, READONLY | FAST, 1, 1, 1, "set", "1.0.0", "Determines whether a member is in a set.",
                SetCommands::sismember);
        add("scard", 2, READONLY | FAST, 1, 1, 1, "set", "1.0.0", "Returns the number of members.",
                SetCommands::scard);
        add("spop", -2, WRITE | FAST | RANDOM, 1, 1, 1, "set", "1.0.0", "Removes and returns random members.",
                SetCommands::spop);

        // lists
        add("lpush", -3, WRITE | FAST, 1, 1, 1, "list", "1.0.0", "Prepends elements to a list.",
                ListCommands::lpush);
        add("rpush", -3, WRITE | FAST, 1, 1, 1, "list", "1.0.0", "Appends elements to a list.",
                ListCommands::rpush);
        add("lpop", -2, WRITE | FAST, 1, 1, 1, "list", "1.0.0", "Removes and returns the first elements.",
                ListCommands::lpop);
        add("rpop", -2, WRITE | FAST, 1, 1, 1, "list", "1.0.0", "Removes and returns the last elements.",
                ListCommands::rpop);
        add("lrange", 4, READONLY, 1, 1, 1, "list", "1.0.0", "Returns a range of elements.", ListCommands::lrange);
        add("llen", 2, READONLY | FAST, 1, 1, 1, "list", "1.0.0", "Returns the length of a list.",
                ListCommands::llen);
        add("lindex", 3, READONLY, 1, 1, 1, "list", "1.0.0", "Returns an element by its index.",
                ListCommands::lindex);

        // Tandem's own
        add("tandem.digest", 1, READONLY, 0, 0, 0, "tandem", "0.1.0",
                "Returns a hash of the whole keyspace: equal digests mean equal data.", TandemCommands::digest);

        // Keep the lookup table at most half full so probe runs stay short.
        if (BY_NAME.size() > SLOTS / 2) {
            throw new IllegalStateException("command lookup table too small for " + BY_NAME.size() + " commands");
        }
        BY_NAME.values().forEach(CommandTable::index);
    }
}
