package io.tandem.wire.resp;

import static io.tandem.wire.resp.RespProtocolErrors.BULK_NOT_TERMINATED_BY_CRLF;
import static io.tandem.wire.resp.RespProtocolErrors.INVALID_BULK_LENGTH;
import static io.tandem.wire.resp.RespProtocolErrors.INVALID_MULTIBULK_LENGTH;
import static io.tandem.wire.resp.RespProtocolErrors.REQUEST_TOO_BIG;
import static io.tandem.wire.resp.RespProtocolErrors.TOO_BIG_BULK_COUNT_STRING;
import static io.tandem.wire.resp.RespProtocolErrors.TOO_BIG_INLINE_REQUEST;
import static io.tandem.wire.resp.RespProtocolErrors.TOO_BIG_MBULK_COUNT_STRING;
import static io.tandem.wire.resp.RespProtocolErrors.UNAUTHENTICATED_BULK_LENGTH;
import static io.tandem.wire.resp.RespProtocolErrors.UNAUTHENTICATED_MULTIBULK_LENGTH;
import static io.tandem.wire.resp.RespProtocolErrors.UNBALANCED_QUOTES;

import io.tandem.core.util.Invariants;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns the bytes a client sends into requests (argument arrays), one connection per instance, with the
 * semantics of Redis 7's processMultibulkBuffer and processInlineBuffer (networking.c).
 *
 * <p>Incremental: {@link #decode} consumes what it can parse and keeps a request in progress (the
 * arguments so far and a partially received bulk) in this object. The only bytes it leaves in the caller's
 * buffer are an incomplete header line ("*3", "$5" or an inline command), at most maxInlineBytes + 1
 * bytes; the caller must present them again, followed by the next bytes received, on the next call (a
 * cumulating buffer does exactly that). So a big bulk is copied once as it arrives, never re-parsed, and
 * its array grows with the data instead of being allocated at its declared length: a client that sends
 * "$536870912\r\n" and nothing else costs nothing.
 *
 * <p>One point is stricter than Redis: the two bytes after a bulk must be "\r\n" (Redis skips them
 * unread). A client whose lengths do not match its data is desynchronized, and every later request of its
 * pipeline would be garbage; we stop at the first one. As in Redis, a header line ends at its first '\r',
 * and the byte after it is skipped whatever it is ("*1\rX" is a count of 1).
 *
 * <p>After a {@link RespProtocolException} the decoder is dead: the server replies with the error and
 * closes the connection, and any further call throws the same error.
 */
public final class RespRequestDecoder {

    /** Redis's processMultibulkBuffer also sizes argv to min(count, 1024) and grows it as bulks arrive. */
    private static final int INITIAL_ARGS_CAPACITY = 1024;
    /** The smallest array allocated for a bulk that arrives in pieces, so tiny reads do not copy often. */
    private static final int MIN_PARTIAL_BULK_CAPACITY = 64;
    private static final byte[] EMPTY_BULK = new byte[0];
    private static final int NEED_MORE = -1;
    private static final int TOO_LONG = -2;

    private enum Phase { REQUEST_START, BULK_HEADER, BULK_DATA, BULK_TERMINATOR }

    private final RequestLimits limits;
    private final long[] parsedNumber = new long[1];
    private boolean authenticated = true;
    private Phase phase = Phase.REQUEST_START;
    private String failure;

    // The multibulk request in progress.
    private int argsDeclared;
    private byte[][] args;
    private int argCount;
    private long argBytesHeld;
    /** Wire bytes of this request so far, plus the declared rest of the bulk in progress and its CRLF. */
    private long requestBytes;

    // The bulk in progress.
    private int bulkLength;
    private byte[] bulk;
    private int bulkFilled;
    private int terminatorBytesMatched;

    /** Bytes of the pending header line (from the buffer's position) already searched for its end. */
    private int lineBytesScanned;
    /** Set by a step that completed a request. */
    private byte[][] completed;

    public RespRequestDecoder(RequestLimits limits) {
        this.limits = limits;
    }

    public RespRequestDecoder() {
        this(RequestLimits.defaults());
    }

