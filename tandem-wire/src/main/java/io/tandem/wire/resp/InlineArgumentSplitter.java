package io.tandem.wire.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits an inline command line ("SET k "a b"") into arguments exactly like Redis's sdssplitargs, so that
 * telnet users and scripts get the arguments Redis would give them:
 * <ul>
 *   <li>blanks (isspace: space, \t, \n, \v, \f, \r) between arguments are skipped; an unquoted argument
 *       ends at a space, \t, \r or \n (not at \v or \f, as in Redis);
 *   <li>"double quotes" understand \n \r \t \b \a, \xHH (two hex digits) and a backslash before any other
 *       character stands for that character ("\q" is "q", "\xZZ" is "xZZ");
 *   <li>'single quotes' understand only \' ; every other backslash is literal;
 *   <li>a quote may start in the middle of an argument (ab"c d" is "abc d"), but a closing quote must be
 *       followed by a blank or the end of the line, and an unterminated quote is an error.
 * </ul>
 * One difference: sdssplitargs works on a C string and stops at a NUL byte; here NUL is an ordinary
 * byte (Redis cannot even find the line end past a NUL: it waits for more data until the line is "too
 * big").
 */
final class InlineArgumentSplitter {
    private InlineArgumentSplitter() {}

    private static final byte[][] NO_ARGUMENTS = new byte[0][];

    /**
     * Splits buf[from, to) (absolute indexes; the position is not moved). Returns null when the quotes
     * are unbalanced, and an empty array for a blank line.
     */
    static byte[][] split(ByteBuffer buf, int from, int to) {
        List<byte[]> arguments = null;
        Token token = new Token(to - from);
        int p = from;
        while (true) {
            while (p < to && isBlank(buf.get(p))) {
                p++;
            }
            if (p == to) {
                return arguments == null ? NO_ARGUMENTS : arguments.toArray(NO_ARGUMENTS);
            }
            p = readArgument(buf, p, to, token);
            if (p < 0) {
                return null;
            }
            if (arguments == null) {
                arguments = new ArrayList<>();
            }
            arguments.add(token.takeBytes());
        }
    }

    /**
     * Reads one argument starting at p (not a blank) into token; returns the index after it, or -1 when
     * the quotes are unbalanced.
     */
    private static int readArgument(ByteBuffer buf, int p, int to, Token token) {
        boolean inDoubleQuotes = false;
        boolean inSingleQuotes = false;
        while (p < to) {
            byte c = buf.get(p);
            if (inDoubleQuotes) {
                if (c == '\\' && p + 3 < to && buf.get(p + 1) == 'x'
                        && isHexDigit(buf.get(p + 2)) && isHexDigit(buf.get(p + 3))) {
                    // "\x41" is 'A'. p + 3 < to: all four characters \, x, H, H are on the line. For
                    // "\x4" at the end of the line, p + 3 == to, so it is no escape: as in sdssplitargs,
                    // the backslash stands for 'x' and "4" follows (then the quote is unterminated).
                    token.add((byte) (hexValue(buf.get(p + 2)) * 16 + hexValue(buf.get(p + 3))));
                    p += 4;
                } else if (c == '\\' && p + 1 < to) {
                    token.add(unescape(buf.get(p + 1)));
                    p += 2;
                } else if (c == '"') {
                    return afterClosingQuote(buf, p, to);
                } else {
                    token.add(c);
                    p++;
                }
            } else if (inSingleQuotes) {
                if (c == '\\' && p + 1 < to && buf.get(p + 1) == '\'') {
                    token.add((byte) '\'');
                    p += 2;
                } else if (c == '\'') {
                    return afterClosingQuote(buf, p, to);
                } else {
                    token.add(c);
                    p++;
                }
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                return p + 1;
            } else if (c == '"') {
                inDoubleQuotes = true;
                p++;
            } else if (c == '\'') {
                inSingleQuotes = true;
                p++;
            } else {
                token.add(c);
                p++;
            }
        }
        // The line ended: fine for an unquoted argument, an unterminated quote otherwise.
        return inDoubleQuotes || inSingleQuotes ? -1 : p;
    }

    /** A closing quote at p must be followed by a blank or the end of the line ("a"b is an error). */
    private static int afterClosingQuote(ByteBuffer buf, int p, int to) {
        if (p + 1 < to && !isBlank(buf.get(p + 1))) {
            return -1;
        }
        return p + 1;
    }

    private static byte unescape(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7; // bell
            default -> c;
        };
    }

    /** C's isspace in the "C" locale. */
    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static boolean isHexDigit(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexValue(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    /** The bytes of the argument being read; one buffer for the whole line (no argument is longer). */
    private static final class Token {
        private final byte[] bytes;
        private int length;

        Token(int capacity) {
            bytes = new byte[capacity];
        }

        void add(byte b) {
            bytes[length++] = b;
        }

        byte[] takeBytes() {
            byte[] taken = Arrays.copyOf(bytes, length);
            length = 0;
            return taken;
        }
    }
}
