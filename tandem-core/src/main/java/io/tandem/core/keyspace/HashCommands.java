package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.Args.integer;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.util.Ascii;
import io.tandem.core.util.ByteKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Hashes: HSET, HGET, HDEL, HGETALL, HINCRBY, ... */
final class HashCommands {
    private HashCommands() {}

    /** HSET key field value [field value ...]: the number of fields that were new. */
    static Reply hset(CommandContext ctx, byte[][] args) {
        return Reply.integer(put(ctx, args, "hset"));
    }

    static Reply hmset(CommandContext ctx, byte[][] args) {
        put(ctx, args, "hmset");
        return Reply.OK;
    }

    private static int put(CommandContext ctx, byte[][] args, String name) {
        if (args.length % 2 == 1) {
            throw Args.wrongArity(name);
        }
        HashValue hash = ctx.getHash(args[1]);
        byte[][] fieldsAndValues = new byte[args.length - 2][];
        System.arraycopy(args, 2, fieldsAndValues, 0, fieldsAndValues.length);
        // A field named twice in one command is new at most once: "HSET h a 1 a 2" on an empty h is 1.
        Set<ByteKey> added = new HashSet<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            ByteKey field = new ByteKey(fieldsAndValues[i]);
            if ((hash == null || !hash.fields.containsKey(field))) {
                added.add(field);
            }
        }
        ctx.emit(new Effect.HashPut(args[1], fieldsAndValues));
        return added.size();
    }

    static Reply hsetnx(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        if (hash != null && hash.get(args[2]) != null) {
            return Reply.ZERO;
        }
        ctx.emit(new Effect.HashPut(args[1], new byte[][] {args[2], args[3]}));
        return Reply.ONE;
    }

    static Reply hget(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        return Reply.bulk(hash == null ? null : hash.get(args[2]));
    }

    static Reply hmget(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        List<Reply> values = new ArrayList<>(args.length - 2);
        for (int i = 2; i < args.length; i++) {
            values.add(Reply.bulk(hash == null ? null : hash.get(args[i])));
        }
        return new Reply.Array(values);
    }

    static Reply hdel(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        if (hash == null) {
            return Reply.ZERO;
        }
        List<byte[]> present = new ArrayList<>();
        Set<ByteKey> seen = new HashSet<>();
        for (int i = 2; i < args.length; i++) {
            ByteKey field = new ByteKey(args[i]);
            if (hash.fields.containsKey(field) && seen.add(field)) {
                present.add(args[i]);
            }
        }
        if (!present.isEmpty()) {
            ctx.emit(new Effect.HashRemove(args[1], present.toArray(new byte[0][])));
        }
        return Reply.integer(present.size());
    }

    static Reply hgetall(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        if (hash == null) {
            return new Reply.MapReply(List.of());
        }
        List<Reply> items = new ArrayList<>(hash.size() * 2);
        for (Map.Entry<ByteKey, byte[]> e : hash.fields.entrySet()) {
            items.add(new Reply.Bulk(e.getKey().bytes()));
            items.add(new Reply.Bulk(e.getValue()));
        }
        return new Reply.MapReply(items);
    }

    static Reply hkeys(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        List<Reply> items = new ArrayList<>();
        if (hash != null) {
            for (ByteKey field : hash.fields.keySet()) {
                items.add(new Reply.Bulk(field.bytes()));
            }
        }
        return new Reply.Array(items);
    }

    static Reply hvals(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        List<Reply> items = new ArrayList<>();
        if (hash != null) {
            for (byte[] value : hash.fields.values()) {
                items.add(new Reply.Bulk(value));
            }
        }
        return new Reply.Array(items);
    }

    static Reply hlen(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        return Reply.integer(hash == null ? 0 : hash.size());
    }

    static Reply hexists(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        return hash != null && hash.get(args[2]) != null ? Reply.ONE : Reply.ZERO;
    }

    static Reply hstrlen(CommandContext ctx, byte[][] args) {
        HashValue hash = ctx.getHash(args[1]);
        byte[] value = hash == null ? null : hash.get(args[2]);
        return Reply.integer(value == null ? 0 : value.length);
    }

    /** HINCRBY key field increment: the increment is parsed first, then the type, then the field. */
    static Reply hincrby(CommandContext ctx, byte[][] args) {
        long increment = integer(args[3]);
        HashValue hash = ctx.getHash(args[1]);
        byte[] current = hash == null ? null : hash.get(args[2]);
        long value = 0;
        if (current != null) {
            long[] parsed = new long[1];
            if (!Ascii.parseLong(current, parsed)) {
                throw new CommandError("ERR hash value is not an integer");
            }
            value = parsed[0];
        }
        long result = Args.add(value, increment);
        ctx.emit(new Effect.HashPut(args[1], new byte[][] {args[2], Ascii.longBytes(result)}));
        return Reply.integer(result);
    }
}
