package io.tandem.core.keyspace;

/**
 * Glob matching with Redis's rules (KEYS, SCAN MATCH): {@code *} any run, {@code ?} one byte,
 * {@code [abc]}, {@code [^abc]}, {@code [a-z]} (a reversed range "z-a" counts too), and {@code \x} for a
 * literal x. A '[' without its ']' runs to the end of the pattern, as in Redis.
 *
 * <p>Every token but '*' matches exactly one byte, so one backtrack point (the last '*') suffices: on a
 * mismatch, let that star swallow one more byte and retry. That is O(pattern × text) whatever the
 * pattern, where naive recursion on each '*' is exponential for a hostile pattern like "*a*a*a*a*b".
 */
public final class GlobMatcher {
    private GlobMatcher() {}

    public static boolean matches(byte[] p, byte[] s) {
        int pi = 0;
        int si = 0;
        int starP = -1; // pattern index just after the last '*'
        int starS = -1; // text index that star has swallowed up to
        while (si < s.length) {
            if (pi < p.length && p[pi] == '*') {
                while (pi < p.length && p[pi] == '*') {
                    pi++;
                }
                if (pi == p.length) {
                    return true;
                }
                starP = pi;
                starS = si;
                continue;
            }
            int next = pi < p.length ? matchOne(p, pi, s[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starP >= 0) {
                pi = starP;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    /** Does the token at p[pi] match byte c? Returns the index after the token, or -1. */
    private static int matchOne(byte[] p, int pi, byte c) {
        switch (p[pi]) {
            case '?':
                return pi + 1;
            case '\\':
                if (pi + 1 < p.length) {
                    pi++;
                }
                return p[pi] == c ? pi + 1 : -1;
            case '[':
                return matchClass(p, pi + 1, c);
            default:
                return p[pi] == c ? pi + 1 : -1;
        }
    }

    private static int matchClass(byte[] p, int pi, byte c) {
        boolean not = pi < p.length && p[pi] == '^';
        if (not) {
            pi++;
        }
        boolean found = false;
        int x = c & 0xff;
        while (pi < p.length && p[pi] != ']') {
            if (p[pi] == '\\' && pi + 1 < p.length) {
                pi++;
                found |= p[pi] == c;
            } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                int lo = Math.min(p[pi] & 0xff, p[pi + 2] & 0xff);
                int hi = Math.max(p[pi] & 0xff, p[pi + 2] & 0xff);
                found |= x >= lo && x <= hi;
                pi += 2;
            } else {
                found |= p[pi] == c;
            }
            pi++;
        }
        // pi is at ']' (skip it) or at the end of an unterminated class.
        int after = Math.min(pi + 1, p.length);
        return found != not ? after : -1;
    }
}
