package io.tandem.storage.files;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names that carry an LSN as 20 zero-padded digits between a prefix and a suffix: WAL segments
 * ({@code 00000000000000000001.seg}) and snapshots ({@code snapshot-00000000000000001000.tsnap}). Twenty
 * digits hold any u64 below 10^20 (Long.MAX_VALUE has 19), so such names sort by LSN as strings too.
 */
public final class LsnFileName {
    private final String prefix;
    private final String suffix;
    private final Pattern pattern;

    public LsnFileName(String prefix, String suffix) {
        this.prefix = prefix;
        this.suffix = suffix;
        this.pattern = Pattern.compile(Pattern.quote(prefix) + "(\\d{20})" + Pattern.quote(suffix));
    }

    public String of(long lsn) {
        return String.format("%s%020d%s", prefix, lsn, suffix);
    }

    /** The LSN in a file name of this kind, or -1 if the name is not one. */
    public long lsnOf(String fileName) {
        Matcher m = pattern.matcher(fileName);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1)); // 20 digits can exceed Long.MAX_VALUE: not one of ours
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