    public RequestLimits limits() {
        return limits;
    }

    /** Selects the limits: the unauth* ones while false. The server calls it between requests. */
    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    /** Argument bytes held for the request in progress (complete arguments and the partial bulk). */
    public long bufferedBytes() {
        return argBytesHeld + (bulk == null ? 0 : bulk.length);
    }

    /**
     * Consumes bytes from buf (advancing its position) and returns the next complete request, or null
     * when more bytes are needed; then buf holds nothing or only an incomplete header line. Empty
     * requests ("*0\r\n", "*-1\r\n", blank inline lines) are consumed without being returned, as in Redis.
     *
     * @throws RespProtocolException when the bytes are not a valid request; the decoder is dead after it
     */
    public byte[][] decode(ByteBuffer buf) {
        if (failure != null) {
            throw new RespProtocolException(failure);
        }
        if (phase != Phase.REQUEST_START) {
            checkRequestSize(); // the limit may have shrunk since the last call (setAuthenticated(false))
        }
        while (true) {
            // Each step returns false when it needs more bytes. A step that returns true has consumed at
            // least one byte or moved to a phase that will, so this loop ends.
            boolean progressed = switch (phase) {
                case REQUEST_START -> startRequest(buf);
                case BULK_HEADER -> readBulkHeader(buf);
                case BULK_DATA -> readBulkData(buf);
                case BULK_TERMINATOR -> readBulkTerminator(buf);
            };
            if (completed != null) {
                byte[][] request = completed;
                completed = null;
                return request;
            }
            if (!progressed) {
                return null;
            }
        }
    }

    /** Redis: a request starting with '*' is a multibulk, anything else an inline command. */
    private boolean startRequest(ByteBuffer buf) {
        if (!buf.hasRemaining()) {
            return false;
        }
        return buf.get(buf.position()) == '*' ? readMultibulkCount(buf) : readInline(buf);
    }

    /** "*3\r\n": how many bulk arguments follow? */
    private boolean readMultibulkCount(ByteBuffer buf) {
        int start = buf.position();
        int cr = findLineEnd(buf, (byte) '\r', 1);
        if (cr == NEED_MORE) {
            return false;
        }
        if (cr == TOO_LONG) {
            throw fail(TOO_BIG_MBULK_COUNT_STRING);
        }
        // The number is between the '*' and the '\r': for "*3\r\n" at start 0, bytes [1, 2).
        boolean isInteger = HeaderInteger.parse(buf, start + 1, cr, parsedNumber);
        long count = parsedNumber[0];
        if (!isInteger || count > limits.maxArgs()) {
            throw fail(INVALID_MULTIBULK_LENGTH);
        }
        if (!authenticated && count > limits.unauthMaxArgs()) {
            throw fail(UNAUTHENTICATED_MULTIBULK_LENGTH);
        }
        // Skip the '\r' and the byte after it: "*3\r\n" with cr = 2 continues at 4.
        buf.position(cr + 2);
        if (count <= 0) {
            return true; // "*0" and "*-1" are empty requests: consumed, no reply (Redis does the same)
        }
        argsDeclared = (int) count;
        args = new byte[Math.min(argsDeclared, INITIAL_ARGS_CAPACITY)][];
        argCount = 0;
        argBytesHeld = 0;
        requestBytes = cr + 2 - start;
        checkRequestSize();
        phase = Phase.BULK_HEADER;
        return true;
    }

