package io.tandem.sim.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified-style diff of two texts by lines (longest common subsequence), with a few lines of context
 * around each change: what a golden-file mismatch prints, so the reader sees what moved without a tool.
 */
final class LineDiff {
    private static final int CONTEXT_LINES = 2;

    private LineDiff() {}

    static String of(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        // common[i][j]: length of the longest common subsequence of a[i..] and b[j..]
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                lines.add("  " + a.get(i++));
                j++;
            } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
                lines.add("- " + a.get(i++)); // a changed line shows as removed, then added, as diff -u does
            } else {
                lines.add("+ " + b.get(j++));
            }
        }
        return withContext(lines);
    }

    /** Keeps changed lines and CONTEXT_LINES around each; "..." marks what was left out. */
    private static String withContext(List<String> lines) {
        boolean[] keep = new boolean[lines.size()];
        for (int k = 0; k < lines.size(); k++) {
            if (!lines.get(k).startsWith("  ")) {
                for (int c = Math.max(0, k - CONTEXT_LINES); c <= Math.min(lines.size() - 1, k + CONTEXT_LINES); c++) {
                    keep[c] = true;
                }
            }
        }
        StringBuilder text = new StringBuilder("--- expected (golden file)\n+++ actual (this run)\n");
        boolean skipping = false;
        for (int k = 0; k < lines.size(); k++) {
            if (keep[k]) {
                text.append(lines.get(k)).append('\n');
                skipping = false;
            } else if (!skipping) {
                text.append("...\n");
                skipping = true;
            }
        }
        return text.toString();
    }
}
