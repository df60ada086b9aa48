package io.tandem.core.model;

import java.util.Objects;

/**
 * The name of one node of the cluster, as written in the configuration, in ack policies
 * ({@code first 2 (n1, n2)}), in peer messages, metrics labels and the timeline.
 *
 * <p>A name is 1 to {@value #MAX_NAME_CHARS} ASCII characters among letters, digits, '-', '_' and '.':
 * it must survive a configuration file, a command line, a Prometheus label and a policy list unquoted.
 * Names are compared exactly (case-sensitive), in ordinal order, so sorting them is the same everywhere.
 */
public record NodeId(String name) implements Comparable<NodeId> {
    public static final int MAX_NAME_CHARS = 64;

    /** How much of a rejected name an error message quotes: enough to recognise it, never a megabyte. */
    private static final int MAX_QUOTED_CHARS = 80;

    public NodeId {
        Objects.requireNonNull(name, "node id is null");
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid node id " + quote(name) + ": " + problem);
        }
    }

    public static NodeId of(String name) {
        return new NodeId(name);
    }

    /** Whether {@code c} may appear in a node name. Parsers use it to find where a name ends. */
    public static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.';
    }

    @Override
    public int compareTo(NodeId other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }

    /** What is wrong with a name, or null when nothing is. */
    private static String problem(String name) {
        if (name.isEmpty()) {
            return "it is empty; a name has 1 to " + MAX_NAME_CHARS + " characters";
        }
        if (name.length() > MAX_NAME_CHARS) {
            return "it has " + name.length() + " characters, at most " + MAX_NAME_CHARS + " are allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isNameChar(c)) {
                return "character " + show(c) + " at position " + (i + 1)
                        + " is not allowed (use letters, digits, '-', '_' and '.')";
            }
        }
        return null;
    }

    private static String quote(String name) {
        return name.length() <= MAX_QUOTED_CHARS
                ? '"' + name + '"'
                : '"' + name.substring(0, MAX_QUOTED_CHARS) + "\"...";
    }

    /** A printable character as itself in quotes, anything else (a space, a tab, a non-ASCII) as U+XXXX. */
    private static String show(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
