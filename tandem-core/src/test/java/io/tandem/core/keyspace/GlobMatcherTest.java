package io.tandem.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.util.Ascii;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Redis glob matching (KEYS, SCAN MATCH): a table, a comparison with Redis's own algorithm, and speed. */
class GlobMatcherTest {

    private static boolean matches(String pattern, String text) {
        return GlobMatcher.matches(Ascii.bytes(pattern), Ascii.bytes(text));
    }

    @Test
    void table() {
        Object[][] cases = {
            // pattern, text, matches?
            {"*", "", true},
            {"*", "anything", true},
            {"**", "x", true},
            {"", "", true},
            {"", "a", false},
            {"abc", "abc", true},
            {"abc", "abcd", false},
            {"abc", "ab", false},
            {"a*", "a", true},
            {"a*c", "abbbc", true},
            {"a*c", "abbb", false},
            {"*c", "abc", true},
            {"*b*", "abc", true},
            {"*x*", "abc", false},
            {"?", "a", true},
            {"?", "", false},
            {"?", "ab", false},
            {"h?llo", "hello", true},
            {"h?llo", "hllo", false},
            {"[abc]", "b", true},
            {"[abc]", "d", false},
            {"[abc]", "", false},
            {"[^a]", "a", false},
            {"[^a]", "b", true},
            {"[^abc]x", "dx", true},
            {"[a-z]", "m", true},
            {"[a-z]", "M", false},
            {"[a-z]", "-", false},
            {"[z-a]", "m", true},
            {"[z-a]", "A", false},
            {"[0-9a-f]", "c", true},
            {"[0-9a-f]", "g", false},
            {"[^0-9]", "5", false},
            {"\\*", "*", true},
            {"\\*", "a", false},
            {"a\\?", "a?", true},
            {"a\\?", "ab", false},
            {"\\[a]", "[a]", true},
            {"\\\\", "\\", true},
            {"[\\]]", "]", true},
            {"[\\-]", "-", true},
            {"[\\-]", "a", false},
            {"[abc", "a", true}, // unterminated: the class runs to the end of the pattern
            {"[abc", "ab", false},
            {"[abc", "d", false},
            {"[", "a", false},
            {"a\\", "a\\", true}, // a trailing backslash matches itself
            {"*[*", "ab*", true},
        };
        for (Object[] c : cases) {
            assertEquals(c[2], matches((String) c[0], (String) c[1]), "'" + c[0] + "' vs '" + c[1] + "'");
        }
    }

    @Test
    void bytesAboveAsciiMatchThemselvesAndAnyByteMatchesQuestionMark() {
        byte[] text = {(byte) 0xc3, (byte) 0xa9};
        assertTrue(GlobMatcher.matches(text, text));
        assertTrue(GlobMatcher.matches(Ascii.bytes("??"), text));
        assertTrue(GlobMatcher.matches(Ascii.bytes("*"), text));
        assertFalse(GlobMatcher.matches(Ascii.bytes("?"), text));
    }

    /**
     * Random short patterns and texts over a small alphabet, compared with a direct port of Redis 7's
     * stringmatchlen. Empty texts are left out: Redis's loop never runs for them, so it answers "no" even
     * for "*" (KEYS and SCAN special-case a lone "*" before calling it), where Tandem answers "yes".
     */
    @Test
    void agreesWithRedisStringmatchlen() {
        long seed = 99;
        Random random = new Random(seed);
        String patternAlphabet = "ab*?[]^-\\";
        String textAlphabet = "ab-]^[*\\";
        for (int i = 0; i < 200_000; i++) {
            String pattern = randomString(random, patternAlphabet, 7);
            String text = randomString(random, textAlphabet, 6);
            if (text.isEmpty()) {
                continue;
            }
            boolean expected = RedisGlob.matches(Ascii.bytes(pattern), Ascii.bytes(text));
            assertEquals(expected, matches(pattern, text),
                    "--seed=" + seed + " pattern '" + pattern + "' text '" + text + "'");
        }
    }

