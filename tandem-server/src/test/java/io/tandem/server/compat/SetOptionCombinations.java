package io.tandem.server.compat;

import java.util.ArrayList;
import java.util.List;

/**
 * Every sequence of one, two or three SET options (NX XX GET EX PX EXAT PXAT KEEPTTL, repeats included),
 * each tried on a missing key and on a key that has a TTL, followed by GET and TTL: what was refused, what
 * was set, and which TTL it left.
 */
final class SetOptionCombinations {
    private static final List<List<String>> OPTIONS = List.of(List.of("NX"), List.of("XX"), List.of("GET"),
            List.of("EX", "100"), List.of("PX", "100000"), List.of("EXAT", "${now+100}"),
            List.of("PXAT", "${nowms+100000}"), List.of("KEEPTTL"));

    private SetOptionCombinations() {}

    static List<ScriptLine> lines() {
        List<ScriptLine> lines = new ArrayList<>();
        List<List<Integer>> combinations = new ArrayList<>();
        for (int a = 0; a < OPTIONS.size(); a++) {
            combinations.add(List.of(a));
            for (int b = 0; b < OPTIONS.size(); b++) {
                combinations.add(List.of(a, b));
                for (int c = 0; c < OPTIONS.size(); c++) {
                    combinations.add(List.of(a, b, c));
                }
            }
        }
        for (List<Integer> combination : combinations) {
            List<String> set = new ArrayList<>(List.of("SET", "k", "new"));
            combination.forEach(i -> set.addAll(OPTIONS.get(i)));
            String where = "SET " + String.join(" ", set.subList(3, set.size()));
            lines.add(ScriptLine.command(where, "DEL", "k"));
            lines.add(ScriptLine.command(where, set.toArray(String[]::new)));
            lines.add(ScriptLine.command(where, "GET", "k"));
            lines.add(ScriptLine.command(where, "within", List.of("95", "100"), "TTL", "k"));
            lines.add(ScriptLine.command(where, "SET", "k", "old", "EX", "100"));
            lines.add(ScriptLine.command(where, set.toArray(String[]::new)));
            lines.add(ScriptLine.command(where, "GET", "k"));
            lines.add(ScriptLine.command(where, "within", List.of("95", "100"), "TTL", "k"));
        }
        return lines;
    }
}
