package io.tandem.server.session;

import io.tandem.core.keyspace.CommandSpec;
import io.tandem.core.keyspace.CommandTable;
import io.tandem.core.model.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** COMMAND, COMMAND COUNT, COMMAND INFO and COMMAND DOCS, built from the core's command table. */
final class CommandDocs {
    private CommandDocs() {}

    static Reply command(byte[][] args) {
        if (args.length == 1) {
            List<Reply> all = new ArrayList<>();
            for (CommandSpec spec : CommandTable.all()) {
                all.add(info(spec));
            }
            return new Reply.Array(all);
        }
        String sub = SessionCommands.text(args[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "count" -> {
                if (args.length != 2) {
                    return SessionCommands.subcommandArity("command", sub);
                }
                return Reply.integer(CommandTable.all().size());
            }
            case "info" -> {
                List<Reply> items = new ArrayList<>();
                if (args.length == 2) {
                    CommandTable.all().forEach(spec -> items.add(info(spec)));
                }
                for (int i = 2; i < args.length; i++) {
                    CommandSpec spec = CommandTable.lookup(args[i]);
                    items.add(spec == null ? Reply.NULL_ARRAY : info(spec));
                }
                return new Reply.Array(items);
            }
            case "docs" -> {
                List<Reply> items = new ArrayList<>();
                if (args.length == 2) {
                    for (CommandSpec spec : CommandTable.all()) {
                        items.add(Reply.bulk(spec.name()));
                        items.add(docs(spec));
                    }
                }
                for (int i = 2; i < args.length; i++) {
                    CommandSpec spec = CommandTable.lookup(args[i]);
                    if (spec != null) {
                        items.add(Reply.bulk(spec.name()));
                        items.add(docs(spec));
                    }
                }
                return new Reply.MapReply(items);
            }
            default -> {
                return SessionCommands.unknownSubcommand(args[1], "COMMAND");
            }
        }
    }

    /** Redis 7's COMMAND entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static Reply info(CommandSpec spec) {
        List<Reply> flags = new ArrayList<>();
        if (spec.has(CommandSpec.WRITE)) {
            flags.add(new Reply.Simple("write"));
        }
        if (spec.has(CommandSpec.READONLY)) {
            flags.add(new Reply.Simple("readonly"));
        }
        if (spec.has(CommandSpec.FAST)) {
            flags.add(new Reply.Simple("fast"));
        }
        if (spec.has(CommandSpec.ADMIN)) {
            flags.add(new Reply.Simple("admin"));
        }
        if (spec.has(CommandSpec.NO_AUTH)) {
            flags.add(new Reply.Simple("no_auth"));
        }
        if (spec.has(CommandSpec.NO_MULTI)) {
            flags.add(new Reply.Simple("no_multi"));
        }
        return new Reply.Array(List.of(
                Reply.bulk(spec.name()),
                Reply.integer(spec.arity()),
                new Reply.SetReply(flags),
                Reply.integer(spec.firstKey()),
                Reply.integer(spec.lastKey()),
                Reply.integer(spec.keyStep()),
                new Reply.SetReply(List.of(new Reply.Simple("@" + spec.group()))),
                Reply.EMPTY_ARRAY,
                Reply.EMPTY_ARRAY,
                Reply.EMPTY_ARRAY));
    }

    private static Reply docs(CommandSpec spec) {
        return new Reply.MapReply(List.of(
                Reply.bulk("summary"), Reply.bulk(spec.summary()),
                Reply.bulk("since"), Reply.bulk(spec.since()),
                Reply.bulk("group"), Reply.bulk(spec.group())));
    }
}
