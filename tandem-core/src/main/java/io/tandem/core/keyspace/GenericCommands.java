package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.Args.integer;
import static io.tandem.core.keyspace.Args.is;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;
import java.util.ArrayList;
import java.util.List;

/** Commands on keys of any type: DEL, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, expiry, DBSIZE, FLUSHALL, ... */
final class GenericCommands {
    private GenericCommands() {}

    static Reply ping(CommandContext ctx, byte[][] args) {
        if (args.length > 2) {
            throw Args.wrongArity("ping");
        }
        return args.length == 1 ? Reply.PONG : new Reply.Bulk(args[1]);
    }

    static Reply echo(CommandContext ctx, byte[][] args) {
        return new Reply.Bulk(args[1]);
    }

    /** DEL and UNLINK: the number of keys that existed (an expired key does not count). */
    static Reply del(CommandContext ctx, byte[][] args) {
        int deleted = 0;
        for (int i = 1; i < args.length; i++) {
            if (ctx.lookup(args[i]) != null) {
                ctx.emit(new Effect.DeleteKey(args[i]));
                deleted++;
            }
        }
        return Reply.integer(deleted);
    }

    /** EXISTS counts a key once for each time it is named, as Redis does. */
    static Reply exists(CommandContext ctx, byte[][] args) {
        int found = 0;
        for (int i = 1; i < args.length; i++) {
            if (ctx.lookup(args[i]) != null) {
                found++;
            }
        }
        return Reply.integer(found);
    }

    static Reply type(CommandContext ctx, byte[][] args) {
        KeyEntry entry = ctx.lookup(args[1]);
        return new Reply.Simple(entry == null ? "none" : CommandContext.typeName(entry.value));
    }

    static Reply dbsize(CommandContext ctx, byte[][] args) {
        return Reply.integer(ctx.keyspace().size());
    }

    /** FLUSHALL / FLUSHDB [ASYNC | SYNC]: both are synchronous here (removing the root is O(1)). */
    static Reply flushall(CommandContext ctx, byte[][] args) {
        if (args.length > 2 || (args.length == 2 && !is(args[1], "ASYNC") && !is(args[1], "SYNC"))) {
            throw CommandError.SYNTAX;
        }
        if (ctx.keyspace().size() > 0) {
            ctx.emit(new Effect.FlushAll());
        }
        return Reply.OK;
    }

