package io.tandem.server.compat;

import java.util.ArrayList;
import java.util.List;

/** Compares a Redis transcript with a Tandem one and, when they differ, says where, side by side. */
final class TranscriptDiff {
    private static final int CONTEXT = 3;
    private static final int MAX_REPORTED = 40;
    private static final int COLUMN = 48;

    private TranscriptDiff() {}

    /** Null when equal; otherwise the report. */
    static String compare(String title, List<ScriptLine> lines, List<String> redis, List<String> tandem) {
        List<Integer> mismatches = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!redis.get(i).equals(tandem.get(i))) {
                mismatches.add(i);
            }
        }
        if (mismatches.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        out.append(title).append(": ").append(mismatches.size()).append(" of ").append(lines.size())
                .append(" replies differ between Redis and Tandem\n");
        int shown = 0;
        for (int i : mismatches) {
            if (shown++ == MAX_REPORTED) {
                out.append("  ... ").append(mismatches.size() - MAX_REPORTED).append(" more\n");
                break;
            }
            ScriptLine line = lines.get(i);
            out.append("  ").append(line.where()).append("  ").append(line.source()).append('\n')
                    .append("      redis : ").append(redis.get(i)).append('\n')
                    .append("      tandem: ").append(tandem.get(i)).append('\n');
        }
        int whereWidth = 5;
        for (ScriptLine line : lines) {
            whereWidth = Math.max(whereWidth, line.where().length());
        }
        String row = "%-" + whereWidth + "s %-" + COLUMN + "s | %-" + COLUMN + "s | %s%n";
        out.append("\nside by side (! marks a difference):\n");
        out.append("  ").append(String.format(row, "where", "command", "redis", "tandem"));
        int printedUpTo = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (!near(i, mismatches)) {
                continue;
            }
            if (printedUpTo >= 0 && i > printedUpTo + 1) {
                out.append("  ...\n");
            }
            printedUpTo = i;
            boolean differs = !redis.get(i).equals(tandem.get(i));
            out.append(differs ? "! " : "  ")
                    .append(String.format(row, lines.get(i).where(),
                            cut(lines.get(i).source()), cut(redis.get(i)), tandem.get(i)));
        }
        return out.toString();
    }

    private static boolean near(int i, List<Integer> mismatches) {
        for (int m : mismatches) {
            if (i >= m - CONTEXT && i <= m + 1) {
                return true;
            }
        }
        return false;
    }

    private static String cut(String s) {
        return s.length() <= COLUMN ? s : s.substring(0, COLUMN - 3) + "...";
    }
}
