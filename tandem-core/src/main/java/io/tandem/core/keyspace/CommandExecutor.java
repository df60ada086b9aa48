package io.tandem.core.keyspace;

import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;

/**
 * Runs keyspace commands: looks the command up, checks its arity, executes it and turns a
 * {@link CommandError} into its reply. Session commands (HELLO, MULTI, ...) never reach here.
 */
public final class CommandExecutor {
    private CommandExecutor() {}

    public static Reply execute(CommandContext ctx, byte[][] args) {
        CommandSpec spec = CommandTable.lookup(args[0]);
        if (spec == null || spec.handler() == null) {
            return unknownCommand(args);
        }
        if (!spec.arityAccepts(args.length)) {
            return Args.wrongArity(spec.name()).reply();
        }
        try {
            return spec.handler().execute(ctx, args);
        } catch (CommandError e) {
            return e.reply();
        }
    }

    /**
     * Redis 7's reply to an unknown command: the name (up to 128 bytes) and the first arguments, each
     * quoted and followed by a space, while the list is under 128 bytes. Example: "FOO a b" gives
     * "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ".
     */
    public static Reply unknownCommand(byte[][] args) {
        StringBuilder list = new StringBuilder();
        for (int i = 1; i < args.length && list.length() < 128; i++) {
            String arg = Ascii.string(args[i]);
            int room = 128 - list.length();
            list.append('\'').append(arg, 0, Math.min(arg.length(), room)).append("' ");
        }
        String name = Ascii.string(args[0]);
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        return Reply.error("ERR unknown command '" + name + "', with args beginning with: " + list);
    }

    public static Reply wrongArity(String name) {
        return Args.wrongArity(name).reply();
    }
}
