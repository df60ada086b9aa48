package io.tandem.wire.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The text of a simple string or an error reply, written as UTF-8 on one line. A '\r' or '\n' inside
 * would end the reply early and desynchronize the client, so each becomes a space, as Redis does in
 * addReplyErrorFormat.
 */
final class ReplyText {
    private ReplyText() {}

    /**
     * The UTF-8 length of text, counted exactly as String.getBytes(UTF_8) encodes it: 1 byte below
     * U+0080, 2 below U+0800, 4 for a surrogate pair, 1 for a lone surrogate (it becomes '?'), else 3.
     */
    static int utf8Length(String text) {
        int n = text.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Writes text as one line (CR and LF replaced by spaces) at out's position. */
    static void write(String text, ByteBuffer out) {
        int n = text.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            for (int i = 0; i < n; i++) {
                out.put(oneLine((byte) text.charAt(i)));
            }
            return;
        }
        // CR and LF never occur inside a multi-byte UTF-8 sequence (those bytes are all >= 0x80), so
        // replacing them byte by byte is safe.
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.put(oneLine(b));
        }
    }

    private static byte oneLine(byte b) {
        return b == '\r' || b == '\n' ? (byte) ' ' : b;
    }
}