    /** "$5\r\n": how long is the next argument? */
    private boolean readBulkHeader(ByteBuffer buf) {
        int start = buf.position();
        int cr = findLineEnd(buf, (byte) '\r', 1);
        if (cr == NEED_MORE) {
            return false;
        }
        if (cr == TOO_LONG) {
            throw fail(TOO_BIG_BULK_COUNT_STRING);
        }
        // Like Redis, look at the first byte only once the line is complete; a nested aggregate
        // ("*1\r\n*1\r\n...") lands here with '*'.
        byte first = buf.get(start);
        if (first != '$') {
            throw fail(RespProtocolErrors.expectedDollar(first));
        }
        boolean isInteger = HeaderInteger.parse(buf, start + 1, cr, parsedNumber);
        long length = parsedNumber[0];
        if (!isInteger || length < 0 || length > limits.maxBulkBytes()) {
            throw fail(INVALID_BULK_LENGTH);
        }
        if (!authenticated && length > limits.unauthMaxBulkBytes()) {
            throw fail(UNAUTHENTICATED_BULK_LENGTH);
        }
        buf.position(cr + 2);
        // Count the declared data and its CRLF now, so that a request that will be too big is refused
        // at its header rather than after its bytes arrived. "$5\r\n" at start 0 (cr = 2): 4 header bytes
        // + 5 data bytes + 2 = 11 bytes, the whole "$5\r\nhello\r\n".
        requestBytes += (cr + 2 - start) + length + 2;
        checkRequestSize();
        bulkLength = (int) length;
        bulk = bulkLength == 0 ? EMPTY_BULK : null;
        bulkFilled = 0;
        phase = Phase.BULK_DATA;
        return true;
    }

    /** Copies as much of the bulk's data as has arrived. */
    private boolean readBulkData(ByteBuffer buf) {
        int copied = Math.min(bulkLength - bulkFilled, buf.remaining());
        if (copied > 0) {
            growBulkTo(bulkFilled + copied);
            buf.get(bulk, bulkFilled, copied);
            bulkFilled += copied;
        }
        if (bulkFilled < bulkLength) {
            return false;
        }
        phase = Phase.BULK_TERMINATOR;
        terminatorBytesMatched = 0;
        return true;
    }

    /**
     * Grows the bulk's array to hold at least `needed` bytes, doubling so that a bulk arriving in many
     * reads is copied O(length) times in total, never beyond the declared length. Example: "$100000"
     * arriving in reads of 1000 bytes gets arrays of 1000, 2000, 4000, ..., 64000, then 100000 bytes.
     */
    private void growBulkTo(int needed) {
        int current = bulk == null ? 0 : bulk.length;
        if (current >= needed) {
            return;
        }
        long doubled = Math.max(2L * current, MIN_PARTIAL_BULK_CAPACITY);
        int capacity = (int) Math.min(bulkLength, Math.max(needed, doubled));
        bulk = bulk == null ? new byte[capacity] : Arrays.copyOf(bulk, capacity);
    }

    /** Is the bulk followed by "\r\n"? Matched byte by byte, as the two may arrive in different reads. */
    private boolean readBulkTerminator(ByteBuffer buf) {
        while (terminatorBytesMatched < 2) {
            if (!buf.hasRemaining()) {
                return false;
            }
            byte expected = terminatorBytesMatched == 0 ? (byte) '\r' : (byte) '\n';
            if (buf.get() != expected) {
                throw fail(BULK_NOT_TERMINATED_BY_CRLF);
            }
            terminatorBytesMatched++;
        }
        addArgument(bulk);
        bulk = null;
        if (argCount == argsDeclared) {
            // The array grew by doubling up to argsDeclared, never past it, so it is full now.
            Invariants.check(args.length == argCount, "request array of %d for %d arguments", args.length, argCount);
            completed = args;
            reset();
        } else {
            phase = Phase.BULK_HEADER;
        }
        return true;
    }

    private void addArgument(byte[] argument) {
        if (argCount == args.length) {
            args = Arrays.copyOf(args, (int) Math.min(argsDeclared, 2L * args.length));
        }
        args[argCount++] = argument;
        argBytesHeld += argument.length;
    }

    /** An inline command: one line, split like Redis's sdssplitargs. */
    private boolean readInline(ByteBuffer buf) {
        int start = buf.position();
        int lf = findLineEnd(buf, (byte) '\n', 0);
        if (lf == NEED_MORE) {
            return false;
        }
        if (lf == TOO_LONG) {
            throw fail(TOO_BIG_INLINE_REQUEST);
        }
        // Strip a '\r' before the '\n': "PING\r\n" at start 0 has lf = 5 and the text [0, 4). A lone "\n"
        // (lf == start) has no byte before it to look at.
        int end = lf > start && buf.get(lf - 1) == '\r' ? lf - 1 : lf;
        byte[][] arguments = InlineArgumentSplitter.split(buf, start, end);
        if (arguments == null) {
            throw fail(UNBALANCED_QUOTES);
        }
        buf.position(lf + 1);
        if (arguments.length == 0) {
            return true; // a blank line: skipped without a reply, as in Redis
        }
        checkInlineLimits(arguments, lf + 1 - start);
        completed = arguments;
        return true;
    }

