package io.tandem.wire.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Runs generated and mutated frames through the decoder at random split points. Properties:
 * <ul>
 *   <li>only RespProtocolException is ever thrown, and a dead decoder keeps throwing it;
 *   <li>each call returns a request after consuming bytes, or null leaving at most an incomplete header
 *       line (maxInlineBytes + 1 bytes);
 *   <li>every returned request respects the limits, and bufferedBytes never exceeds them;
 *   <li>unmutated frames decode to exactly the arguments they were encoded from, whatever the splits;
 *   <li>a mutated stream decodes to the same requests and the same error however it is split.
 * </ul>
 * The seed is random per run and printed on failure; rerun one with -Dtandem.fuzz.seed=N.
 * -Dtandem.fuzz.frames=N changes the number of frames (default 1,000,000).
 */
class RespRequestDecoderFuzzTest {

    private static final int FRAMES = Integer.getInteger("tandem.fuzz.frames", 1_000_000);

    /** Tight limits, so that the limits are hit often. */
    private static final RequestLimits SMALL = new RequestLimits(64, 8, 32, 300, 3, 16, 120);

    @Test
    void fuzz() {
        long seed = Long.getLong("tandem.fuzz.seed", new Random().nextLong());
        Random random = new Random(seed);
        long started = System.nanoTime();
        int frames = 0;
        int streams = 0;
        try {
            while (frames < FRAMES) {
                frames += oneStream(random);
                streams++;
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("--seed=" + seed + " (rerun with -Dtandem.fuzz.seed=" + seed + ") stream "
                    + streams + ": " + e, e);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("fuzz: %d frames in %d streams, %d ms, --seed=%d%n", frames, streams, millis, seed);
    }

    /** Generates one stream of frames, feeds it (mutated or not) and checks it; returns its frame count. */
    private int oneStream(Random random) {
        RequestLimits limits = random.nextBoolean() ? SMALL : RequestLimits.defaults();
        boolean authenticated = random.nextInt(3) != 0;
        RequestFrameGenerator generator = new RequestFrameGenerator(random, limits, authenticated);
        int frameCount = 1 + random.nextInt(6);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[][]> expected = new ArrayList<>();
        for (int i = 0; i < frameCount; i++) {
            RequestFrameGenerator.Frame frame = generator.next();
            stream.writeBytes(frame.bytes());
            if (frame.args() != null) {
                expected.add(frame.args());
            }
        }
        byte[] bytes = stream.toByteArray();
        if (random.nextInt(3) == 0) {
            Outcome outcome = feed(random, limits, authenticated, bytes, randomSplits(random, bytes.length));
            assertEquals(new Outcome(expected, null, 0), outcome, () -> "unmutated " + ByteStrings.quoted(bytes));
            assertNull(outcome.error(), () -> "unmutated " + ByteStrings.quoted(bytes));
            assertEquals(0, outcome.unconsumedBytes());
            return frameCount;
        }
        byte[] mutated = new FrameMutator(random).mutate(bytes, generator.next().bytes());
        Outcome whole = feed(random, limits, authenticated, mutated, new int[] {mutated.length});
        Outcome split = feed(random, limits, authenticated, mutated, randomSplits(random, mutated.length));
        assertEquals(whole, split, () -> "mutated " + ByteStrings.quoted(mutated));
        return frameCount;
    }

    private static Outcome feed(Random random, RequestLimits limits, boolean authenticated,
            byte[] stream, int[] chunkEnds) {
        RespRequestDecoder decoder = new RespRequestDecoder(limits);
        decoder.setAuthenticated(authenticated);
        List<byte[][]> requests = new ArrayList<>();
        int consumed = 0;
        for (int end : chunkEnds) {
            // Either a view into the stream (position = consumed) or a fresh buffer (position 0).
            ByteBuffer buf = random.nextBoolean()
                    ? ByteBuffer.wrap(stream, consumed, end - consumed)
                    : ByteBuffer.wrap(Arrays.copyOfRange(stream, consumed, end));
            int base = buf.position();
            while (true) {
                int before = buf.position();
                byte[][] request;
                try {
                    request = decoder.decode(buf);
                } catch (RespProtocolException e) {
                    assertNotNull(e.getMessage());
                    assertTrue(e.getMessage().startsWith("Protocol error: "), e::getMessage);
                    assertEquals(0, decoder.bufferedBytes(), "a dead decoder holds nothing");
                    assertStaysDead(decoder, e.getMessage());
                    return new Outcome(requests, e.getMessage(), stream.length - consumed - (buf.position() - base));
                }
                // Messages are built only on failure: these checks run millions of times.
                assertTrue(decoder.bufferedBytes() <= limits.requestBytesLimit(authenticated),
                        () -> "holds " + decoder.bufferedBytes() + " bytes");
                if (request == null) {
                    assertTrue(buf.remaining() <= limits.maxInlineBytes() + 1,
                            () -> "null left " + buf.remaining() + " bytes unconsumed");
                    break;
                }
                assertTrue(buf.position() > before, "a request was returned without consuming bytes");
                checkWithinLimits(request, limits, authenticated);
                requests.add(request);
            }
            consumed += buf.position() - base;
        }
        return new Outcome(requests, null, stream.length - consumed);
    }

    /** What a stream decoded to; requests compare by content (rendering them all would dominate the run). */
    private record Outcome(List<byte[][]> requests, String error, int unconsumedBytes) {
        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Outcome that) || that.requests.size() != requests.size()) {
                return false;
            }
            for (int i = 0; i < requests.size(); i++) {
                if (!Arrays.deepEquals(requests.get(i), that.requests.get(i))) {
                    return false;
                }
            }
            return java.util.Objects.equals(error, that.error) && unconsumedBytes == that.unconsumedBytes;
        }

        @Override
        public int hashCode() {
            return requests.size();
        }

        @Override
        public String toString() {
            return requests.stream().map(DecoderFeed::render).toList()
                    + (error == null ? "" : " then " + error) + " (" + unconsumedBytes + " unconsumed)";
        }
    }

    private static void checkWithinLimits(byte[][] request, RequestLimits limits, boolean authenticated) {
        assertTrue(request.length >= 1 && request.length <= limits.argsLimit(authenticated),
                () -> "request of " + request.length + " arguments");
        for (byte[] arg : request) {
            assertNotNull(arg);
            assertTrue(arg.length <= limits.bulkBytesLimit(authenticated), () -> "argument of " + arg.length + " bytes");
        }
    }

    private static void assertStaysDead(RespRequestDecoder decoder, String message) {
        try {
            decoder.decode(ByteBuffer.wrap(new byte[] {'P', 'I', 'N', 'G', '\r', '\n'}));
            fail("a dead decoder decoded again");
        } catch (RespProtocolException again) {
            assertEquals(message, again.getMessage());
        }
    }

    /** 1 to 8 chunks; sometimes byte by byte for short streams. */
    private static int[] randomSplits(Random random, int length) {
        if (length > 0 && length < 64 && random.nextInt(8) == 0) {
            int[] ends = new int[length];
            for (int i = 0; i < length; i++) {
                ends[i] = i + 1;
            }
            return ends;
        }
        int cuts = random.nextInt(8);
        int[] ends = new int[cuts + 1];
        for (int i = 0; i < cuts; i++) {
            ends[i] = random.nextInt(length + 1);
        }
        ends[cuts] = length;
        Arrays.sort(ends);
        return ends;
    }
}
