package io.tandem.wire.resp;

/**
 * The texts of request framing errors, as Redis 7's networking.c words them (without "ERR "), so that
 * tools and tests that look for Redis's text find it.
 */
final class RespProtocolErrors {
    private RespProtocolErrors() {}

    static final String TOO_BIG_MBULK_COUNT_STRING = "Protocol error: too big mbulk count string";
    static final String INVALID_MULTIBULK_LENGTH = "Protocol error: invalid multibulk length";
    static final String UNAUTHENTICATED_MULTIBULK_LENGTH = "Protocol error: unauthenticated multibulk length";
    static final String TOO_BIG_BULK_COUNT_STRING = "Protocol error: too big bulk count string";
    static final String INVALID_BULK_LENGTH = "Protocol error: invalid bulk length";
    static final String UNAUTHENTICATED_BULK_LENGTH = "Protocol error: unauthenticated bulk length";
    static final String TOO_BIG_INLINE_REQUEST = "Protocol error: too big inline request";
    static final String UNBALANCED_QUOTES = "Protocol error: unbalanced quotes in request";

    /** Not in Redis, which does not check the two bytes after a bulk; Tandem does (see the decoder). */
    static final String BULK_NOT_TERMINATED_BY_CRLF = "Protocol error: bulk string not terminated by CRLF";

    /** Not in Redis, which closes such a client without a reply (client-query-buffer-limit). */
    static final String REQUEST_TOO_BIG = "Protocol error: request too big";

    /** Redis formats the byte with %c; the reply encoder turns a '\r' or '\n' into a space, as Redis does. */
    static String expectedDollar(byte got) {
        return "Protocol error: expected '$', got '" + (char) (got & 0xff) + "'";
    }
}
