package io.tandem.wire.resp;

/**
 * How big a client request may be. Every limit exists so that a client, authenticated or not, cannot make
 * the server hold more memory than configured before a single command runs.
 *
 * <p>A client that has not authenticated yet (while a password is required) gets the much smaller
 * {@code unauth*} limits, as in Redis 7: without them anyone who can reach the port could make the server
 * buffer {@code maxRequestBytes} per connection.
 *
 * @param maxBulkBytes largest bulk argument ("$len"); Redis's proto-max-bulk-len, 512 MiB
 * @param maxArgs largest argument count of one request ("*count" or an inline line)
 * @param maxInlineBytes longest header line ("*count", "$len") or inline command before its line end;
 *     Redis's PROTO_INLINE_MAX_SIZE, 64 KiB
 * @param maxRequestBytes largest request on the wire, headers and line ends included, 1 GiB
 * @param unauthMaxArgs largest argument count before authentication; Redis hard-codes 10
 * @param unauthMaxBulkBytes largest bulk argument before authentication; Redis hard-codes 16384
 * @param unauthMaxBufferedBytes largest request on the wire before authentication, 1 MiB
 */
public record RequestLimits(
        int maxBulkBytes,
        int maxArgs,
        int maxInlineBytes,
        long maxRequestBytes,
        int unauthMaxArgs,
        int unauthMaxBulkBytes,
        long unauthMaxBufferedBytes) {

    public static final int DEFAULT_MAX_BULK_BYTES = 512 * 1024 * 1024;
    public static final int DEFAULT_MAX_ARGS = 1024 * 1024;
    public static final int DEFAULT_MAX_INLINE_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1024L * 1024 * 1024;
    public static final int DEFAULT_UNAUTH_MAX_ARGS = 10;
    public static final int DEFAULT_UNAUTH_MAX_BULK_BYTES = 16384;
    public static final long DEFAULT_UNAUTH_MAX_BUFFERED_BYTES = 1024L * 1024;

    /** A Java array holds at most about Integer.MAX_VALUE - 8 elements on common JVMs. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    public RequestLimits {
        requirePositive("maxBulkBytes", maxBulkBytes);
        requirePositive("maxArgs", maxArgs);
        requirePositive("maxInlineBytes", maxInlineBytes);
        requirePositive("maxRequestBytes", maxRequestBytes);
        requirePositive("unauthMaxArgs", unauthMaxArgs);
        requirePositive("unauthMaxBulkBytes", unauthMaxBulkBytes);
        requirePositive("unauthMaxBufferedBytes", unauthMaxBufferedBytes);
        // A bulk becomes one byte[], so it must fit in a Java array.
        requireAtMost("maxBulkBytes", maxBulkBytes, "the largest Java array", MAX_ARRAY_LENGTH);
        // The request arguments become one byte[][]; the header line search works on int positions.
        requireAtMost("maxArgs", maxArgs, "the largest Java array", MAX_ARRAY_LENGTH);
        requireAtMost("maxInlineBytes", maxInlineBytes, "the largest Java array", MAX_ARRAY_LENGTH);
        // Authenticating may only ever lift limits, never tighten them.
        requireAtMost("unauthMaxArgs", unauthMaxArgs, "maxArgs", maxArgs);
        requireAtMost("unauthMaxBulkBytes", unauthMaxBulkBytes, "maxBulkBytes", maxBulkBytes);
        requireAtMost("unauthMaxBufferedBytes", unauthMaxBufferedBytes, "maxRequestBytes", maxRequestBytes);
    }

    /** The Redis 7 defaults. */
    public static RequestLimits defaults() {
        return new RequestLimits(DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_ARGS, DEFAULT_MAX_INLINE_BYTES,
                DEFAULT_MAX_REQUEST_BYTES, DEFAULT_UNAUTH_MAX_ARGS, DEFAULT_UNAUTH_MAX_BULK_BYTES,
                DEFAULT_UNAUTH_MAX_BUFFERED_BYTES);
    }

    /** The argument count allowed now. */
    int argsLimit(boolean authenticated) {
        return authenticated ? maxArgs : unauthMaxArgs;
    }

    /** The bulk length allowed now. */
    int bulkBytesLimit(boolean authenticated) {
        return authenticated ? maxBulkBytes : unauthMaxBulkBytes;
    }

    /** The request size on the wire allowed now. */
    long requestBytesLimit(boolean authenticated) {
        return authenticated ? maxRequestBytes : unauthMaxBufferedBytes;
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void requireAtMost(String name, long value, String boundName, long bound) {
        if (value > bound) {
            throw new IllegalArgumentException(
                    name + " must be at most " + boundName + " (" + bound + "), got " + value);
        }
    }
}
