package io.tandem.core.keyspace;

import io.tandem.core.model.Reply;

/** Executes one command against the keyspace. {@code args[0]} is the command name. */
@FunctionalInterface
public interface CommandHandler {
    Reply execute(CommandContext context, byte[][] args);
}
