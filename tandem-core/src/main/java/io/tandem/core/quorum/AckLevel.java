package io.tandem.core.quorum;

import java.util.Locale;

/**
 * How far a replica must have taken an entry before its acknowledgement counts toward a write's ack
 * policy. Each level is PostgreSQL's {@code synchronous_commit} setting of the same strength. A replica
 * reports one LSN per level; the levels are compared separately (see {@link Member}).
 */
public enum AckLevel {
    /**
     * The replica has the entry, written but not necessarily synced: it survives the leader's crash, not
     * the replica's own. PostgreSQL's {@code remote_write}.
     */
    RECEIVED("received"),
    /** The replica has synced the entry to its log: it survives any single crash. PostgreSQL's {@code on}. */
    DURABLE("durable"),
    /**
     * The replica has applied the entry to its keyspace: a read there sees it (read-your-writes on any
     * replica). PostgreSQL's {@code remote_apply}.
     */
    APPLIED("applied");

    private static final String ALLOWED = "received, durable, applied";

    private final String configName;

    AckLevel(String configName) {
        this.configName = configName;
    }

    /**
     * The level named in the configuration: {@code received}, {@code durable} or {@code applied}, in any
     * letter case, surrounding whitespace ignored.
     *
     * @throws IllegalArgumentException naming the text and the allowed values
     */
    public static AckLevel parse(String text) {
        if (text != null) {
            // Only ASCII letters are lower-cased: "APPLİED" (dotted capital I) must not become "applied".
            String word = text.strip();
            for (AckLevel level : values()) {
                if (word.length() == level.configName.length() && isAscii(word)
                        && word.toLowerCase(Locale.ROOT).equals(level.configName)) {
                    return level;
                }
            }
        }
        String shown = text == null ? "null" : '"' + text + '"';
        throw new IllegalArgumentException("unknown ack level " + shown + "; expected one of: " + ALLOWED);
    }

    /** The configuration text, which {@link #parse} reads back: "received", "durable" or "applied". */
    @Override
    public String toString() {
        return configName;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
