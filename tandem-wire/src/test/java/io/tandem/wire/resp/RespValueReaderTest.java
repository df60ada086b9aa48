package io.tandem.wire.resp;

import static io.tandem.wire.resp.DecoderFeed.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading replies back: round trips through the encoder, canonical text, and limits. */
class RespValueReaderTest {

    private static RespValue read(String wire) throws IOException {
        return new RespValueReader(new ByteArrayInputStream(bytes(wire))).read();
    }

    private static byte[] encode(Reply reply, int protocolVersion) {
        ByteBuffer out = ByteBuffer.allocate(RespReplyEncoder.encodedSize(reply, protocolVersion));
        RespReplyEncoder.encode(reply, protocolVersion, out);
        return out.array();
    }

    static Stream<Arguments> canonicalText() {
        return Stream.of(
                Arguments.of("+OK\r\n", "+OK"),
                Arguments.of("-ERR no such key\r\n", "-ERR no such key"),
                Arguments.of("-ERR a\tb\r\n", "-ERR a\\x09b"),
                Arguments.of(":5\r\n", ":5"),
                Arguments.of(":-9223372036854775808\r\n", ":-9223372036854775808"),
                Arguments.of("$5\r\nhello\r\n", "\"hello\""),
                Arguments.of("$8\r\na\"\\\r\n\u0000\u00ff\u0007\r\n", "\"a\\\"\\\\\\r\\n\\x00\\xff\\a\""),
                Arguments.of("$0\r\n\r\n", "\"\""),
                Arguments.of("$-1\r\n", "(nil)"),
                Arguments.of("*-1\r\n", "(nil-array)"),
                Arguments.of("_\r\n", "(null)"),
                Arguments.of("*0\r\n", "[]"),
                Arguments.of("*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "[\"a\", [:1]]"),
                Arguments.of("%2\r\n+k\r\n:1\r\n$1\r\nm\r\n_\r\n", "{+k: :1, \"m\": (null)}"),
                Arguments.of("~2\r\n$1\r\nb\r\n$1\r\na\r\n", "~[\"b\", \"a\"]"),
                Arguments.of(">2\r\n$7\r\nmessage\r\n:3\r\n", ">[\"message\", :3]"),
                Arguments.of("|1\r\n+ttl\r\n:3\r\n", "|{+ttl: :3}"),
                Arguments.of(",1.5\r\n", ",1.5"),
                Arguments.of(",-inf\r\n", ",-inf"),
                Arguments.of("#t\r\n", "#t"),
                Arguments.of("#f\r\n", "#f"),
                Arguments.of("=10\r\ntxt:hi\r\nyo\r\n", "=txt:\"hi\\r\\nyo\""),
                Arguments.of("(3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385"),
                Arguments.of("!8\r\nERR x\r\ny\r\n", "!\"ERR x\\r\\ny\""));
    }

    @ParameterizedTest
    @MethodSource("canonicalText")
    void readsEveryTypeAsCanonicalText(String wire, String text) throws IOException {
        assertEquals(text, read(wire).toString());
    }

    @Test
    void readsWhatRedisSaysToHello3() throws IOException {
        String hello = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
                + "$2\r\nid\r\n:35\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                + "$7\r\nmodules\r\n*0\r\n";
        assertEquals("{\"server\": \"redis\", \"version\": \"7.0.15\", \"proto\": :3, \"id\": :35, "
                + "\"mode\": \"standalone\", \"role\": \"master\", \"modules\": []}", read(hello).toString());
    }

    @Test
    void everyEncodedReplyReadsBack() throws IOException {
        Reply reply = new Reply.Array(List.of(Reply.OK, Reply.error("ERR x"), Reply.integer(-3), Reply.bulk("b"),
                Reply.NULL, Reply.NULL_ARRAY, new Reply.MapReply(List.of(Reply.bulk("k"), new Reply.Double(2.5))),
                new Reply.SetReply(List.of(new Reply.Bool(true))),
                new Reply.Verbatim("txt", "v".getBytes(StandardCharsets.UTF_8))));
        assertEquals("[+OK, -ERR x, :-3, \"b\", (nil), (nil-array), [\"k\", \"2.5\"], [:1], \"v\"]",
                new RespValueReader(new ByteArrayInputStream(encode(reply, 2))).read().toString());
        assertEquals("[+OK, -ERR x, :-3, \"b\", (null), (null), {\"k\": ,2.5}, ~[#t], =txt:\"v\"]",
                new RespValueReader(new ByteArrayInputStream(encode(reply, 3))).read().toString());
    }

    @Test
    void randomRepliesReadBackToOneValueEachAndNothingMore() throws IOException {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            Reply reply = RespReplyEncoderTest.randomReply(random, 0);
            for (int version = 2; version <= 3; version++) {
                byte[] wire = encode(reply, version);
                ByteArrayInputStream in = new ByteArrayInputStream(wire);
                RespValue value = new RespValueReader(in).read();
                assertEquals(0, in.available(), "--seed=" + seed + " " + reply + " read as " + value);
            }
        }
    }

