package io.tandem.server.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a differential script: one command per line, arguments split like redis-cli does ("double quotes"
 * with \n \r \t \" \\ \xHH escapes, 'single quotes' literal), blank lines and lines starting with # ignored.
 * A line may start with a directive that changes how its reply is compared:
 *
 * <pre>
 * @sort CMD ...              unordered reply: array/set items (map pairs) compared sorted
 * @sortpairs CMD ...         flat RESP2 field/value array (HGETALL): pairs compared sorted
 * @shape CMD ...             nondeterministic reply (SPOP, RANDOMKEY): only its types and sizes
 * @within LO HI CMD ...      integer reply (TTL, PTTL): only whether it lies in [LO, HI]
 * @sign CMD ...              integer reply: only whether it is positive
 * @mask f1,f2 CMD ...        map reply (HELLO): the values of fields f1, f2 hidden
 * @scanall SCAN 0 ...        SCAN iterated to the end (cursor values ignored), keys compared sorted
 * @await-gone KEY            no command: poll EXISTS KEY until it is 0, with a deadline
 * </pre>
 *
 * An argument ${now+N} (unix seconds) or ${nowms+N} (unix milliseconds) is computed when it is sent.
 */
final class ScriptParser {
    /** Directive name -> number of parameters before the command. */
    private static final Map<String, Integer> DIRECTIVES = Map.of("sort", 0, "sortpairs", 0, "shape", 0,
            "within", 2, "sign", 0, "mask", 1, "scanall", 0, "await-gone", 0);

    private ScriptParser() {}

    /** Reads the script at a class path resource (e.g. "compat/scripts/strings.redis"). */
    static List<ScriptLine> resource(String name) {
        try (InputStream in = ScriptParser.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + name);
            }
            String shortName = name.substring(name.lastIndexOf('/') + 1);
            return parse(shortName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + name, e);
        }
    }

    static List<ScriptLine> parse(String name, String text) {
        List<ScriptLine> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = name + ":" + (i + 1);
            List<byte[]> tokens;
            try {
                tokens = split(line);
            } catch (IllegalArgumentException e) {
                throw new AssertionError(where + ": " + e.getMessage() + ": " + line);
            }
            String directive = null;
            List<String> params = new ArrayList<>();
            if (line.startsWith("@")) {
                directive = new String(tokens.remove(0), StandardCharsets.UTF_8).substring(1);
                Integer count = DIRECTIVES.get(directive);
                if (count == null) {
                    throw new AssertionError(where + ": unknown directive @" + directive + " (known: "
                            + DIRECTIVES.keySet() + ")");
                }
                for (int p = 0; p < count && !tokens.isEmpty(); p++) {
                    params.add(new String(tokens.remove(0), StandardCharsets.UTF_8));
                }
                if (params.size() != count || tokens.isEmpty()) {
                    throw new AssertionError(where + ": @" + directive + " needs " + count
                            + " parameter(s) and then a command (or a key): " + line);
                }
            }
            lines.add(new ScriptLine(where, line, directive, List.copyOf(params), List.copyOf(tokens)));
        }
        return lines;
    }

    /** Splits a line into arguments the way redis-cli's sdssplitargs does. */
    static List<byte[]> split(String line) {
        byte[] in = line.getBytes(StandardCharsets.UTF_8);
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < in.length && Character.isWhitespace(in[i])) {
                i++;
            }
            if (i == in.length) {
                return out;
            }
            ByteArrayOutputStream arg = new ByteArrayOutputStream();
            boolean doubleQuoted = false;
            boolean singleQuoted = false;
            boolean done = false;
            while (!done) {
                if (doubleQuoted) {
                    if (i == in.length) {
                        throw new IllegalArgumentException("unterminated double quote");
                    }
                    byte c = in[i];
                    if (c == '\\' && i + 3 < in.length && in[i + 1] == 'x' && isHex(in[i + 2]) && isHex(in[i + 3])) {
                        arg.write(Integer.parseInt(new String(in, i + 2, 2, StandardCharsets.US_ASCII), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < in.length) {
                        i++;
                        arg.write(switch (in[i]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> in[i];
                        });
                    } else if (c == '"') {
                        if (i + 1 < in.length && !Character.isWhitespace(in[i + 1])) {
                            throw new IllegalArgumentException("closing quote must be followed by a space");
                        }
                        done = true;
                    } else {
                        arg.write(c);
                    }
                } else if (singleQuoted) {
                    if (i == in.length) {
                        throw new IllegalArgumentException("unterminated single quote");
                    }
                    byte c = in[i];
                    if (c == '\\' && i + 1 < in.length && in[i + 1] == '\'') {
                        i++;
                        arg.write('\'');
                    } else if (c == '\'') {
                        if (i + 1 < in.length && !Character.isWhitespace(in[i + 1])) {
                            throw new IllegalArgumentException("closing quote must be followed by a space");
                        }
                        done = true;
                    } else {
                        arg.write(c);
                    }
                } else if (i == in.length || Character.isWhitespace(in[i])) {
                    done = true;
                    i--;
                } else if (in[i] == '"') {
                    doubleQuoted = true;
                } else if (in[i] == '\'') {
                    singleQuoted = true;
                } else {
                    arg.write(in[i]);
                }
                i++;
            }
            out.add(arg.toByteArray());
        }
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }
}
