package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.Args.integer;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import java.util.ArrayList;
import java.util.List;

/** Lists: LPUSH, RPUSH, LPOP, RPOP, LRANGE, LLEN, LINDEX. */
final class ListCommands {
    private ListCommands() {}

    static Reply lpush(CommandContext ctx, byte[][] args) {
        return push(ctx, args, true);
    }

    static Reply rpush(CommandContext ctx, byte[][] args) {
        return push(ctx, args, false);
    }

    private static Reply push(CommandContext ctx, byte[][] args, boolean left) {
        ListValue list = ctx.getList(args[1]);
        int before = list == null ? 0 : list.size();
        byte[][] elements = new byte[args.length - 2][];
        System.arraycopy(args, 2, elements, 0, elements.length);
        ctx.emit(new Effect.ListPush(args[1], left, elements));
        return Reply.integer((long) before + elements.length);
    }

    static Reply lpop(CommandContext ctx, byte[][] args) {
        return pop(ctx, args, true, "lpop");
    }

    static Reply rpop(CommandContext ctx, byte[][] args) {
        return pop(ctx, args, false, "rpop");
    }

    /**
     * LPOP key [count]: without a count, one element or nil; with a count, an array of up to count
     * elements, an empty array for count 0, and a null array when the key is missing (Redis 7).
     */
    private static Reply pop(CommandContext ctx, byte[][] args, boolean left, String name) {
        if (args.length > 3) {
            throw Args.wrongArity(name);
        }
        boolean withCount = args.length == 3;
        long count = 0;
        if (withCount) {
            count = Args.positiveCount(args[2]);
        }
        ListValue list = ctx.getList(args[1]);
        if (list == null) {
            return withCount ? Reply.NULL_ARRAY : Reply.NULL;
        }
        if (withCount && count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        int n = withCount ? (int) Math.min(count, list.size()) : 1;
        List<Reply> popped = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            popped.add(new Reply.Bulk(list.get(left ? i : list.size() - 1 - i)));
        }
        ctx.emit(new Effect.ListPop(args[1], left, n));
        return withCount ? new Reply.Array(popped) : popped.get(0);
    }

    /**
     * LRANGE key start stop, inclusive, negative indexes from the end. Worked example on a 5-element
     * list: "LRANGE k -2 100" → start 3, stop clamped to 4 → 2 elements; "LRANGE k 3 1" → empty.
     */
    static Reply lrange(CommandContext ctx, byte[][] args) {
        long start = integer(args[2]);
        long stop = integer(args[3]);
        ListValue list = ctx.getList(args[1]);
        if (list == null) {
            return Reply.EMPTY_ARRAY;
        }
        long size = list.size();
        if (start < 0) {
            start += size;
        }
        if (stop < 0) {
            stop += size;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            return Reply.EMPTY_ARRAY;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        List<Reply> items = new ArrayList<>((int) (stop - start + 1));
        for (long i = start; i <= stop; i++) {
            items.add(new Reply.Bulk(list.get((int) i)));
        }
        return new Reply.Array(items);
    }

    static Reply llen(CommandContext ctx, byte[][] args) {
        ListValue list = ctx.getList(args[1]);
        return Reply.integer(list == null ? 0 : list.size());
    }

    /** LINDEX key index: Redis looks the key up before it parses the index. */
    static Reply lindex(CommandContext ctx, byte[][] args) {
        ListValue list = ctx.getList(args[1]);
        if (list == null) {
            return Reply.NULL;
        }
        long index = integer(args[2]);
        if (index < 0) {
            index += list.size();
        }
        return index < 0 || index >= list.size() ? Reply.NULL : new Reply.Bulk(list.get((int) index));
    }
}
