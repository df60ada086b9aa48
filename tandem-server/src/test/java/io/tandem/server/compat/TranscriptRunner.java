package io.tandem.server.compat;

import io.tandem.wire.resp.RespValue;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs script lines over one connection and writes down each reply as text ({@link RespValue#toString()},
 * normalized as the line's directive says), so that two servers' transcripts can be compared line by line.
 */
final class TranscriptRunner {
    static final Duration EXPIRY_DEADLINE = Duration.ofSeconds(5);
    private static final Pattern NOW = Pattern.compile("\\$\\{now(ms)?([+-][0-9]+)?}");
    private static final Comparator<RespValue> BY_TEXT = Comparator.comparing(RespValue::toString);

    private TranscriptRunner() {}

    /** A fresh connection, FLUSHALL (if asked), then every line; one transcript entry per line. */
    static List<String> run(int port, List<ScriptLine> lines, boolean flushFirst) throws IOException {
        try (RespConnection conn = new RespConnection(port)) {
            RespValue flushed = flushFirst ? conn.call("FLUSHALL") : null;
            if (flushed != null && !flushed.toString().equals("+OK")) {
                throw new AssertionError("FLUSHALL before the script answered " + flushed);
            }
            return run(conn, lines);
        }
    }

    static List<String> run(RespConnection conn, List<ScriptLine> lines) {
        List<String> transcript = new ArrayList<>(lines.size());
        String broken = null;
        for (ScriptLine line : lines) {
            if (broken != null) {
                transcript.add("(not run: " + broken + ")");
                continue;
            }
            try {
                transcript.add(step(conn, line));
            } catch (SocketTimeoutException e) {
                broken = "no reply within " + RespConnection.REPLY_TIMEOUT.toMillis() + " ms";
                transcript.add("(" + broken + ")");
            } catch (EOFException e) {
                broken = "connection closed by the server";
                transcript.add("(" + broken + ")");
            } catch (IOException e) {
                broken = e.toString();
                transcript.add("(" + broken + ")");
            }
        }
        return transcript;
    }

    private static String step(RespConnection conn, ScriptLine line) throws IOException {
        String directive = line.directive() == null ? "" : line.directive();
        switch (directive) {
            case "await-gone" -> {
                return awaitGone(conn, line.args().get(0));
            }
            case "scanall" -> {
                return scanAll(conn, line.args());
            }
            default -> {
                return render(line, conn.call(resolve(line.args())));
            }
        }
    }

    static String render(ScriptLine line, RespValue reply) {
        String directive = line.directive() == null ? "" : line.directive();
        return switch (directive) {
            case "" -> reply.toString();
            case "sort" -> sorted(reply).toString();
            case "sortpairs" -> sortedPairs(reply).toString();
            case "shape" -> shape(reply);
            case "within" -> reply instanceof RespValue.Int n && n.value() >= Long.parseLong(line.params().get(0))
                    && n.value() <= Long.parseLong(line.params().get(1))
                    ? ":in[" + line.params().get(0) + ".." + line.params().get(1) + "]" : reply.toString();
            case "sign" -> reply instanceof RespValue.Int n && n.value() > 0 ? ":positive" : reply.toString();
            case "mask" -> masked(reply, Set.of(line.params().get(0).split(","))).toString();
            default -> throw new AssertionError("unknown directive " + directive);
        };
    }

    /** Arguments with ${now+N} / ${nowms+N} computed now. */
    private static List<byte[]> resolve(List<byte[]> args) {
        List<byte[]> out = new ArrayList<>(args.size());
        for (byte[] arg : args) {
            Matcher m = NOW.matcher(new String(arg, StandardCharsets.ISO_8859_1));
            if (m.matches()) {
                long now = System.currentTimeMillis();
                long base = m.group(1) != null ? now : now / 1000;
                long offset = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
                out.add(Long.toString(base + offset).getBytes(StandardCharsets.US_ASCII));
            } else {
                out.add(arg);
            }
        }
        return out;
    }

    private static String awaitGone(RespConnection conn, byte[] key) throws IOException {
        long deadline = System.nanoTime() + EXPIRY_DEADLINE.toNanos();
        String last;
        do {
            RespValue exists = conn.call(List.of("EXISTS".getBytes(StandardCharsets.US_ASCII), key));
            last = exists.toString();
            if (last.equals(":0")) {
                return "gone";
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        } while (System.nanoTime() - deadline < 0);
        return "still there after " + EXPIRY_DEADLINE.toMillis() + " ms (EXISTS answered " + last + ")";
    }

    /** SCAN from the given cursor until the server says 0; the union of keys, sorted. */
    private static String scanAll(RespConnection conn, List<byte[]> scan) throws IOException {
        List<byte[]> args = new ArrayList<>(scan);
        Set<String> keys = new TreeSet<>();
        for (int round = 0; round < 10_000; round++) {
            RespValue reply = conn.call(args);
            if (!(reply instanceof RespValue.Array array) || array.items().size() != 2
                    || !(array.items().get(0) instanceof RespValue.Bulk cursor)
                    || !(array.items().get(1) instanceof RespValue.Array page)) {
                return round == 0 ? reply.toString() : "(SCAN round " + round + " answered " + reply + ")";
            }
            page.items().forEach(k -> keys.add(k.toString()));
            if (new String(cursor.bytes(), StandardCharsets.US_ASCII).equals("0")) {
                return "scan-all " + keys;
            }
            args.set(1, cursor.bytes());
        }
        return "(SCAN did not finish in 10000 rounds)";
    }

    static RespValue sorted(RespValue reply) {
        return switch (reply) {
            case RespValue.Array a -> new RespValue.Array(a.items().stream().sorted(BY_TEXT).toList());
            case RespValue.SetValue s -> new RespValue.SetValue(s.items().stream().sorted(BY_TEXT).toList());
            case RespValue.MapValue m -> new RespValue.MapValue(sortPairs(m.keysAndValues()));
            default -> reply;
        };
    }

    static RespValue sortedPairs(RespValue reply) {
        return switch (reply) {
            case RespValue.Array a when a.items().size() % 2 == 0 -> new RespValue.Array(sortPairs(a.items()));
            case RespValue.MapValue m -> new RespValue.MapValue(sortPairs(m.keysAndValues()));
            default -> reply;
        };
    }

    private static List<RespValue> sortPairs(List<RespValue> flat) {
        List<List<RespValue>> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            pairs.add(List.of(flat.get(i), flat.get(i + 1)));
        }
        pairs.sort(Comparator.comparing(p -> p.get(0) + "\u0000" + p.get(1)));
        return pairs.stream().flatMap(List::stream).toList();
    }

    /** Types and sizes only: [<bulk>, <bulk>] for a two-member SPOP. */
    static String shape(RespValue reply) {
        return switch (reply) {
            case RespValue.Int i -> ":<integer>";
            case RespValue.Bulk b -> "<bulk>";
            case RespValue.Array a -> "[" + String.join(", ", a.items().stream().map(TranscriptRunner::shape).toList())
                    + "]";
            case RespValue.SetValue s -> "~[" + String.join(", ", s.items().stream().map(TranscriptRunner::shape)
                    .toList()) + "]";
            default -> reply.toString();
        };
    }

    /**
     * The values of the named fields of a map (or of a flat RESP2 field/value array) replaced by <masked>,
     * at any depth (HELLO's reply inside an EXEC array too).
     */
    static RespValue masked(RespValue reply, Set<String> fields) {
        List<RespValue> flat = switch (reply) {
            case RespValue.MapValue m -> m.keysAndValues();
            case RespValue.Array a -> a.items();
            default -> null;
        };
        if (flat == null) {
            return reply;
        }
        List<RespValue> out = new ArrayList<>(flat.size());
        for (RespValue item : flat) {
            out.add(masked(item, fields));
        }
        for (int i = 0; i + 1 < out.size(); i += 2) {
            if (out.get(i) instanceof RespValue.Bulk key
                    && fields.contains(new String(key.bytes(), StandardCharsets.UTF_8))) {
                out.set(i + 1, new RespValue.Simple("<masked>"));
            }
        }
        return reply instanceof RespValue.MapValue ? new RespValue.MapValue(out) : new RespValue.Array(out);
    }
}
