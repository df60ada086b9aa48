package io.tandem.wire.resp;

import static io.tandem.wire.resp.DecoderFeed.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.Reply;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every framing error, with Redis's text, whole and split at every byte boundary. */
class RespRequestDecoderErrorTest {

    private static final String LONG_LINE = "1".repeat(RequestLimits.DEFAULT_MAX_INLINE_BYTES);

    static Stream<Arguments> errors() {
        return Stream.of(
                // The multibulk count.
                Arguments.of("*abc\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*1x\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*+1\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*01\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*-0\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("* 1\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*1048577\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*99999999999999999999\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*" + LONG_LINE, "Protocol error: too big mbulk count string"),
                Arguments.of("*" + LONG_LINE + "\r\n", "Protocol error: too big mbulk count string"),
                // The bulk header.
                Arguments.of("*1\r\nfoo\r\n", "Protocol error: expected '$', got 'f'"),
                Arguments.of("*1\r\n*1\r\n$1\r\na\r\n", "Protocol error: expected '$', got '*'"),
                Arguments.of("*1\r\n\r\n", "Protocol error: expected '$', got '\r'"),
                Arguments.of("*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'"),
                Arguments.of("*1\r\n\u00c3\r\n", "Protocol error: expected '$', got '\u00c3'"),
                Arguments.of("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$abc\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$01\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$+1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$9223372036854775808\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$" + LONG_LINE, "Protocol error: too big bulk count string"),
                // The bulk's terminator: stricter than Redis.
                Arguments.of("*1\r\n$3\r\nfooXY", "Protocol error: bulk string not terminated by CRLF"),
                Arguments.of("*1\r\n$3\r\nfoo\rX", "Protocol error: bulk string not terminated by CRLF"),
                Arguments.of("*1\r\n$3\r\nfoo\n\r", "Protocol error: bulk string not terminated by CRLF"),
                Arguments.of("*1\r\n$2\r\nfoo\r\n", "Protocol error: bulk string not terminated by CRLF"),
                // Inline commands.
                Arguments.of("SET \"a\"b\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET \"a\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET 'a\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET 'a'b\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET \"abc\\\"\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("PING\r\nSET \"a\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("A" + LONG_LINE, "Protocol error: too big inline request"),
                Arguments.of("A" + LONG_LINE + "\n", "Protocol error: too big inline request"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void errorWholeAndAtEverySplit(String input, String message) {
        byte[] stream = bytes(input);
        assertEquals(message, DecoderFeed.whole(new RespRequestDecoder(), stream).error());
        // Long inputs: a few splits are enough (every split would be 64K quadratic feeds).
        int step = stream.length > 1000 ? 9973 : 1;
        for (int split = 0; split <= stream.length; split += step) {
            assertEquals(message, DecoderFeed.splitAt(new RespRequestDecoder(), stream, split).error(),
                    "split at " + split);
        }
        if (stream.length <= 1000) {
            assertEquals(message, DecoderFeed.byteByByte(new RespRequestDecoder(), stream).error());
        } else {
            // Byte by byte, the harness would copy the pending 64K line once per byte; 997-byte reads do.
            int[] ends = java.util.stream.IntStream.iterate(997, end -> end < stream.length, end -> end + 997)
                    .toArray();
            ends = java.util.Arrays.copyOf(ends, ends.length + 1);
            ends[ends.length - 1] = stream.length;
            assertEquals(message, DecoderFeed.feed(new RespRequestDecoder(), stream, ends).error());
        }
    }

    static Stream<Arguments> unauthenticatedErrors() {
        return Stream.of(
                Arguments.of("*11\r\n", "Protocol error: unauthenticated multibulk length"),
                Arguments.of("*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"),
                Arguments.of("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1048577\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("a b c d e f g h i j k\r\n", "Protocol error: unauthenticated multibulk length"),
                Arguments.of("AUTH " + "p".repeat(16385) + "\r\n", "Protocol error: unauthenticated bulk length"));
    }

    @ParameterizedTest
    @MethodSource("unauthenticatedErrors")
    void unauthenticatedLimits(String input, String message) {
        RespRequestDecoder decoder = new RespRequestDecoder();
        decoder.setAuthenticated(false);
        assertEquals(message, DecoderFeed.whole(decoder, bytes(input)).error());
    }

    @Test
    void justUnderTheUnauthenticatedLimitsIsFine() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        decoder.setAuthenticated(false);
        String tenArgs = "*10\r\n" + "$1\r\na\r\n".repeat(9) + "$16384\r\n" + "b".repeat(16384) + "\r\n";
        DecoderFeed.Outcome outcome = DecoderFeed.whole(decoder, bytes("*-100\r\n" + tenArgs + "a b c d e f g h i j\r\n"));
        assertNull(outcome.error());
        assertEquals(2, outcome.requests().size());
    }

    @Test
    void lineLengthLimitIsExactlyMaxInlineBytes() {
        // 65536 bytes without a line end may still become a line; 65537 may not (Redis: "> 64K").
        String almost = "A".repeat(RequestLimits.DEFAULT_MAX_INLINE_BYTES);
        DecoderFeed.Outcome waiting = DecoderFeed.whole(new RespRequestDecoder(), bytes(almost));
        assertNull(waiting.error());
        assertEquals(almost.length(), waiting.unconsumedBytes());
        DecoderFeed.Outcome done = DecoderFeed.whole(new RespRequestDecoder(), bytes(almost + "\n"));
        assertEquals(1, done.requests().size());
        // An inline line is searched for its '\n', so a '\r' before it counts as one of the 65536 bytes.
        assertEquals("Protocol error: too big inline request",
                DecoderFeed.whole(new RespRequestDecoder(), bytes(almost + "\r\n")).error());
        assertEquals(1, DecoderFeed.whole(new RespRequestDecoder(), bytes(almost.substring(1) + "\r\n"))
                .requests().size());
        DecoderFeed.Outcome count = DecoderFeed.whole(new RespRequestDecoder(),
                bytes("*" + "0".repeat(RequestLimits.DEFAULT_MAX_INLINE_BYTES - 1) + "\r"));
        assertNull(count.error()); // '\r' at offset 65536, the last allowed: waits for its second byte
        assertEquals(RequestLimits.DEFAULT_MAX_INLINE_BYTES + 1, count.unconsumedBytes());
    }

    @Test
    void requestTooBigIsRefusedAtTheHeaderThatDeclaresIt() {
        RequestLimits limits = new RequestLimits(1000, 100, 64, 100, 10, 100, 50);
        // "*2\r\n" (4) + "$50\r\n" (5) + 50 + 2 = 61 declared; the second "$50\r\n" makes 118 > 100.
        String request = "*2\r\n$50\r\n" + "x".repeat(50) + "\r\n$50\r\n";
        assertEquals("Protocol error: request too big", DecoderFeed.whole(new RespRequestDecoder(limits),
                bytes(request)).error());
        // Exactly 100 bytes is allowed: 4 + (5 + 40 + 2) + (5 + 42 + 2) = 100.
        String exact = "*2\r\n$40\r\n" + "x".repeat(40) + "\r\n$42\r\n" + "y".repeat(42) + "\r\n";
        assertEquals(100, exact.length());
        assertEquals(1, DecoderFeed.whole(new RespRequestDecoder(limits), bytes(exact)).requests().size());
        // One byte more is refused, at the second header, before its data arrives.
        String oneMore = "*2\r\n$40\r\n" + "x".repeat(40) + "\r\n$43\r\n";
        assertEquals("Protocol error: request too big",
                DecoderFeed.whole(new RespRequestDecoder(limits), bytes(oneMore)).error());
        // Unauthenticated, 50 bytes is the limit: "$40" alone declares 4 + 47 = 51.
        RespRequestDecoder unauthenticated = new RespRequestDecoder(limits);
        unauthenticated.setAuthenticated(false);
        assertEquals("Protocol error: request too big", DecoderFeed.whole(unauthenticated, bytes(exact)).error());
    }

    @Test
    void inlineRequestsCountTowardsTheRequestLimit() {
        RequestLimits limits = new RequestLimits(1000, 100, 64, 10, 10, 100, 10);
        assertEquals(1, DecoderFeed.whole(new RespRequestDecoder(limits), bytes("SET a b\r\n")).requests().size());
        assertEquals("Protocol error: request too big",
                DecoderFeed.whole(new RespRequestDecoder(limits), bytes("SET ab cd\r\n")).error());
    }

    @Test
    void shrinkingTheLimitsMidRequestIsCheckedOnTheNextCall() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        ByteBuffer buf = ByteBuffer.wrap(bytes("*1\r\n$2000000\r\n" + "x".repeat(2000)));
        assertNull(decoder.decode(buf));
        decoder.setAuthenticated(false);
        buf = ByteBuffer.wrap(bytes("x"));
        ByteBuffer next = buf;
        assertEquals("Protocol error: request too big",
                assertThrows(RespProtocolException.class, () -> decoder.decode(next)).getMessage());
    }

    @Test
    void theErrorReplyIsByteForByteWhatRedisSends() {
        // Captured from redis-server 7.0.15 for "*1\r\n\r\n": the '\r' is sent as a space.
        RespProtocolException e = assertThrows(RespProtocolException.class,
                () -> new RespRequestDecoder().decode(ByteBuffer.wrap(bytes("*1\r\n\r\n"))));
        assertEquals("-ERR Protocol error: expected '$', got ' '\r\n",
                RespReplyEncoderTest.encode(Reply.error(e.replyText()), 2));
    }

    @Test
    void aDeadDecoderKeepsFailingAndHoldsNothing() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        ByteBuffer buf = ByteBuffer.wrap(bytes("*2\r\n$3\r\nfoo\r\n$-5\r\n"));
        RespProtocolException first = assertThrows(RespProtocolException.class, () -> decoder.decode(buf));
        assertEquals("Protocol error: invalid bulk length", first.getMessage());
        assertEquals("ERR Protocol error: invalid bulk length", first.replyText());
        assertEquals(0, decoder.bufferedBytes());
        ByteBuffer valid = ByteBuffer.wrap(bytes("PING\r\n"));
        assertEquals(first.getMessage(),
                assertThrows(RespProtocolException.class, () -> decoder.decode(valid)).getMessage());
    }
}
