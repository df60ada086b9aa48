package io.tandem.core.keyspace;

import io.tandem.core.model.Reply;

/**
 * A command that fails with a Redis error reply. Thrown from deep inside argument parsing or type checks
 * and turned into the reply by the dispatcher; it has no stack trace, so throwing it is cheap.
 */
public final class CommandError extends RuntimeException {
    private final Reply.Error reply;

    public CommandError(String text) {
        super(text, null, false, false);
        this.reply = new Reply.Error(text);
    }

    public Reply.Error reply() {
        return reply;
    }

    public static final CommandError WRONG_TYPE =
            new CommandError("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static final CommandError NOT_INTEGER = new CommandError("ERR value is not an integer or out of range");
    public static final CommandError SYNTAX = new CommandError("ERR syntax error");
    public static final CommandError OVERFLOW = new CommandError("ERR increment or decrement would overflow");
    public static final CommandError NOT_POSITIVE = new CommandError("ERR value is out of range, must be positive");
}
