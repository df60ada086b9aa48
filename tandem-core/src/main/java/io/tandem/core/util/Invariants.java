package io.tandem.core.util;

/**
 * Always-on invariant checks (not {@code assert}, which is off in production). A failed invariant means
 * the node's state can no longer be trusted, so it throws an {@link IllegalStateException} that the
 * runtime treats as fatal for the node.
 */
public final class Invariants {
    private Invariants() {}

    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + message);
        }
    }

    public static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + String.format(format, args));
        }
    }
}
