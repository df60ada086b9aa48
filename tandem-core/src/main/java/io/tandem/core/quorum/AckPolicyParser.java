package io.tandem.core.quorum;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an ack policy's configuration text (grammar below) into an {@link AckPolicy}, or says exactly
 * what is wrong with it. Whitespace may appear anywhere between tokens; keywords are case-insensitive.
 * <pre>
 *   policy := "async" | "quorum" | "all" | "semi-sync" K | ("first" | "any") K "(" name ("," name)* ")"
 *   K      := decimal integer &gt;= 1
 *   name   := a {@link NodeId} name
 * </pre>
 * A word is a run of node-name characters, so {@code first 2(a,b)} reads like {@code first 2 (a, b)}
 * while {@code semi-sync2} is one unknown word.
 */
final class AckPolicyParser {
    /** Longer configuration text is a mistake, not a policy: 4 KiB fits a list of 60 full-length names. */
    static final int MAX_TEXT_CHARS = 4096;

    private static final String EXPECTED =
            "expected one of: async, semi-sync K, quorum, all, first K (names...), any K (names...)";

    private final String text;
    private final List<String> tokens = new ArrayList<>();
    private int next;

    private AckPolicyParser(String text) {
        this.text = text;
    }

    static AckPolicy parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("ack policy is missing; " + EXPECTED);
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("ack policy is " + text.length() + " characters long, at most "
                    + MAX_TEXT_CHARS + " are allowed");
        }
        AckPolicyParser parser = new AckPolicyParser(text);
        try {
            parser.tokenize();
            return parser.policy();
        } catch (IllegalArgumentException e) {
            // Errors from NodeId and the policy records say what is wrong; add which text it is.
            throw new IllegalArgumentException("invalid ack policy \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** Splits the text into words, "(", ")" and ","; anything else is an error naming its column. */
    private void tokenize() {
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (NodeId.isNameChar(c)) {
                int start = i;
                while (i < text.length() && NodeId.isNameChar(text.charAt(i))) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            } else {
                String shown = c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
                throw new IllegalArgumentException("unexpected character " + shown + " at column " + (i + 1));
            }
        }
    }

    private AckPolicy policy() {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("it is empty; " + EXPECTED);
        }
        String keyword = take();
        AckPolicy policy = switch (keyword.toLowerCase(Locale.ROOT)) {
            case "async" -> new AckPolicy.Async();
            case "quorum" -> new AckPolicy.Quorum();
            case "all" -> new AckPolicy.All();
            case "semi-sync" -> new AckPolicy.SemiSync(k("semi-sync", "semi-sync 1"));
            case "first" -> new AckPolicy.First(k("first", "first 1 (n1, n2)"), standbys());
            case "any" -> new AckPolicy.Any(k("any", "any 1 (n1, n2)"), standbys());
            default -> throw new IllegalArgumentException("unknown policy \"" + keyword + "\"; " + EXPECTED);
        };
        if (next < tokens.size()) {
            throw new IllegalArgumentException("unexpected \"" + tokens.get(next) + "\" after the complete policy \""
                    + policy + "\"");
        }
        return policy;
    }

    /** K after a keyword: a whole number (0 reaches the policy record, which says K must be at least 1). */
    private int k(String keyword, String example) {
        if (next == tokens.size()) {
            throw new IllegalArgumentException(keyword + " needs K, the number of acknowledgements, as in \""
                    + example + "\"");
        }
        String word = take();
        boolean negative = word.startsWith("-");
        if (!isDigits(negative ? word.substring(1) : word)) {
            throw new IllegalArgumentException("K must be a whole number, got \"" + word + "\"");
        }
        if (negative) {
            throw new IllegalArgumentException("K must be at least 1, got " + word);
        }
        try {
            return Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("K is too large: " + word, e);
        }
    }

    /** "(" name ("," name)* ")"; names are checked by NodeId, emptiness and duplicates by the record. */
    private List<NodeId> standbys() {
        String open = next < tokens.size() ? take() : null;
        if (!"(".equals(open)) {
            throw new IllegalArgumentException("expected \"(\" and a list of standby names after K, got "
                    + shown(open));
        }
        List<NodeId> names = new ArrayList<>();
        if (")".equals(peek())) {
            next++;
            return names; // the record says the list is empty
        }
        while (true) {
            String name = next < tokens.size() ? take() : null;
            if (name == null || isPunctuation(name)) {
                throw new IllegalArgumentException("expected a standby name after \""
                        + (names.isEmpty() ? "(" : ",") + "\", got " + shown(name));
            }
            names.add(NodeId.of(name));
            String after = next < tokens.size() ? take() : null;
            if (")".equals(after)) {
                return names;
            }
            if (!",".equals(after)) {
                throw new IllegalArgumentException(after == null
                        ? "the standby list is not closed: expected \")\" after \"" + name + "\""
                        : "expected \",\" or \")\" after \"" + name + "\", got \"" + after + "\"");
            }
        }
    }

    private String take() {
        return tokens.get(next++);
    }

    private String peek() {
        return next < tokens.size() ? tokens.get(next) : null;
    }

    private static String shown(String token) {
        return token == null ? "the end of the text" : '"' + token + '"';
    }

    private static boolean isPunctuation(String token) {
        return token.equals("(") || token.equals(")") || token.equals(",");
    }

    private static boolean isDigits(String word) {
        if (word.isEmpty()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) < '0' || word.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
