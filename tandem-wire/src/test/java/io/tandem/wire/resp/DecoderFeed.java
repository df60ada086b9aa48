package io.tandem.wire.resp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feeds a byte stream to a decoder the way a server's cumulating buffer does: bytes arrive in chunks,
 * the decoder is called until it returns null, and what it left unconsumed is presented again in front
 * of the next chunk. Checks on every call that the decoder made progress or asked for more bytes and
 * left at most an incomplete header line behind.
 */
final class DecoderFeed {
    private DecoderFeed() {}

    /** What a stream decoded to: the requests, then the error that stopped it (or null). */
    record Outcome(List<String> requests, String error, int unconsumedBytes) {
        @Override
        public String toString() {
            return requests + (error == null ? "" : " then " + error) + " (" + unconsumedBytes + " unconsumed)";
        }
    }

    static Outcome whole(RespRequestDecoder decoder, byte[] stream) {
        return feed(decoder, stream, new int[] {stream.length});
    }

    static Outcome byteByByte(RespRequestDecoder decoder, byte[] stream) {
        int[] ends = new int[stream.length];
        for (int i = 0; i < stream.length; i++) {
            ends[i] = i + 1;
        }
        return feed(decoder, stream, ends);
    }

    /** Two chunks: [0, split) and [split, end). */
    static Outcome splitAt(RespRequestDecoder decoder, byte[] stream, int split) {
        return feed(decoder, stream, new int[] {split, stream.length});
    }

    /**
     * chunkEnds: increasing offsets where each chunk ends; the last must be stream.length. Each call gets
     * a fresh heap buffer starting at index 0, so absolute-index bugs show.
     */
    static Outcome feed(RespRequestDecoder decoder, byte[] stream, int[] chunkEnds) {
        List<String> requests = new ArrayList<>();
        int consumed = 0;
        for (int end : chunkEnds) {
            ByteBuffer buf = ByteBuffer.wrap(Arrays.copyOfRange(stream, consumed, end));
            while (true) {
                int before = buf.position();
                byte[][] request;
                try {
                    request = decoder.decode(buf);
                } catch (RespProtocolException e) {
                    return new Outcome(requests, e.getMessage(), stream.length - consumed - buf.position());
                }
                if (request == null) {
                    assertTrue(buf.remaining() <= decoder.limits().maxInlineBytes() + 1,
                            "null left " + buf.remaining() + " bytes unconsumed");
                    break;
                }
                assertTrue(buf.position() > before, "a request was returned without consuming bytes");
                requests.add(render(request));
            }
            consumed += buf.position();
        }
        return new Outcome(requests, null, stream.length - consumed);
    }

    /** ["SET", "k", "v"], each argument quoted and escaped. */
    static String render(byte[][] request) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < request.length; i++) {
            out.append(i == 0 ? "" : ", ").append(ByteStrings.quoted(request[i]));
        }
        return out.append(']').toString();
    }

    static String render(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return render(bytes);
    }

    /** Test text as bytes, one byte per char (so "\u00ff" is the byte 0xff). */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
