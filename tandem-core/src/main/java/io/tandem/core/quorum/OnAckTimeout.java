package io.tandem.core.quorum;

import java.util.Locale;

/** What the leader does when the acknowledgement policy is not met in time. */
public enum OnAckTimeout {
    /** Reply with an error saying how many replicas acknowledged; the write stays in the log. */
    ERROR,
    /** Switch to async (and say so) until the replicas catch up. */
    DEGRADE;

    /** The configuration text, which {@link #parse} reads back: "error" or "degrade". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OnAckTimeout parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> ERROR;
            case "degrade" -> DEGRADE;
            default -> throw new IllegalArgumentException("unknown on-ack-timeout '" + text + "': allowed values are"
                    + " error, degrade");
        };
    }
}
