package io.tandem.wire.resp;

import static io.tandem.wire.resp.DecoderFeed.bytes;
import static io.tandem.wire.resp.DecoderFeed.render;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Valid requests: whole, pipelined, and split at every byte boundary. */
class RespRequestDecoderFramingTest {

    private static final String PIPELINE = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n"
            + "*0\r\n"
            + "*-1\r\n"
            + "GET k\r\n"
            + "\r\n"
            + "   \r\n"
            + "\n"
            + "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
            + "ECHO \"a b\" 'c\\'d'\n"
            + "*1\r\n$4\r\nPING\r\n";

    private static final List<String> PIPELINE_REQUESTS = List.of(
            render("SET", "k", "v\r\nxy"),
            render("GET", "k"),
            render("ECHO", ""),
            render("ECHO", "a b", "c'd"),
            render("PING"));

    @Test
    void pipelineInOneBuffer() {
        DecoderFeed.Outcome outcome = DecoderFeed.whole(new RespRequestDecoder(), bytes(PIPELINE));
        assertEquals(PIPELINE_REQUESTS, outcome.requests());
        assertNull(outcome.error());
        assertEquals(0, outcome.unconsumedBytes());
    }

    @Test
    void pipelineSplitAtEveryByteBoundary() {
        byte[] stream = bytes(PIPELINE);
        for (int split = 0; split <= stream.length; split++) {
            RespRequestDecoder decoder = new RespRequestDecoder();
            DecoderFeed.Outcome outcome = DecoderFeed.splitAt(decoder, stream, split);
            assertEquals(PIPELINE_REQUESTS, outcome.requests(), "split at " + split);
            assertEquals(0, outcome.unconsumedBytes(), "split at " + split);
            assertEquals(0, decoder.bufferedBytes(), "split at " + split);
        }
        assertEquals(PIPELINE_REQUESTS, DecoderFeed.byteByByte(new RespRequestDecoder(), stream).requests());
    }

    @Test
    void pipelineSplitAtEveryPairOfBoundaries() {
        byte[] stream = bytes(PIPELINE);
        for (int first = 0; first <= stream.length; first++) {
            for (int second = first; second <= stream.length; second++) {
                DecoderFeed.Outcome outcome = DecoderFeed.feed(new RespRequestDecoder(), stream,
                        new int[] {first, second, stream.length});
                assertEquals(PIPELINE_REQUESTS, outcome.requests(), "split at " + first + " and " + second);
            }
        }
    }

    @Test
    void oneRequestPerCallTheRestStaysInTheBuffer() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        ByteBuffer buf = ByteBuffer.wrap(bytes("PING\r\n*1\r\n$4\r\nPING\r\n"));
        assertEquals(render("PING"), render(decoder.decode(buf)));
        assertEquals(14, buf.remaining());
        assertEquals(render("PING"), render(decoder.decode(buf)));
        assertEquals(0, buf.remaining());
        assertNull(decoder.decode(buf));
    }

    @Test
    void onlyAnIncompleteHeaderLineIsLeftUnconsumed() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        ByteBuffer buf = ByteBuffer.wrap(bytes("*2\r\n$3\r\nGET\r\n$1"));
        assertNull(decoder.decode(buf));
        assertEquals(2, buf.remaining()); // "$1"
        assertEquals(3, decoder.bufferedBytes()); // "GET"
        buf = ByteBuffer.wrap(bytes("$1\r\nk\r"));
        assertNull(decoder.decode(buf));
        assertEquals(0, buf.remaining()); // the bulk's data and its '\r' are consumed
        buf = ByteBuffer.wrap(bytes("\n"));
        assertEquals(render("GET", "k"), render(decoder.decode(buf)));
        assertEquals(0, decoder.bufferedBytes());
    }

    @Test
    void aHeaderLineEndsAtItsFirstCarriageReturnAsInRedis() {
        // Redis skips the byte after '\r' without looking at it; so do we (only bulk data is checked).
        DecoderFeed.Outcome outcome = DecoderFeed.whole(new RespRequestDecoder(), bytes("*1\rX$4\rXPING\r\n"));
        assertEquals(List.of(render("PING")), outcome.requests());
    }

    @Test
    void bulksAreBinarySafe() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        byte[] stream = RespCommandWriter.encode(bytes("SET"), bytes("k"), value);
        byte[][] request = new RespRequestDecoder().decode(ByteBuffer.wrap(stream));
        assertNotNull(request);
        assertArrayEquals(value, request[2]);
    }

    @Test
    void aDeclaredHugeBulkIsNotAllocatedBeforeItsBytesArrive() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        assertNull(decoder.decode(ByteBuffer.wrap(bytes("*1\r\n$536870912\r\n0123456789"))));
        assertTrue(decoder.bufferedBytes() <= 64, "holds " + decoder.bufferedBytes() + " bytes");
    }

    @Test
    void aBulkArrivingInPiecesGrowsWithTheDataAndIsCopiedOnce() {
        int length = 1_000_000;
        byte[] value = new byte[length];
        for (int i = 0; i < length; i++) {
            value[i] = (byte) (i * 31);
        }
        byte[] stream = RespCommandWriter.encode(value);
        RespRequestDecoder decoder = new RespRequestDecoder();
        byte[][] request = null;
        int chunk = 1000;
        for (int offset = 0; offset < stream.length; offset += chunk) {
            ByteBuffer buf = ByteBuffer.wrap(stream, offset, Math.min(chunk, stream.length - offset));
            request = decoder.decode(buf);
            assertEquals(0, buf.remaining(), "every byte of a bulk is consumed as it arrives");
            int received = offset + chunk;
            assertTrue(decoder.bufferedBytes() <= Math.max(2L * received, 64), "holds " + decoder.bufferedBytes());
        }
        assertNotNull(request);
        assertArrayEquals(value, request[0]);
    }

    @Test
    void directBuffersWork() {
        byte[] stream = bytes(PIPELINE);
        ByteBuffer direct = ByteBuffer.allocateDirect(stream.length + 10);
        direct.position(10);
        direct.put(stream).flip().position(10);
        RespRequestDecoder decoder = new RespRequestDecoder();
        int count = 0;
        while (decoder.decode(direct) != null) {
            count++;
        }
        assertEquals(PIPELINE_REQUESTS.size(), count);
        assertEquals(0, direct.remaining());
    }

    @Test
    void authenticatingLiftsTheLimitsForTheNextRequest() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        decoder.setAuthenticated(false);
        ByteBuffer buf = ByteBuffer.wrap(bytes("AUTH secret\r\n*12\r\n" + "$1\r\na\r\n".repeat(12)));
        assertEquals(render("AUTH", "secret"), render(decoder.decode(buf)));
        decoder.setAuthenticated(true);
        assertEquals(12, decoder.decode(buf).length);
    }

    @Test
    void manyEmptyRequestsAreSkippedInOneCall() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        ByteBuffer buf = ByteBuffer.wrap(bytes("*0\r\n\r\n".repeat(10_000)));
        assertNull(decoder.decode(buf));
        assertEquals(0, buf.remaining());
    }
}
