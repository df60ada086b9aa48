package io.tandem.wire.resp;

import io.tandem.core.util.Ascii;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads RESP2 and RESP3 values from a stream, blocking: for tests, differential runs against a real Redis,
 * and the CLI. Not for the server's hot path.
 *
 * <p>A server's reply is trusted no more than a client's request: a bulk or a line longer than
 * maxBulkBytes, or nesting deeper than maxDepth, is a {@link RespProtocolException}, and a declared
 * length or count is never allocated up front: memory grows only with bytes actually received.
 *
 * <p>The reader buffers its input, so once it is used, the stream must be read only through it.
 */
public final class RespValueReader {

    public static final int DEFAULT_MAX_BULK_BYTES = RequestLimits.DEFAULT_MAX_BULK_BYTES;
    /** Deeper than any reply Redis sends; bounds the recursion (and so the stack). */
    public static final int DEFAULT_MAX_DEPTH = 128;
    /** A list starts at most this big; it grows as items arrive (Redis's argv does the same). */
    private static final int INITIAL_LIST_CAPACITY = 1024;

    private final InputStream in;
    private final int maxBulkBytes;
    private final int maxDepth;
    private final long[] parsedNumber = new long[1];
    private byte[] line = new byte[64];

    public RespValueReader(InputStream in, int maxBulkBytes, int maxDepth) {
        if (maxBulkBytes <= 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("maxBulkBytes and maxDepth must be positive");
        }
        this.in = in instanceof BufferedInputStream || in instanceof ByteArrayInputStream
                ? in : new BufferedInputStream(in);
        this.maxBulkBytes = maxBulkBytes;
        this.maxDepth = maxDepth;
    }

    public RespValueReader(InputStream in) {
        this(in, DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_DEPTH);
    }

    /**
     * Reads one complete value.
     *
     * @throws EOFException when the stream ends, before or inside the value
     * @throws RespProtocolException when the bytes are not RESP or exceed the limits
     */
    public RespValue read() throws IOException {
        return read(1);
    }

    private RespValue read(int depth) throws IOException {
        if (depth > maxDepth) {
            throw new RespProtocolException("Protocol error: reply nested deeper than " + maxDepth);
        }
        int type = in.read();
        if (type < 0) {
            throw new EOFException("end of stream before a reply");
        }
        return switch (type) {
            case '+' -> new RespValue.Simple(lineText());
            case '-' -> new RespValue.Error(lineText());
            case ':' -> new RespValue.Int(lineInteger());
            case '$' -> {
                byte[] bytes = bulkOrNull();
                yield bytes == null ? new RespValue.NullBulk() : new RespValue.Bulk(bytes);
            }
            case '*' -> {
                long count = lineInteger();
                yield count == -1 ? new RespValue.NullArray() : new RespValue.Array(items(count, depth));
            }
            case '%' -> new RespValue.MapValue(items(pairCount(), depth));
            case '~' -> new RespValue.SetValue(items(lineInteger(), depth));
            case '>' -> new RespValue.Push(items(lineInteger(), depth));
            case '|' -> new RespValue.Attribute(items(pairCount(), depth));
            case '_' -> readNull();
            case ',' -> new RespValue.DoubleValue(lineText());
            case '#' -> readBool();
            case '!' -> new RespValue.BlobError(bulk());
            case '=' -> readVerbatim();
            case '(' -> readBigNumber();
            default -> throw new RespProtocolException(
                    "Protocol error: unexpected reply type " + ByteStrings.quoted(new byte[] {(byte) type}));
        };
    }

    /** "%2" announces 2 pairs, so 4 values follow. */
    private long pairCount() throws IOException {
        long pairs = lineInteger();
        if (pairs < 0 || pairs > Integer.MAX_VALUE / 2) {
            throw new RespProtocolException("Protocol error: invalid map length " + pairs);
        }
        return pairs * 2;
    }

    private List<RespValue> items(long count, int depth) throws IOException {
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new RespProtocolException("Protocol error: invalid aggregate length " + count);
        }
        List<RespValue> items = new ArrayList<>((int) Math.min(count, INITIAL_LIST_CAPACITY));
        for (long i = 0; i < count; i++) {
            items.add(read(depth + 1));
        }
        return List.copyOf(items);
    }

    private RespValue readNull() throws IOException {
        if (readLine() != 0) {
            throw new RespProtocolException("Protocol error: a null is \"_\\r\\n\"");
        }
        return new RespValue.Null();
    }

    private RespValue readBool() throws IOException {
        int length = readLine();
        if (length == 1 && (line[0] == 't' || line[0] == 'f')) {
            return new RespValue.Bool(line[0] == 't');
        }
        throw new RespProtocolException("Protocol error: a boolean is \"#t\" or \"#f\"");
    }

    /** "=9\r\ntxt:hello\r\n": 3 format bytes, a colon, then the text. */
    private RespValue readVerbatim() throws IOException {
        byte[] payload = bulk();
        if (payload.length < 4 || payload[3] != ':') {
            throw new RespProtocolException("Protocol error: a verbatim string starts with a format and ':'");
        }
        String format = new String(payload, 0, 3, StandardCharsets.US_ASCII);
        return new RespValue.Verbatim(format, Arrays.copyOfRange(payload, 4, payload.length));
    }

    private RespValue readBigNumber() throws IOException {
        String digits = lineText();
        if (!digits.matches("-?[0-9]+")) {
            throw new RespProtocolException("Protocol error: invalid big number");
        }
        return new RespValue.BigNumber(digits);
    }

    private byte[] bulk() throws IOException {
        byte[] bytes = bulkOrNull();
        if (bytes == null) {
            throw new RespProtocolException("Protocol error: invalid bulk length -1");
        }
        return bytes;
    }

    /** "$5\r\nhello\r\n"; null for "$-1\r\n". */
    private byte[] bulkOrNull() throws IOException {
        long length = lineInteger();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > maxBulkBytes) {
            throw new RespProtocolException("Protocol error: invalid bulk length " + length
                    + " (the limit is " + maxBulkBytes + ")");
        }
        // readNBytes reads in chunks and grows as bytes arrive: "$500000000" followed by nothing
        // allocates nothing like 500 MB.
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length < length) {
            throw new EOFException("end of stream inside a bulk string");
        }
        int cr = in.read();
        int lf = in.read();
        if (cr < 0 || lf < 0) {
            throw new EOFException("end of stream after a bulk string");
        }
        if (cr != '\r' || lf != '\n') {
            throw new RespProtocolException("Protocol error: bulk string not terminated by CRLF");
        }
        return bytes;
    }

    private long lineInteger() throws IOException {
        int length = readLine();
        if (!Ascii.parseLong(Arrays.copyOf(line, length), parsedNumber)) {
            throw new RespProtocolException("Protocol error: invalid integer "
                    + ByteStrings.quoted(Arrays.copyOf(line, length)));
        }
        return parsedNumber[0];
    }

    private String lineText() throws IOException {
        int length = readLine();
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }

    /** Reads up to "\r\n" into line and returns the length before it. */
    private int readLine() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream inside a line");
            }
            if (b == '\r') {
                int next = in.read();
                if (next < 0) {
                    throw new EOFException("end of stream inside a line");
                }
                if (next != '\n') {
                    throw new RespProtocolException("Protocol error: line not terminated by CRLF");
                }
                return length;
            }
            if (length == maxBulkBytes) {
                throw new RespProtocolException("Protocol error: line longer than " + maxBulkBytes + " bytes");
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, (int) Math.min(2L * line.length, maxBulkBytes));
            }
            line[length++] = (byte) b;
        }
    }
}
