package io.tandem.core.keyspace;

import static io.tandem.core.keyspace.Args.integer;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Reply;
import io.tandem.core.util.ByteKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Sets: SADD, SREM, SMEMBERS, SISMEMBER, SCARD, SPOP. */
final class SetCommands {
    private SetCommands() {}

    /** SADD key member [member ...]: the number added; the effect carries only the new members. */
    static Reply sadd(CommandContext ctx, byte[][] args) {
        SetValue set = ctx.getSet(args[1]);
        List<byte[]> added = new ArrayList<>();
        Set<ByteKey> seen = new HashSet<>();
        for (int i = 2; i < args.length; i++) {
            ByteKey member = new ByteKey(args[i]);
            if ((set == null || !set.members.contains(member)) && seen.add(member)) {
                added.add(args[i]);
            }
        }
        if (!added.isEmpty()) {
            ctx.emit(new Effect.SetAdd(args[1], added.toArray(new byte[0][])));
        }
        return Reply.integer(added.size());
    }

    static Reply srem(CommandContext ctx, byte[][] args) {
        SetValue set = ctx.getSet(args[1]);
        if (set == null) {
            return Reply.ZERO;
        }
        List<byte[]> removed = new ArrayList<>();
        Set<ByteKey> seen = new HashSet<>();
        for (int i = 2; i < args.length; i++) {
            ByteKey member = new ByteKey(args[i]);
            if (set.members.contains(member) && seen.add(member)) {
                removed.add(args[i]);
            }
        }
        if (!removed.isEmpty()) {
            ctx.emit(new Effect.SetRemove(args[1], removed.toArray(new byte[0][])));
        }
        return Reply.integer(removed.size());
    }

    static Reply smembers(CommandContext ctx, byte[][] args) {
        SetValue set = ctx.getSet(args[1]);
        List<Reply> items = new ArrayList<>();
        if (set != null) {
            for (ByteKey member : set.members) {
                items.add(new Reply.Bulk(member.bytes()));
            }
        }
        return new Reply.SetReply(items);
    }

    static Reply sismember(CommandContext ctx, byte[][] args) {
        SetValue set = ctx.getSet(args[1]);
        return set != null && set.contains(args[2]) ? Reply.ONE : Reply.ZERO;
    }

    static Reply scard(CommandContext ctx, byte[][] args) {
        SetValue set = ctx.getSet(args[1]);
        return Reply.integer(set == null ? 0 : set.size());
    }

    /**
     * SPOP key [count]. The members are chosen by this node's random generator; what goes to the log is
     * "remove these members" (row format), so followers end with the same set whatever their generator.
     */
    static Reply spop(CommandContext ctx, byte[][] args) {
        if (args.length > 3) {
            throw CommandError.SYNTAX;
        }
        boolean withCount = args.length == 3;
        long count = 1;
        if (withCount) {
            count = Args.positiveCount(args[2]);
        }
        SetValue set = ctx.getSet(args[1]);
        if (set == null) {
            return withCount ? new Reply.SetReply(List.of()) : Reply.NULL;
        }
        if (count == 0) {
            return new Reply.SetReply(List.of());
        }
        List<byte[]> chosen = pick(set, (int) Math.min(count, set.size()), ctx);
        ctx.emit(new Effect.SetRemove(args[1], chosen.toArray(new byte[0][])));
        if (!withCount) {
            return new Reply.Bulk(chosen.get(0));
        }
        List<Reply> items = new ArrayList<>(chosen.size());
        for (byte[] member : chosen) {
            items.add(new Reply.Bulk(member));
        }
        return new Reply.SetReply(items);
    }

    /** Picks n distinct members at random (selection sampling over the members in order). */
    private static List<byte[]> pick(SetValue set, int n, CommandContext ctx) {
        List<byte[]> chosen = new ArrayList<>(n);
        int left = set.size();
        Iterator<ByteKey> it = set.members.iterator();
        while (chosen.size() < n) {
            ByteKey member = it.next();
            // Take this member with probability (still needed) / (still left): exactly n overall.
            if (ctx.random().nextInt(left) < n - chosen.size()) {
                chosen.add(member.bytes());
            }
            left--;
        }
        return chosen;
    }
}