    private static String randomString(Random random, String alphabet, int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    @Test
    void hostilePatternsFinishQuickly() {
        byte[] tenThousandAs = new byte[10_000];
        Arrays.fill(tenThousandAs, (byte) 'a');
        byte[] hostile = Ascii.bytes("*a*a*a*a*a*a*a*a*b");
        byte[] manyStars = Ascii.bytes("*a".repeat(200) + "*b");
        // Naive backtracking would take astronomically long; O(pattern x text) takes milliseconds.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(GlobMatcher.matches(hostile, tenThousandAs));
            assertFalse(GlobMatcher.matches(manyStars, tenThousandAs));
            assertTrue(GlobMatcher.matches(Ascii.bytes("*a*a*a*a*a*a*a*a*a"), tenThousandAs));
        });
    }

    /** Redis 7's stringmatchlen (util.c), case-sensitive, ported line by line as the reference. */
    static final class RedisGlob {
        private RedisGlob() {}

        static boolean matches(byte[] p, byte[] s) {
            return match(p, 0, p.length, s, 0, s.length, new boolean[1]);
        }

        private static int at(byte[] b, int i) {
            return i < b.length ? b[i] : 0; // C strings end with NUL
        }

        private static boolean match(byte[] p, int pi, int patternLen, byte[] s, int si, int stringLen,
                boolean[] skipLongerMatches) {
            while (patternLen > 0 && stringLen > 0) {
                switch (p[pi]) {
                    case '*' -> {
                        while (patternLen > 0 && at(p, pi + 1) == '*') {
                            pi++;
                            patternLen--;
                        }
                        if (patternLen == 1) {
                            return true;
                        }
                        while (stringLen > 0) {
                            if (match(p, pi + 1, patternLen - 1, s, si, stringLen, skipLongerMatches)) {
                                return true;
                            }
                            if (skipLongerMatches[0]) {
                                return false;
                            }
                            si++;
                            stringLen--;
                        }
                        skipLongerMatches[0] = true;
                        return false;
                    }
                    case '?' -> {
                        si++;
                        stringLen--;
                    }
                    case '[' -> {
                        pi++;
                        patternLen--;
                        boolean not = at(p, pi) == '^';
                        if (not) {
                            pi++;
                            patternLen--;
                        }
                        boolean match = false;
                        while (true) {
                            if (at(p, pi) == '\\' && patternLen >= 2) {
                                pi++;
                                patternLen--;
                                if (p[pi] == s[si]) {
                                    match = true;
                                }
                            } else if (at(p, pi) == ']') {
                                break;
                            } else if (patternLen == 0) {
                                pi--;
                                patternLen++;
                                break;
                            } else if (patternLen >= 3 && p[pi + 1] == '-') {
                                int start = p[pi];
                                int end = p[pi + 2];
                                int c = s[si];
                                if (start > end) {
                                    int t = start;
                                    start = end;
                                    end = t;
                                }
                                pi += 2;
                                patternLen -= 2;
                                if (c >= start && c <= end) {
                                    match = true;
                                }
                            } else if (p[pi] == s[si]) {
                                match = true;
                            }
                            pi++;
                            patternLen--;
                        }
                        if (not) {
                            match = !match;
                        }
                        if (!match) {
                            return false;
                        }
                        si++;
                        stringLen--;
                    }
                    case '\\' -> {
                        if (patternLen >= 2) {
                            pi++;
                            patternLen--;
                        }
                        if (p[pi] != s[si]) {
                            return false;
                        }
                        si++;
                        stringLen--;
                    }
                    default -> {
                        if (p[pi] != s[si]) {
                            return false;
                        }
                        si++;
                        stringLen--;
                    }
                }
                pi++;
                patternLen--;
                if (stringLen == 0) {
                    while (patternLen > 0 && p[pi] == '*') {
                        pi++;
                        patternLen--;
                    }
                    break;
                }
            }
            return patternLen == 0 && stringLen == 0;
        }
    }
}