    /** KEYS pattern: every live key that matches (expired keys are skipped, not deleted, as in Redis). */
    static Reply keys(CommandContext ctx, byte[][] args) {
        byte[] pattern = args[1];
        boolean all = pattern.length == 1 && pattern[0] == '*';
        long now = ctx.nowMillis();
        List<Reply> keys = new ArrayList<>();
        ctx.keyspace().forEach(entry -> {
            if (!entry.isExpired(now) && (all || GlobMatcher.matches(pattern, entry.key))) {
                keys.add(new Reply.Bulk(entry.key));
            }
        });
        return new Reply.Array(keys);
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is a position in the key table's
     * hash order (see KeyTable.order): a key present from the first call to the last is returned exactly
     * once; one added or removed meanwhile may or may not be. Cursor 0 starts and ends a scan.
     */
    static Reply scan(CommandContext ctx, byte[][] args) {
        long cursor = parseCursor(args[1]);
        long count = 10;
        byte[] pattern = null;
        byte[] type = null;
        for (int i = 2; i < args.length; i += 2) {
            boolean hasValue = i + 1 < args.length;
            if (is(args[i], "COUNT") && hasValue) {
                count = integer(args[i + 1]);
                if (count < 1) {
                    throw CommandError.SYNTAX;
                }
            } else if (is(args[i], "MATCH") && hasValue) {
                byte[] p = args[i + 1];
                pattern = p.length == 1 && p[0] == '*' ? null : p;
            } else if (is(args[i], "TYPE") && hasValue) {
                type = args[i + 1];
            } else {
                throw CommandError.SYNTAX;
            }
        }
        long now = ctx.nowMillis();
        List<KeyEntry> batch = new ArrayList<>();
        long next = ctx.keyspace().scan(cursor, (int) Math.min(count, 1 << 20), batch::add);
        List<Reply> keys = new ArrayList<>(batch.size());
        for (KeyEntry entry : batch) {
            if (entry.isExpired(now)) {
                continue;
            }
            if (pattern != null && !GlobMatcher.matches(pattern, entry.key)) {
                continue;
            }
            if (type != null && !Ascii.equalsIgnoreCase(type, CommandContext.typeName(entry.value).toUpperCase())) {
                continue;
            }
            keys.add(new Reply.Bulk(entry.key));
        }
        String nextCursor = next < 0 ? "0" : Long.toUnsignedString(next);
        return new Reply.Array(List.of(Reply.bulk(nextCursor), new Reply.Array(keys)));
    }

    /** An unsigned 64-bit decimal, as Redis's parseScanCursorOrReply accepts. */
    private static long parseCursor(byte[] arg) {
        if (arg.length == 0 || arg.length > 20) {
            throw new CommandError("ERR invalid cursor");
        }
        for (byte b : arg) {
            if (b < '0' || b > '9') {
                throw new CommandError("ERR invalid cursor");
            }
        }
        try {
            return Long.parseUnsignedLong(Ascii.string(arg));
        } catch (NumberFormatException e) {
            throw new CommandError("ERR invalid cursor");
        }
    }

    /** RANDOMKEY: a live key at random, or nil; expired keys met on the way are deleted (bounded tries). */
    static Reply randomkey(CommandContext ctx, byte[][] args) {
        for (int tries = 0; tries < 100; tries++) {
            KeyEntry entry = ctx.keyspace().randomEntry(ctx.random());
            if (entry == null) {
                return Reply.NULL;
            }
            if (ctx.lookup(entry.key) != null) {
                return new Reply.Bulk(entry.key);
            }
        }
        return Reply.NULL;
    }

    static Reply expire(CommandContext ctx, byte[][] args) {
        return expireGeneric(ctx, args, ctx.nowMillis(), true, "expire");
    }

    static Reply pexpire(CommandContext ctx, byte[][] args) {
        return expireGeneric(ctx, args, ctx.nowMillis(), false, "pexpire");
    }

    static Reply expireat(CommandContext ctx, byte[][] args) {
        return expireGeneric(ctx, args, 0, true, "expireat");
    }

    static Reply pexpireat(CommandContext ctx, byte[][] args) {
        return expireGeneric(ctx, args, 0, false, "pexpireat");
    }

    /**
     * EXPIRE key time [NX | XX | GT | LT], as Redis 7's expireGenericCommand: a time in the past deletes
     * the key (returns 1); NX/XX/GT/LT compare with the current expiry, where "no expiry" is infinite.
     */
    private static Reply expireGeneric(CommandContext ctx, byte[][] args, long baseMillis, boolean seconds,
            String command) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.length; i++) {
            if (is(args[i], "NX")) {
                nx = true;
            } else if (is(args[i], "XX")) {
                xx = true;
            } else if (is(args[i], "GT")) {
                gt = true;
            } else if (is(args[i], "LT")) {
                lt = true;
            } else {
                throw new CommandError("ERR Unsupported option " + Ascii.string(args[i]));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new CommandError("ERR GT and LT options at the same time are not compatible");
        }
        long when = integer(args[2]);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw StringCommands.invalidExpire(command);
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - baseMillis) {
            throw StringCommands.invalidExpire(command);
        }
        when += baseMillis;
        KeyEntry entry = ctx.lookup(args[1]);
        if (entry == null) {
            return Reply.ZERO;
        }
        long current = entry.hasExpiry() ? entry.expireAtMillis : -1;
        if ((nx && current != -1) || (xx && current == -1)
                || (gt && (current == -1 || when <= current))
                || (lt && current != -1 && when >= current)) {
            return Reply.ZERO;
        }
        if (when <= ctx.nowMillis()) {
            ctx.emit(new Effect.DeleteKey(args[1]));
        } else {
            ctx.emit(new Effect.ExpireAt(args[1], when));
        }
        return Reply.ONE;
    }

    static Reply ttl(CommandContext ctx, byte[][] args) {
        return ttlGeneric(ctx, args[1], false);
    }

    static Reply pttl(CommandContext ctx, byte[][] args) {
        return ttlGeneric(ctx, args[1], true);
    }

    /** -2 for a missing key, -1 without expiry, else the time left (seconds rounded to nearest). */
    private static Reply ttlGeneric(CommandContext ctx, byte[] key, boolean millis) {
        KeyEntry entry = ctx.lookup(key);
        if (entry == null) {
            return Reply.integer(-2);
        }
        if (!entry.hasExpiry()) {
            return Reply.integer(-1);
        }
        long left = Math.max(0, entry.expireAtMillis - ctx.nowMillis());
        return Reply.integer(millis ? left : (left + 500) / 1000);
    }

    static Reply persist(CommandContext ctx, byte[][] args) {
        KeyEntry entry = ctx.lookup(args[1]);
        if (entry == null || !entry.hasExpiry()) {
            return Reply.ZERO;
        }
        ctx.emit(new Effect.Persist(args[1]));
        return Reply.ONE;
    }
}
