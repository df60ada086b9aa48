package io.tandem.core.replicaset;

import java.util.Locale;

/** What the leader does when the acknowledgement policy is not met in time. */
public enum OnAckTimeout {
    /** Reply with an error saying how many replicas acknowledged; the write stays in the log. */
    ERROR,
    /** Switch to async (and say so) until the replicas catch up. */
    DEGRADE;

    public static OnAckTimeout parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> ERROR;
            case "degrade" -> DEGRADE;
            default -> throw new IllegalArgumentException("unknown on-ack-timeout '" + text + "': allowed values are"
                    + " error, degrade");
        };
    }
}
