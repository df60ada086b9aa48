package io.tandem.wire.resp;

import java.util.List;

/** Printable forms of byte strings and aggregates for {@link RespValue#toString()}. */
final class ByteStrings {
    private ByteStrings() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The bytes in double quotes, escaped like redis-cli's sdscatrepr: \\ \" \n \r \t \a \b, other
     * bytes outside printable ASCII as \xHH. Example: {'a', '"', 0} is "a\"\x00".
     */
    static String quoted(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append((char) c);
                    } else {
                        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A line of text with its control characters as \xHH, so that one value stays on one line. */
    static String escapeControls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c == 0x7f;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (control) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    static String list(String open, List<RespValue> items, String close) {
        StringBuilder out = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(items.get(i));
        }
        return out.append(close).toString();
    }

    /** "{k: v, k2: v2}" from alternating keys and values. */
    static String pairs(String open, List<RespValue> keysAndValues) {
        StringBuilder out = new StringBuilder(open);
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            out.append(i == 0 ? "" : ", ").append(keysAndValues.get(i)).append(": ").append(keysAndValues.get(i + 1));
        }
        return out.append('}').toString();
    }
}
