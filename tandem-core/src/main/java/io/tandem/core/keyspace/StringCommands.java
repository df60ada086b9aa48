package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.Args.integer;
import static io.tandem.core.keyspace.Args.is;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;
import java.util.ArrayList;
import java.util.List;

/** Strings and integers: GET, SET and its options, INCR family, APPEND, ... with Redis 7's replies. */
final class StringCommands {
    private StringCommands() {}

    /** Redis's proto-max-bulk-len default: the largest string APPEND may build. */
    static final long MAX_STRING_BYTES = 512L * 1024 * 1024;

    static Reply get(CommandContext ctx, byte[][] args) {
        return Reply.bulk(ctx.getString(args[1]));
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] */
    static Reply set(CommandContext ctx, byte[][] args) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        byte[] expireArg = null;
        String unit = null; // "EX", "PX", "EXAT", "PXAT"
        for (int i = 3; i < args.length; i++) {
            byte[] opt = args[i];
            boolean hasNext = i + 1 < args.length;
            if (is(opt, "NX") && !xx) {
                nx = true;
            } else if (is(opt, "XX") && !nx) {
                xx = true;
            } else if (is(opt, "GET")) {
                get = true;
            } else if (is(opt, "KEEPTTL") && unit == null) {
                keepTtl = true;
            } else if (!keepTtl && hasNext && expiryUnit(opt) != null
                    && (unit == null || unit.equals(expiryUnit(opt)))) {
                // Redis accepts the same unit twice ("EX 10 EX 20": the last wins), not two units.
                unit = expiryUnit(opt);
                expireArg = args[++i];
            } else {
                throw CommandError.SYNTAX;
            }
        }
        long expireAt = expireArg == null ? (keepTtl ? Effect.KEEP_TTL : Effect.NO_EXPIRY)
                : expireAtMillis(ctx, expireArg, unit, "set");
        Reply old = null;
        if (get) {
            old = Reply.bulk(ctx.getString(args[1])); // WRONGTYPE here sets nothing, as in Redis
        }
        boolean found = ctx.lookup(args[1]) != null;
        if ((nx && found) || (xx && !found)) {
            return get ? old : Reply.NULL;
        }
        ctx.emit(new Effect.PutString(args[1], args[2], expireAt));
        return get ? old : Reply.OK;
    }

    private static String expiryUnit(byte[] opt) {
        for (String unit : new String[] {"EX", "PX", "EXAT", "PXAT"}) {
            if (is(opt, unit)) {
                return unit;
            }
        }
        return null;
    }

    /**
     * An expiry argument as an absolute time, checked as Redis's getExpireMillisecondsOrReply does:
     * non-integer → not an integer; ≤ 0, or seconds that overflow when multiplied by 1000, or a relative
     * time that overflows when added to now → "invalid expire time in '&lt;command&gt;' command".
     */
    static long expireAtMillis(CommandContext ctx, byte[] arg, String unit, String command) {
        long value = integer(arg);
        boolean seconds = unit.equals("EX") || unit.equals("EXAT");
        if (value <= 0 || (seconds && value > Long.MAX_VALUE / 1000)) {
            throw invalidExpire(command);
        }
        long millis = seconds ? value * 1000 : value;
        if (unit.equals("EX") || unit.equals("PX")) {
            millis += ctx.nowMillis();
            if (millis <= 0) {
                throw invalidExpire(command);
            }
        }
        return millis;
    }

    static CommandError invalidExpire(String command) {
        return new CommandError("ERR invalid expire time in '" + command + "' command");
    }

    static Reply setnx(CommandContext ctx, byte[][] args) {
        if (ctx.lookup(args[1]) != null) {
            return Reply.ZERO;
        }
        ctx.emit(new Effect.PutString(args[1], args[2], Effect.NO_EXPIRY));
        return Reply.ONE;
    }

    static Reply setex(CommandContext ctx, byte[][] args) {
        long expireAt = expireAtMillis(ctx, args[2], "EX", "setex");
        ctx.emit(new Effect.PutString(args[1], args[3], expireAt));
        return Reply.OK;
    }

    static Reply psetex(CommandContext ctx, byte[][] args) {
        long expireAt = expireAtMillis(ctx, args[2], "PX", "psetex");
        ctx.emit(new Effect.PutString(args[1], args[3], expireAt));
        return Reply.OK;
    }

    static Reply getset(CommandContext ctx, byte[][] args) {
        Reply old = Reply.bulk(ctx.getString(args[1]));
        ctx.emit(new Effect.PutString(args[1], args[2], Effect.NO_EXPIRY));
        return old;
    }

    static Reply getdel(CommandContext ctx, byte[][] args) {
        byte[] value = ctx.getString(args[1]);
        if (value != null) {
            ctx.emit(new Effect.DeleteKey(args[1]));
        }
        return Reply.bulk(value);
    }

    static Reply mget(CommandContext ctx, byte[][] args) {
        List<Reply> values = new ArrayList<>(args.length - 1);
        for (int i = 1; i < args.length; i++) {
            KeyEntry entry = ctx.lookup(args[i]);
            values.add(entry != null && entry.value instanceof byte[] b ? new Reply.Bulk(b) : Reply.NULL);
        }
        return new Reply.Array(values);
    }

    static Reply mset(CommandContext ctx, byte[][] args) {
        if (args.length % 2 == 0) {
            throw Args.wrongArity("mset");
        }
        for (int i = 1; i < args.length; i += 2) {
            ctx.emit(new Effect.PutString(args[i], args[i + 1], Effect.NO_EXPIRY));
        }
        return Reply.OK;
    }

    static Reply msetnx(CommandContext ctx, byte[][] args) {
        if (args.length % 2 == 0) {
            throw Args.wrongArity("msetnx");
        }
        for (int i = 1; i < args.length; i += 2) {
            if (ctx.lookup(args[i]) != null) {
                return Reply.ZERO;
            }
        }
        for (int i = 1; i < args.length; i += 2) {
            ctx.emit(new Effect.PutString(args[i], args[i + 1], Effect.NO_EXPIRY));
        }
        return Reply.ONE;
    }

    static Reply incr(CommandContext ctx, byte[][] args) {
        return incrementBy(ctx, args[1], 1);
    }

    static Reply decr(CommandContext ctx, byte[][] args) {
        return incrementBy(ctx, args[1], -1);
    }

    static Reply incrby(CommandContext ctx, byte[][] args) {
        return incrementBy(ctx, args[1], integer(args[2]));
    }

    static Reply decrby(CommandContext ctx, byte[][] args) {
        long decrement = integer(args[2]);
        if (decrement == Long.MIN_VALUE) {
            throw new CommandError("ERR decrement would overflow");
        }
        return incrementBy(ctx, args[1], -decrement);
    }

    /** The stored string must itself be a Redis integer; the result keeps the key's TTL. */
    private static Reply incrementBy(CommandContext ctx, byte[] key, long increment) {
        byte[] current = ctx.getString(key);
        long value = current == null ? 0 : integer(current);
        long result = Args.add(value, increment);
        ctx.emit(new Effect.PutString(key, Ascii.longBytes(result), Effect.KEEP_TTL));
        return Reply.integer(result);
    }

    static Reply append(CommandContext ctx, byte[][] args) {
        byte[] current = ctx.getString(args[1]);
        if (current == null) {
            ctx.emit(new Effect.PutString(args[1], args[2], Effect.NO_EXPIRY));
            return Reply.integer(args[2].length);
        }
        long length = (long) current.length + args[2].length;
        if (length > MAX_STRING_BYTES) {
            throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        byte[] joined = new byte[(int) length];
        System.arraycopy(current, 0, joined, 0, current.length);
        System.arraycopy(args[2], 0, joined, current.length, args[2].length);
        ctx.emit(new Effect.PutString(args[1], joined, Effect.KEEP_TTL));
        return Reply.integer(length);
    }

    static Reply strlen(CommandContext ctx, byte[][] args) {
        byte[] value = ctx.getString(args[1]);
        return Reply.integer(value == null ? 0 : value.length);
    }
}