    /**
     * Redis does not limit inline commands beyond their line length; we apply the multibulk limits too, so
     * that every request this decoder returns respects the same limits however it was sent.
     */
    private void checkInlineLimits(byte[][] arguments, long lineBytes) {
        if (arguments.length > limits.maxArgs()) {
            throw fail(INVALID_MULTIBULK_LENGTH);
        }
        if (!authenticated && arguments.length > limits.unauthMaxArgs()) {
            throw fail(UNAUTHENTICATED_MULTIBULK_LENGTH);
        }
        for (byte[] argument : arguments) {
            if (argument.length > limits.maxBulkBytes()) {
                throw fail(INVALID_BULK_LENGTH);
            }
            if (!authenticated && argument.length > limits.unauthMaxBulkBytes()) {
                throw fail(UNAUTHENTICATED_BULK_LENGTH);
            }
        }
        requestBytes = lineBytes;
        checkRequestSize();
        requestBytes = 0;
    }

    /**
     * Finds the terminator of the header line starting at buf's position, without consuming anything.
     * Returns its absolute index, NEED_MORE, or TOO_LONG when the line has more than maxInlineBytes bytes
     * before its terminator. bytesAfter is how many bytes must follow the terminator before the line
     * counts as complete (1 for "\r\n", whose second byte Redis skips without looking).
     *
     * <p>Off by one, worked: with maxInlineBytes = 4, "*123\r\n" has its '\r' at offset 4, the last one
     * allowed, so it is searched for in offsets 0..4 (5 bytes). "*1234" has 5 bytes and no '\r' among
     * them: too long, whatever comes next. So a pending line leaves at most maxInlineBytes + 1 bytes in
     * the caller's buffer ("*123\r" waiting for its '\n'). Redis decides the same for every line, except
     * that it may accept a longer one that arrives in a single read; our answer never depends on how
     * the bytes were split into reads.
     *
     * <p>The search resumes where the previous call stopped (lineBytesScanned), so a line that trickles
     * in one byte per read is scanned once, not once per read.
     */
    private int findLineEnd(ByteBuffer buf, byte terminator, int bytesAfter) {
        int start = buf.position();
        int limit = buf.limit();
        int searchEnd = (int) Math.min(limit, (long) start + limits.maxInlineBytes() + 1);
        int resumeAt = lineBytesScanned <= searchEnd - start ? start + lineBytesScanned : start;
        for (int i = resumeAt; i < searchEnd; i++) {
            if (buf.get(i) == terminator) {
                if (i + bytesAfter >= limit) {
                    lineBytesScanned = i - start; // found, but "\r" still waits for its second byte
                    return NEED_MORE;
                }
                lineBytesScanned = 0;
                return i;
            }
        }
        lineBytesScanned = searchEnd - start;
        return searchEnd - start > limits.maxInlineBytes() ? TOO_LONG : NEED_MORE;
    }

    private void checkRequestSize() {
        if (requestBytes > limits.requestBytesLimit(authenticated)) {
            throw fail(REQUEST_TOO_BIG);
        }
    }

    /** Clears the request in progress; keeps the authentication state. */
    private void reset() {
        phase = Phase.REQUEST_START;
        argsDeclared = 0;
        args = null;
        argCount = 0;
        argBytesHeld = 0;
        requestBytes = 0;
        bulkLength = 0;
        bulk = null;
        bulkFilled = 0;
        terminatorBytesMatched = 0;
        lineBytesScanned = 0;
    }

    /** Kills the decoder (releasing what it held) and returns the exception to throw. */
    private RespProtocolException fail(String message) {
        reset();
        completed = null;
        failure = message;
        return new RespProtocolException(message);
    }
}
