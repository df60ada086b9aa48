package io.tandem.sim.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened in a run, for a human reading a failure: the last {@code capacity} lines in a ring buffer,
 * formatted only when printed (a run makes tens of thousands of lines and almost never fails). With
 * {@code keepAll} every line is also formatted and kept, which is how the determinism test compares two
 * runs of one seed line by line.
 *
 * <p>A line's detail is any immutable object (a message, a reply, an event); {@link Describe} formats it
 * without identity hashes, so equal runs print equal text.
 */
public final class Trace {
    private final long[] timesMicros;
    private final String[] whos;
    private final String[] whats;
    private final Object[] details;
    private final boolean keepAll;
    private final List<String> all = new ArrayList<>();
    private long count;

    public Trace(int capacity, boolean keepAll) {
        this.timesMicros = new long[capacity];
        this.whos = new String[capacity];
        this.whats = new String[capacity];
        this.details = new Object[capacity];
        this.keepAll = keepAll;
    }

    public void record(long timeMicros, String who, String what, Object detail) {
        int at = (int) (count % timesMicros.length);
        timesMicros[at] = timeMicros;
        whos[at] = who;
        whats[at] = what;
        details[at] = detail;
        count++;
        if (keepAll) {
            all.add(format(timeMicros, who, what, detail));
        }
    }

    public long count() {
        return count;
    }

    /** Every line of the run (only with keepAll). */
    public List<String> all() {
        return all;
    }

    /** The last {@code lines} lines (at most the capacity), oldest first, one per line of text. */
    public String tail(int lines) {
        int n = (int) Math.min(Math.min(lines, timesMicros.length), count);
        StringBuilder text = new StringBuilder();
        for (long i = count - n; i < count; i++) {
            int at = (int) (i % timesMicros.length);
            text.append("  ").append(format(timesMicros[at], whos[at], whats[at], details[at])).append('\n');
        }
        return text.toString();
    }

    static String format(long timeMicros, String who, String what, Object detail) {
        String time = String.format("%6d.%03d", timeMicros / 1000, timeMicros % 1000);
        String line = time + " " + pad(who) + " " + what;
        return detail == null ? line : line + " " + Describe.of(detail);
    }

    private static String pad(String who) {
        return who.length() >= 4 ? who : who + "    ".substring(who.length());
    }
}
