package io.tandem.wire.resp;

import io.tandem.core.model.Reply;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes a {@link Reply} as RESP2 or RESP3 bytes. The server asks {@link #encodedSize} first, allocates
 * exactly that many bytes, then calls {@link #encode}; the two walk the reply the same way and must agree
 * byte for byte (the tests check it for every variant).
 *
 * <p>RESP2 has no map, set, double, boolean, verbatim, push or null type, so those fall back the way Redis
 * falls back: a map is a flat array of 2n items, a set or a push an array, a double a bulk string, a boolean the
 * integer 1 or 0, a verbatim string a bulk of its text, a null "$-1" (bulk) or "*-1" (aggregate).
 *
 * <p>Numbers and lengths are written digit by digit into the buffer: no String per reply.
 */
public final class RespReplyEncoder {
    private RespReplyEncoder() {}

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] RESP2_NULL_BULK = {'$', '-', '1', '\r', '\n'};
    private static final byte[] RESP2_NULL_ARRAY = {'*', '-', '1', '\r', '\n'};
    private static final byte[] RESP3_NULL = {'_', '\r', '\n'};
    private static final byte[] RESP2_TRUE = {':', '1', '\r', '\n'};
    private static final byte[] RESP2_FALSE = {':', '0', '\r', '\n'};
    private static final byte[] RESP3_TRUE = {'#', 't', '\r', '\n'};
    private static final byte[] RESP3_FALSE = {'#', 'f', '\r', '\n'};
    /** A verbatim string's payload starts with its 3-letter format and a colon: "txt:". */
    private static final int VERBATIM_PREFIX_BYTES = 4;

    /** The exact number of bytes {@link #encode} writes for reply. */
    public static int encodedSize(Reply reply, int protocolVersion) {
        long size = size(reply, isResp3(protocolVersion));
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("reply of " + size + " bytes does not fit one buffer");
        }
        return (int) size;
    }

    /** Writes reply at out's position; out must have {@link #encodedSize} bytes remaining. */
    public static void encode(Reply reply, int protocolVersion, ByteBuffer out) {
        write(reply, isResp3(protocolVersion), out);
    }

    private static boolean isResp3(int protocolVersion) {
        if (protocolVersion != 2 && protocolVersion != 3) {
            throw new IllegalArgumentException("protocol version must be 2 or 3, got " + protocolVersion);
        }
        return protocolVersion == 3;
    }

    private static long size(Reply reply, boolean resp3) {
        return switch (reply) {
            case Reply.Simple simple -> lineSize(ReplyText.utf8Length(simple.text()));
            case Reply.Error error -> lineSize(ReplyText.utf8Length(error.text()));
            case Reply.Int integer -> lineSize(DecimalDigits.length(integer.value()));
            case Reply.Bulk bulk -> bulkSize(bulk.bytes().length);
            case Reply.NullBulk ignored -> resp3 ? RESP3_NULL.length : RESP2_NULL_BULK.length;
            case Reply.NullArray ignored -> resp3 ? RESP3_NULL.length : RESP2_NULL_ARRAY.length;
            case Reply.Array array -> aggregateSize(array.items().size(), array.items(), resp3);
            case Reply.MapReply map -> aggregateSize(mapHeaderCount(map, resp3), map.keysAndValues(), resp3);
            case Reply.SetReply set -> aggregateSize(set.items().size(), set.items(), resp3);
            case Reply.Push push -> aggregateSize(push.items().size(), push.items(), resp3);
            case Reply.Double number -> {
                int textBytes = RedisDoubleFormat.format(number.value()).length;
                yield resp3 ? lineSize(textBytes) : bulkSize(textBytes);
            }
            case Reply.Bool ignored -> RESP2_TRUE.length; // ":1\r\n" and "#t\r\n" are both 4 bytes
            case Reply.Verbatim verbatim -> {
                if (resp3) {
                    checkFormat(verbatim.format());
                    yield bulkSize(VERBATIM_PREFIX_BYTES + verbatim.text().length);
                }
                yield bulkSize(verbatim.text().length);
            }
        };
    }

    private static void write(Reply reply, boolean resp3, ByteBuffer out) {
        switch (reply) {
            case Reply.Simple simple -> writeText('+', simple.text(), out);
            case Reply.Error error -> writeText('-', error.text(), out);
            case Reply.Int integer -> writeNumberLine(':', integer.value(), out);
            case Reply.Bulk bulk -> writeBulk(bulk.bytes(), out);
            case Reply.NullBulk ignored -> out.put(resp3 ? RESP3_NULL : RESP2_NULL_BULK);
            case Reply.NullArray ignored -> out.put(resp3 ? RESP3_NULL : RESP2_NULL_ARRAY);
            case Reply.Array array -> writeAggregate('*', array.items().size(), array.items(), resp3, out);
            case Reply.MapReply map ->
                    writeAggregate(resp3 ? '%' : '*', mapHeaderCount(map, resp3), map.keysAndValues(), resp3, out);
            case Reply.SetReply set -> writeAggregate(resp3 ? '~' : '*', set.items().size(), set.items(), resp3, out);
            case Reply.Push push -> writeAggregate(resp3 ? '>' : '*', push.items().size(), push.items(), resp3, out);
            case Reply.Double number -> writeDouble(number.value(), resp3, out);
            case Reply.Bool bool -> out.put(resp3 ? (bool.value() ? RESP3_TRUE : RESP3_FALSE)
                    : (bool.value() ? RESP2_TRUE : RESP2_FALSE));
            case Reply.Verbatim verbatim -> writeVerbatim(verbatim, resp3, out);
        }
    }

    /** "+OK\r\n": a type byte, the text, CRLF. */
    private static long lineSize(int textBytes) {
        return 1L + textBytes + 2;
    }

    /** "$5\r\nhello\r\n": 1 + 1 digit + 2 + 5 + 2 = 11 bytes. */
    private static long bulkSize(int length) {
        return 1L + DecimalDigits.length(length) + 2 + length + 2;
    }

    private static long aggregateSize(int headerCount, List<Reply> items, boolean resp3) {
        long size = lineSize(DecimalDigits.length(headerCount));
        for (Reply item : items) {
            size += size(item, resp3);
        }
        return size;
    }

    /**
     * A map's header counts pairs in RESP3 ("%2" for 4 items) and items in RESP2 ("*4", the flat array).
     */
    private static int mapHeaderCount(Reply.MapReply map, boolean resp3) {
        int items = map.keysAndValues().size();
        if (items % 2 != 0) {
            throw new IllegalArgumentException("a map reply needs keys and values in pairs, got " + items + " items");
        }
        return resp3 ? items / 2 : items;
    }

    private static void writeText(char type, String text, ByteBuffer out) {
        out.put((byte) type);
        ReplyText.write(text, out);
        out.put(CRLF);
    }

    private static void writeNumberLine(char type, long value, ByteBuffer out) {
        out.put((byte) type);
        DecimalDigits.write(value, out);
        out.put(CRLF);
    }

    private static void writeBulk(byte[] bytes, ByteBuffer out) {
        writeNumberLine('$', bytes.length, out);
        out.put(bytes);
        out.put(CRLF);
    }

    private static void writeAggregate(char type, int headerCount, List<Reply> items, boolean resp3, ByteBuffer out) {
        writeNumberLine(type, headerCount, out);
        for (Reply item : items) {
            write(item, resp3, out);
        }
    }

    private static void writeDouble(double value, boolean resp3, ByteBuffer out) {
        byte[] text = RedisDoubleFormat.format(value);
        if (resp3) {
            out.put((byte) ',');
            out.put(text);
            out.put(CRLF);
        } else {
            writeBulk(text, out);
        }
    }

    /** "=9\r\ntxt:hello\r\n": the length counts the format, the colon and the text (4 + 5). */
    private static void writeVerbatim(Reply.Verbatim verbatim, boolean resp3, ByteBuffer out) {
        byte[] text = verbatim.text();
        if (!resp3) {
            writeBulk(text, out);
            return;
        }
        String format = verbatim.format();
        checkFormat(format);
        writeNumberLine('=', VERBATIM_PREFIX_BYTES + text.length, out);
        for (int i = 0; i < format.length(); i++) {
            out.put((byte) format.charAt(i));
        }
        out.put((byte) ':');
        out.put(text);
        out.put(CRLF);
    }

    /** The format is written as 3 raw bytes, so it must be 3 printable ASCII characters ("txt", "mkd"). */
    private static void checkFormat(String format) {
        if (format.length() != VERBATIM_PREFIX_BYTES - 1 || !format.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("a verbatim format is 3 printable ASCII characters, got '" + format + "'");
        }
    }
}
