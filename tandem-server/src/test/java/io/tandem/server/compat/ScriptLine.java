package io.tandem.server.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a differential script: a command (its arguments as bytes) and, optionally, a directive that
 * says how its reply is compared (see {@link ScriptParser} for the directives).
 *
 * @param where "file:line" (or "random#n"), for messages
 * @param directive null for an exact comparison
 */
record ScriptLine(String where, String source, String directive, List<String> params, List<byte[]> args) {

    static ScriptLine command(String where, String directive, List<String> params, String... args) {
        List<byte[]> bytes = new ArrayList<>(args.length);
        StringBuilder source = new StringBuilder(directive == null ? "" : "@" + directive + " ");
        for (String p : params) {
            source.append(p).append(' ');
        }
        for (String a : args) {
            bytes.add(a.getBytes(StandardCharsets.UTF_8));
            source.append(a.isEmpty() || a.indexOf(' ') >= 0 ? "\"" + a + "\"" : a).append(' ');
        }
        return new ScriptLine(where, source.toString().strip(), directive, List.copyOf(params), List.copyOf(bytes));
    }

    static ScriptLine command(String where, String... args) {
        return command(where, null, List.of(), args);
    }

    String commandName() {
        return args.isEmpty() ? "" : new String(args.get(0), StandardCharsets.UTF_8);
    }
}
