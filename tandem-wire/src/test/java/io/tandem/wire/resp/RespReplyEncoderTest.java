package io.tandem.wire.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.Reply;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The exact bytes of every reply variant in RESP2 and RESP3, and encodedSize agreeing with encode. */
class RespReplyEncoderTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> replies() {
        Reply map = new Reply.MapReply(List.of(Reply.bulk("a"), Reply.integer(1), Reply.bulk("b"), Reply.NULL));
        Reply nested = new Reply.Array(List.of(Reply.OK, new Reply.Array(List.of(Reply.integer(-7))), Reply.NULL_ARRAY));
        return Stream.of(
                // reply, RESP2 bytes, RESP3 bytes
                Arguments.of(Reply.OK, "+OK\r\n", "+OK\r\n"),
                Arguments.of(new Reply.Simple(""), "+\r\n", "+\r\n"),
                Arguments.of(new Reply.Simple("a\r\nb\nc\rd"), "+a  b c d\r\n", "+a  b c d\r\n"),
                Arguments.of(new Reply.Simple("caf\u00e9"), "+caf\u00e9\r\n", "+caf\u00e9\r\n"),
                Arguments.of(Reply.error("ERR bad\r\nthing"), "-ERR bad  thing\r\n", "-ERR bad  thing\r\n"),
                Arguments.of(Reply.error("WRONGTYPE \u00fc\n"), "-WRONGTYPE \u00fc \r\n", "-WRONGTYPE \u00fc \r\n"),
                Arguments.of(Reply.integer(0), ":0\r\n", ":0\r\n"),
                Arguments.of(Reply.integer(9), ":9\r\n", ":9\r\n"),
                Arguments.of(Reply.integer(10), ":10\r\n", ":10\r\n"),
                Arguments.of(Reply.integer(-1), ":-1\r\n", ":-1\r\n"),
                Arguments.of(Reply.integer(1023), ":1023\r\n", ":1023\r\n"),
                Arguments.of(Reply.integer(Long.MAX_VALUE), ":9223372036854775807\r\n", ":9223372036854775807\r\n"),
                Arguments.of(Reply.integer(Long.MIN_VALUE), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"),
                Arguments.of(Reply.bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n"),
                Arguments.of(Reply.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"),
                Arguments.of(Reply.bulk("a\r\nb"), "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"),
                Arguments.of(Reply.NULL, "$-1\r\n", "_\r\n"),
                Arguments.of(Reply.NULL_ARRAY, "*-1\r\n", "_\r\n"),
                Arguments.of(Reply.EMPTY_ARRAY, "*0\r\n", "*0\r\n"),
                Arguments.of(nested, "*3\r\n+OK\r\n*1\r\n:-7\r\n*-1\r\n", "*3\r\n+OK\r\n*1\r\n:-7\r\n_\r\n"),
                Arguments.of(map, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n"),
                Arguments.of(new Reply.MapReply(List.of()), "*0\r\n", "%0\r\n"),
                Arguments.of(new Reply.SetReply(List.of(Reply.bulk("x"), Reply.bulk("y"))),
                        "*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "~2\r\n$1\r\nx\r\n$1\r\ny\r\n"),
                Arguments.of(new Reply.Push(List.of(Reply.bulk("message"), Reply.bulk("ch"), Reply.bulk("hi"))),
                        "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
                        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
                Arguments.of(new Reply.Push(List.of(Reply.bulk("unsubscribe"), Reply.NULL, Reply.ZERO)),
                        "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"),
                Arguments.of(new Reply.Double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"),
                Arguments.of(new Reply.Double(3.0), "$1\r\n3\r\n", ",3\r\n"),
                Arguments.of(new Reply.Double(-0.25), "$5\r\n-0.25\r\n", ",-0.25\r\n"),
                Arguments.of(new Reply.Double(Double.POSITIVE_INFINITY), "$3\r\ninf\r\n", ",inf\r\n"),
                Arguments.of(new Reply.Double(Double.NEGATIVE_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n"),
                Arguments.of(new Reply.Double(Double.NaN), "$3\r\nnan\r\n", ",nan\r\n"),
                Arguments.of(new Reply.Bool(true), ":1\r\n", "#t\r\n"),
                Arguments.of(new Reply.Bool(false), ":0\r\n", "#f\r\n"),
                Arguments.of(new Reply.Verbatim("txt", utf8("hello")), "$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n"),
                Arguments.of(new Reply.Verbatim("mkd", utf8("")), "$0\r\n\r\n", "=4\r\nmkd:\r\n"),
                Arguments.of(new Reply.Array(List.of(new Reply.MapReply(List.of(new Reply.Simple("k"),
                        new Reply.SetReply(List.of(new Reply.Bool(true))))))),
                        "*1\r\n*2\r\n+k\r\n*1\r\n:1\r\n", "*1\r\n%1\r\n+k\r\n~1\r\n#t\r\n"));
    }

    @ParameterizedTest
    @MethodSource("replies")
    void encodesExactly(Reply reply, String resp2, String resp3) {
        assertEquals(resp2, encode(reply, 2));
        assertEquals(resp3, encode(reply, 3));
    }

    /** Encodes into a buffer of exactly encodedSize bytes, checking it is filled to the last byte. */
    static String encode(Reply reply, int protocolVersion) {
        int size = RespReplyEncoder.encodedSize(reply, protocolVersion);
        ByteBuffer out = ByteBuffer.allocate(size);
        RespReplyEncoder.encode(reply, protocolVersion, out);
        assertEquals(size, out.position(), "encodedSize disagrees with encode for " + reply);
        return new String(out.array(), StandardCharsets.UTF_8);
    }

    @Test
    void encodesAtTheBuffersPositionAndOnlyThere() {
        ByteBuffer out = ByteBuffer.allocate(20);
        out.put((byte) '#');
        RespReplyEncoder.encode(Reply.integer(305), 2, out);
        assertEquals(7, out.position());
        assertEquals("#:305\r\n", new String(out.array(), 0, 7, StandardCharsets.US_ASCII));
        assertEquals(0, out.get(7));
    }

    @Test
    void sizeAgreesForStrangeText() {
        // Lone surrogates become '?' in UTF-8; pairs take 4 bytes; CR/LF become spaces.
        for (String text : List.of("\ud800", "a\udc00b", "\ud83d\ude00", "\ud83d", "\u0800\u07ff\u007f", "\r\n\u00e9\r")) {
            encode(new Reply.Simple(text), 2);
            encode(Reply.error(text), 3);
        }
    }

    @Test
    void sizeAgreesForRandomReplyTrees() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            Reply reply = randomReply(random, 0);
            for (int version = 2; version <= 3; version++) {
                int size = RespReplyEncoder.encodedSize(reply, version);
                ByteBuffer out = ByteBuffer.allocate(size);
                RespReplyEncoder.encode(reply, version, out);
                assertEquals(size, out.position(), "--seed=" + seed + " reply " + reply);
            }
        }
    }

    static Reply randomReply(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 9 : 12);
        return switch (kind) {
            case 0 -> new Reply.Simple(randomText(random));
            case 1 -> Reply.error(randomText(random));
            case 2 -> Reply.integer(random.nextBoolean() ? random.nextInt(2000) - 1000 : random.nextLong());
            case 3 -> new Reply.Bulk(randomBytes(random));
            case 4 -> Reply.NULL;
            case 5 -> Reply.NULL_ARRAY;
            case 6 -> new Reply.Double(random.nextBoolean() ? random.nextInt(100) / 8.0
                    : Double.longBitsToDouble(random.nextLong()));
            case 7 -> new Reply.Bool(random.nextBoolean());
            case 8 -> new Reply.Verbatim("txt", randomBytes(random));
            case 9 -> new Reply.Array(randomItems(random, depth, random.nextInt(5)));
            case 10 -> new Reply.MapReply(randomItems(random, depth, 2 * random.nextInt(3)));
            default -> new Reply.SetReply(randomItems(random, depth, random.nextInt(4)));
        };
    }

    private static List<Reply> randomItems(Random random, int depth, int count) {
        List<Reply> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(randomReply(random, depth + 1));
        }
        return items;
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(6)) {
                case 0 -> '\r';
                case 1 -> '\n';
                case 2 -> (char) random.nextInt(0x10000);
                default -> (char) (' ' + random.nextInt(95));
            });
        }
        return text.toString();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(random.nextInt(8) == 0 ? 3000 : 20)];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void refusesWhatCannotBeEncoded() {
        assertThrows(IllegalArgumentException.class, () -> RespReplyEncoder.encodedSize(Reply.OK, 1));
        assertThrows(IllegalArgumentException.class, () -> RespReplyEncoder.encode(Reply.OK, 4, ByteBuffer.allocate(9)));
        Reply oddMap = new Reply.MapReply(List.of(Reply.OK));
        assertThrows(IllegalArgumentException.class, () -> RespReplyEncoder.encodedSize(oddMap, 3));
        Reply badFormat = new Reply.Verbatim("text", utf8("x"));
        assertThrows(IllegalArgumentException.class, () -> RespReplyEncoder.encodedSize(badFormat, 3));
        assertEquals("$1\r\nx\r\n", encode(badFormat, 2)); // RESP2 does not send the format
    }
}