    @Test
    void readsSeveralValuesFromOneStream() throws IOException {
        RespValueReader reader = new RespValueReader(new ByteArrayInputStream(bytes("+OK\r\n:1\r\n$1\r\nx\r\n")));
        assertEquals("+OK", reader.read().toString());
        assertEquals(":1", reader.read().toString());
        assertEquals("\"x\"", reader.read().toString());
        assertThrows(EOFException.class, reader::read);
    }

    @Test
    void valuesCompareByContent() throws IOException {
        assertEquals(read("*1\r\n$2\r\nab\r\n"), read("*1\r\n$2\r\nab\r\n"));
        assertEquals(read("=6\r\ntxt:ab\r\n"), read("=6\r\ntxt:ab\r\n"));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("?x\r\n"),
                Arguments.of(":abc\r\n"),
                Arguments.of(":1\rx"),
                Arguments.of("$3\r\nabcd\r\n"),
                Arguments.of("$-2\r\n"),
                Arguments.of("*-2\r\n"),
                Arguments.of("%-1\r\n"),
                Arguments.of("_x\r\n"),
                Arguments.of("#x\r\n"),
                Arguments.of("=2\r\nab\r\n"),
                Arguments.of("(12a\r\n"),
                Arguments.of("!-1\r\n"),
                Arguments.of("$?\r\n"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRepliesAreProtocolErrors(String wire) {
        assertThrows(RespProtocolException.class, () -> read(wire));
    }

    @Test
    void truncatedRepliesAreEndOfStream() {
        for (String wire : List.of("", "+OK", "+OK\r", "$5\r\nhel", "$5\r\nhello", "$5\r\nhello\r", "*2\r\n:1\r\n")) {
            assertThrows(EOFException.class, () -> read(wire), wire);
        }
    }

    @Test
    void limitsWhatAReplyMayAllocate() {
        byte[] big = bytes("$11\r\nhello world\r\n");
        assertThrows(RespProtocolException.class,
                () -> new RespValueReader(new ByteArrayInputStream(big), 10, 8).read());
        byte[] longLine = bytes("+" + "x".repeat(11) + "\r\n");
        assertThrows(RespProtocolException.class,
                () -> new RespValueReader(new ByteArrayInputStream(longLine), 10, 8).read());
        byte[] deep = bytes("*1\r\n".repeat(9) + ":1\r\n");
        assertThrows(RespProtocolException.class,
                () -> new RespValueReader(new ByteArrayInputStream(deep), 10, 8).read());
        byte[] deepEnough = bytes("*1\r\n".repeat(7) + ":1\r\n");
        assertEquals(":1", assertDoesNotThrowRead(deepEnough, 8).replace("[", "").replace("]", ""));
    }

    private static String assertDoesNotThrowRead(byte[] wire, int maxDepth) {
        try {
            return new RespValueReader(new ByteArrayInputStream(wire), 10, maxDepth).read().toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aHugeDeclaredBulkIsNotAllocatedUpFront() {
        // A stream that claims 500 MB and then ends: EOF after reading 3 bytes, not an OutOfMemoryError.
        InputStream in = new ByteArrayInputStream(bytes("$500000000\r\nabc"));
        assertThrows(EOFException.class, () -> new RespValueReader(in).read());
    }

    @Test
    void commandWriterOutputIsWhatTheDecoderReads() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespCommandWriter writer = new RespCommandWriter(out);
        writer.write("SET", "k\u00e9", "");
        writer.write(new byte[] {0, '\r', '\n'});
        writer.write(List.of(bytes("PING")));
        writer.flush();
        assertEquals("*3\r\n$3\r\nSET\r\n$3\r\nk\u00c3\u00a9\r\n$0\r\n\r\n*1\r\n$3\r\n\u0000\r\n\r\n*1\r\n$4\r\nPING\r\n",
                new String(out.toByteArray(), StandardCharsets.ISO_8859_1));
        DecoderFeed.Outcome outcome = DecoderFeed.whole(new RespRequestDecoder(), out.toByteArray());
        assertEquals(List.of(DecoderFeed.render("SET", "k\u00c3\u00a9", ""), DecoderFeed.render("\u0000\r\n"),
                DecoderFeed.render("PING")), outcome.requests());
    }
}
