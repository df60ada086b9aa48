package io.tandem.sim.check;

import io.tandem.core.model.Reply;
import io.tandem.sim.sim.History;
import io.tandem.sim.sim.Operation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Are the leader's reads and writes linearizable? The Wing-Gong-Lowe search over each key's register
 * history (linearizability is local: a history is linearizable if every key's projection is), as Jepsen's
 * Knossos does it: find an order of the operations that respects real time (an operation that completed
 * before another was invoked comes first) and in which every result is what a single copy of the data
 * would have answered.
 *
 * <p>What is checked: the string keys k0..k3 (SET, GET, DEL, MGET) unless a write with a time to live
 * touched them in this run (an expiry takes effect at a moment no client sees), and the counters n0, n1
 * (INCR, GET), also inside transactions, which apply all their commands at one point. Reads count only
 * when a leader served them (followers are stale by design). A write that failed with -READONLY, -LOADING
 * or another refusal never executed and is left out; one that timed out, or failed with -TRYAGAIN or
 * -NOREPLICAS ("it may or may not survive"), is indeterminate: it may take effect at any point after its
 * invocation, or never.
 */
public final class LinearizabilityChecker {
    /** Search steps per key before giving up as inconclusive (counted, not failed): bounded work per run. */
    static final long MAX_STEPS_PER_KEY = 2_000_000;

    private LinearizabilityChecker() {}

    /** What was checked: keys, operations, and keys whose search was cut short. */
    public record Result(int keys, int operations, int inconclusiveKeys) {}

    /** One command of an operation on the key being checked, with its result (null: unknown). */
    private record Command(String name, String value, Reply result) {}

    /** An operation projected on one key: when it was invoked and completed (MAX_VALUE: indeterminate). */
    private record KeyOp(long invokedMicros, long completedMicros, List<Command> commands, Operation op) {}

    public static Result check(History history) {
        Set<String> expiring = expiringKeys(history);
        Map<String, List<KeyOp>> byKey = new TreeMap<>();
        for (Operation op : history.operations()) {
            project(op, expiring, byKey);
        }
        int operations = 0;
        int inconclusive = 0;
        for (Map.Entry<String, List<KeyOp>> e : byKey.entrySet()) {
            operations += e.getValue().size();
            if (!linearizable(e.getKey(), e.getValue())) {
                inconclusive++;
            }
        }
        return new Result(byKey.size(), operations, inconclusive);
    }

    private static Set<String> expiringKeys(History history) {
        Set<String> keys = new HashSet<>();
        for (Operation op : history.operations()) {
            for (byte[][] args : op.commands()) {
                if (word(args[0]).equals("SET") && args.length > 3) {
                    keys.add(word(args[1]));
                }
            }
        }
        return keys;
    }

    /** Adds op's commands on checked keys to their histories, if op counts (see the class comment). */
    private static void project(Operation op, Set<String> expiring, Map<String, List<KeyOp>> byKey) {
        Reply reply = op.reply();
        boolean indeterminate = reply == null || isError(reply, "TRYAGAIN") || isError(reply, "NOREPLICAS");
        if (op.kind() == Operation.Kind.READ && indeterminate) {
            return; // a read without an answer changed nothing
        }
        if (!indeterminate && (reply instanceof Reply.Error || reply instanceof Reply.NullArray)) {
            return; // refused before executing (READONLY, LOADING), or a transaction that did not run
        }
        // A follower's answer is stale by design: leave it out. Only reads can come from one: a follower refuses
        // every write, and a write's success can be released as its leader steps down (it was committed while
        // leading), so a write counts whoever released it (found by a soak: seed 209673).
        if (!indeterminate && !op.servedByLeader() && !writes(op)) {
            return;
        }
        List<Reply> results = new ArrayList<>();
        if (op.kind() == Operation.Kind.TRANSACTION) {
            if (!indeterminate && !(reply instanceof Reply.Array array && array.items().size() == op.commands().size())) {
                return;
            }
            for (int i = 0; i < op.commands().size(); i++) {
                results.add(indeterminate ? null : ((Reply.Array) reply).items().get(i));
            }
        } else {
            results.add(indeterminate ? null : reply);
        }
        Map<String, List<Command>> perKey = new TreeMap<>();
        for (int i = 0; i < op.commands().size(); i++) {
            byte[][] args = op.commands().get(i);
            String name = word(args[0]);
            Reply result = results.get(i);
            switch (name) {
                case "GET", "SET", "DEL", "INCR" -> {
                    String key = word(args[1]);
                    if (checked(key, expiring)) {
                        perKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Command(name,
                                name.equals("SET") ? word(args[2]) : null, result));
                    }
                }
                case "MGET" -> {
                    for (int k = 1; k < args.length; k++) {
                        String key = word(args[k]);
                        Reply value = result instanceof Reply.Array array ? array.items().get(k - 1) : null;
                        if (checked(key, expiring) && value != null) {
                            perKey.computeIfAbsent(key, x -> new ArrayList<>()).add(new Command("GET", null, value));
                        }
                    }
                }
                default -> { } // sets, hashes, lists: not modelled
            }
        }
        long completed = indeterminate ? Long.MAX_VALUE : op.completedMicros();
        perKey.forEach((key, commands) -> byKey.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new KeyOp(op.invokedMicros(), completed, commands, op)));
    }

    private static final Set<String> WRITE_COMMANDS = Set.of("SET", "DEL", "INCR", "SADD", "SREM", "HSET", "RPUSH",
            "LPOP");

    private static boolean writes(Operation op) {
        for (byte[][] args : op.commands()) {
            if (WRITE_COMMANDS.contains(word(args[0]))) {
                return true;
            }
        }
        return false;
    }

    private static boolean checked(String key, Set<String> expiring) {
        return (key.startsWith("k") && !expiring.contains(key)) || key.startsWith("n");
    }

    private static boolean isError(Reply reply, String prefix) {
        return reply instanceof Reply.Error e && e.text().startsWith(prefix);
    }

    private static String word(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    // ---- the model: one register per key (a string, or a counter kept as its decimal text) ---------------

    /** The state after op's commands, or null (as {@link #REFUSED}) if a result contradicts the state. */
    private static final String REFUSED = new String("refused");

    private static String apply(String state, KeyOp op) {
        for (Command c : op.commands()) {
            Reply r = c.result();
            switch (c.name()) {
                case "GET" -> {
                    if (r != null && !matches(state, r)) {
                        return REFUSED;
                    }
                }
                case "SET" -> {
                    if (r != null && !(r instanceof Reply.Simple)) {
                        return REFUSED;
                    }
                    state = c.value();
                }
                case "DEL" -> {
                    if (r instanceof Reply.Int count && count.value() != (state == null ? 0 : 1)) {
                        return REFUSED;
                    }
                    state = null;
                }
                case "INCR" -> {
                    long next = (state == null ? 0 : Long.parseLong(state)) + 1;
                    if (r instanceof Reply.Int value && value.value() != next) {
                        return REFUSED;
                    }
                    state = Long.toString(next);
                }
                default -> throw new IllegalStateException("not modelled: " + c.name());
            }
        }
        return state;
    }

    private static boolean matches(String state, Reply read) {
        return switch (read) {
            case Reply.NullBulk n -> state == null;
            case Reply.Bulk b -> state != null && state.equals(new String(b.bytes(), StandardCharsets.ISO_8859_1));
            default -> false;
        };
    }

    // ---- the search --------------------------------------------------------------------------------------

    /** A call or a return in the history, in a doubly linked list the search lifts operations out of. */
    private static final class Event {
        final int op;
        final boolean call;
        final long micros;
        Event prev;
        Event next;
        Event match;

        Event(int op, boolean call, long micros) {
            this.op = op;
            this.call = call;
            this.micros = micros;
        }
    }

    private record Linearized(BitSet ops, String state) {}

    /**
     * True when linearizable, false when the search was cut short; throws when no order exists.
     * Worked example: a SET k a that completed at 10, a GET k invoked at 12 that read nil: GET's call comes
     * after SET's return, so SET must come first in any order, and nil cannot follow it: not linearizable.
     */
    private static boolean linearizable(String key, List<KeyOp> ops) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Event call = new Event(i, true, ops.get(i).invokedMicros());
            Event ret = new Event(i, false, ops.get(i).completedMicros());
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
        }
        // Calls before returns at the same instant: such operations count as concurrent (never a false alarm).
        events.sort((a, b) -> a.micros != b.micros ? Long.compare(a.micros, b.micros) : Boolean.compare(!a.call, !b.call));
        Event head = new Event(-1, true, Long.MIN_VALUE);
        Event last = head;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        BitSet linearized = new BitSet(ops.size());
        Set<Linearized> seen = new HashSet<>();
        List<Event> stack = new ArrayList<>();
        List<String> states = new ArrayList<>();
        String state = null;
        Event entry = head.next;
        long steps = 0;
        while (entry != null) {
            if (++steps > MAX_STEPS_PER_KEY) {
                return false;
            }
            if (!entry.call && entry.micros == Long.MAX_VALUE) {
                return true; // only indeterminate operations are left: they may never have taken effect
            }
            if (entry.call) {
                String next = apply(state, ops.get(entry.op));
                BitSet with = (BitSet) linearized.clone();
                with.set(entry.op);
                if (next != REFUSED && seen.add(new Linearized(with, next))) {
                    stack.add(entry);
                    states.add(state);
                    linearized.set(entry.op);
                    state = next;
                    lift(entry);
                    entry = head.next;
                } else {
                    entry = entry.next;
                }
            } else {
                if (stack.isEmpty()) {
                    throw new InvariantViolation("linearizability", "no order of the operations on " + key
                            + " explains their results (real-time order and a single copy of the data):\n"
                            + describe(ops));
                }
                Event call = stack.remove(stack.size() - 1);
                state = states.remove(states.size() - 1);
                linearized.clear(call.op);
                unlift(call);
                entry = call.next;
            }
        }
        return true;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Event ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }

    /** The key's operations, the last 40 if there are more, one per line. */
    private static String describe(List<KeyOp> ops) {
        StringBuilder text = new StringBuilder();
        int from = Math.max(0, ops.size() - 40);
        if (from > 0) {
            text.append("    (").append(from).append(" earlier operations not shown)\n");
        }
        for (KeyOp op : ops.subList(from, ops.size())) {
            text.append("    ").append(op.op())
                    .append(op.completedMicros() == Long.MAX_VALUE ? "  [indeterminate]" : "").append('\n');
        }
        return text.toString();
    }
}
