package io.tandem.core.keyspace;

/**
 * What the node knows about a command: its name, arity (Redis's convention: N means exactly N arguments
 * including the name, -N means at least N), flags, the positions of its keys (for COMMAND and for
 * routing), documentation for COMMAND DOCS, and the handler that executes it. Connection commands (HELLO,
 * AUTH, CLIENT, MULTI, ...) belong to the client session and have no handler here.
 */
public record CommandSpec(
        String name,
        int arity,
        int flags,
        int firstKey,
        int lastKey,
        int keyStep,
        String group,
        String since,
        String summary,
        CommandHandler handler) {

    /** Changes data: refused on a read-only replica, produces effects. */
    public static final int WRITE = 1;
    /** Only reads data. */
    public static final int READONLY = 1 << 1;
    /** Handled by the client session, not the keyspace (HELLO, AUTH, MULTI, CLIENT, ...). */
    public static final int SESSION = 1 << 2;
    /** Allowed before the client has authenticated. */
    public static final int NO_AUTH = 1 << 3;
    /** Administrative (CONFIG, FLUSHALL, INFO). */
    public static final int ADMIN = 1 << 4;
    /** O(1) or O(log n). */
    public static final int FAST = 1 << 5;
    /** Not allowed inside MULTI (MULTI, WATCH, ...): Redis answers "... inside MULTI is not allowed". */
    public static final int NO_MULTI = 1 << 6;
    /** Its result depends on the random generator (SPOP, RANDOMKEY): statement replication diverges. */
    public static final int RANDOM = 1 << 7;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Does an argument count (including the command name) satisfy the arity? */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }
}
