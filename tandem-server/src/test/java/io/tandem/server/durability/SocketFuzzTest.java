package io.tandem.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import io.tandem.wire.resp.RespProtocolException;
import io.tandem.wire.resp.RespValue;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections sending malformed, random and mutated RESP to a node with a password, while one
 * well-behaved client writes and reads back its keys. Every connection that earns a protocol error gets
 * "-ERR Protocol error..." and is closed by the server; the node stays up; the good client never sees an
 * error or a wrong value; keys acknowledged before are unchanged. A failure prints the seed.
 */
class SocketFuzzTest {
    private static final String PASSWORD = "fuzz-password";
    private static final int ROUNDS_OF_NAMED_CASES = 12;
    private static final int RANDOM_CONNECTIONS = 2_000;
    private static final int FUZZ_THREADS = 12; // most of them wait on quiet sockets, not on a CPU
    private static final int BASELINE_KEYS = 2_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** How long an open random connection waits for more replies before concluding the server waits for input. */
    private static final Duration QUIET = Duration.ofMillis(120);

    @TempDir
    Path dir;

    private TandemNode node;
    /** The frames each fuzz thread sends follow from this; rerun one with -Dtandem.seed=N. */
    private final long seed = Long.getLong("tandem.seed", System.nanoTime());

    @BeforeEach
    void start() throws IOException {
        node = TandemNode.start(NodeConfig.forTest(dir.resolve("data"), FsyncPolicy.BATCH).withRequirepass(PASSWORD));
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void malformedInputClosesOnlyItsConnection() throws Exception {
        try (RespClient setup = authenticated()) {
            for (int i = 0; i < BASELINE_KEYS; i++) {
                setup.send("SET", "base:" + i, "base-value-" + i);
            }
            setup.flush();
            for (int i = 0; i < BASELINE_KEYS; i++) {
                assertTrue(RespClient.isOk(setup.read()), "baseline SET " + i);
            }
        }
        GoodClient good = new GoodClient(node.port());
        Thread goodThread = new Thread(good, "good-client");
        goodThread.start();

        AtomicLong protocolErrors = new AtomicLong();
        AtomicLong frames = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(FUZZ_THREADS);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < FUZZ_THREADS; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed + thread);
                    for (int round = thread; round < ROUNDS_OF_NAMED_CASES; round += FUZZ_THREADS) {
                        for (MalformedFrames.Case c : MalformedFrames.protocolErrors()) {
                            namedCase(c, failures);
                            frames.incrementAndGet();
                            protocolErrors.incrementAndGet();
                        }
                    }
                    for (int i = thread; i < RANDOM_CONNECTIONS; i += FUZZ_THREADS) {
                        if (randomConnection(random, i % 3 != 0, failures)) {
                            protocolErrors.incrementAndGet();
                        }
                        frames.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            good.stop.set(true);
            goodThread.join(30_000);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("seed %d: %d bad connections (%d ended in a protocol error) in %d ms; good client did %d"
                + " SET+GET rounds%n", seed, frames.get(), protocolErrors.get(), millis, good.rounds.get());

        assertTrue(failures.isEmpty(), "--seed=" + seed + ": " + failures.size() + " bad connections misbehaved,"
                + " first ones:\n" + String.join("\n", failures.stream().limit(10).toList()));
        assertEquals(null, good.failure, "--seed=" + seed + ": the well-behaved client");
        assertTrue(good.rounds.get() > 0, "the well-behaved client made no progress");
        try (RespClient after = authenticated()) {
            assertEquals("PONG", ((RespValue.Simple) after.call("PING")).text(), "the node is still up");
            for (int i = 0; i < BASELINE_KEYS; i++) {
                after.send("GET", "base:" + i);
            }
            after.flush();
            for (int i = 0; i < BASELINE_KEYS; i++) {
                assertEquals(new RespValue.Bulk(("base-value-" + i).getBytes(StandardCharsets.UTF_8)), after.read(),
                        "--seed=" + seed + ": baseline key base:" + i);
            }
            good.verifyAll(after);
            // Every bad connection is gone: only this one (and maybe the good client's, closing) remain.
            RespClient.poll(Duration.ofSeconds(10), "bad connections to be closed", () ->
                    Long.parseLong(after.info("clients", "connected_clients")) <= 2 ? true : null);
            System.out.println("protocol_errors counted by the node: " + after.info("stats", "protocol_errors"));
        }
    }

    /** Negative and zero counts are empty requests in Redis: consumed, no reply, the connection goes on. */
    @Test
    void negativeAndZeroCountsAreSkippedLikeRedis() throws Exception {
        try (RespClient c = authenticated()) {
            c.sendRaw("*-5\r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("+PONG", c.read().toString());
        }
    }

    private RespClient authenticated() throws IOException {
        RespClient c = new RespClient(node.port(), READ_TIMEOUT);
        RespValue auth = c.call("AUTH", PASSWORD);
        if (!RespClient.isOk(auth)) {
            c.close();
            throw new AssertionError("AUTH replied " + auth);
        }
        return c;
    }

    /** A named case: the ordinary replies it allows, then the protocol error, then the server's close. */
    private void namedCase(MalformedFrames.Case c, Queue<String> failures) {
        try (RespClient conn = c.authenticate() ? authenticated() : new RespClient(node.port(), READ_TIMEOUT)) {
            try {
                conn.sendRaw(c.bytes());
            } catch (SocketException e) {
                // The server may close while a long request is still being written; its reply is still readable.
            }
            for (int i = 0; i < c.okRepliesFirst(); i++) {
                RespValue reply = conn.read();
                if (reply instanceof RespValue.Error e) {
                    failures.add(c.name() + ": reply " + i + " should be ordinary, got " + e);
                    return;
                }
            }
            RespValue reply = conn.read();
            if (!(reply instanceof RespValue.Error e && e.text().startsWith("ERR Protocol error"))) {
                failures.add(c.name() + ": expected -ERR Protocol error..., got " + reply);
                return;
            }
            String closed = closedByServer(conn);
            if (closed != null) {
                failures.add(c.name() + ": after \"" + e.text() + "\" " + closed);
            }
        } catch (IOException | RuntimeException e) {
            failures.add(c.name() + ": " + e);
        }
    }

    /**
     * Random or mutated bytes. Two in three connections then end their input (shutdownOutput), which checks
     * that an end of input in the middle of any frame is harmless; their replies may be lost (see
     * HalfClosedClientTest). The others stay open and read until the server has been quiet for
     * {@link #QUIET}: there a close must come only after "-ERR Protocol error...". Either way every reply
     * must be valid RESP and a protocol error must be the last thing the server sends. Returns whether one
     * came.
     */
    private boolean randomConnection(SplittableRandom random, boolean halfClose, Queue<String> failures) {
        boolean authenticate = random.nextBoolean();
        byte[] bytes = MalformedFrames.random(random);
        String what = (halfClose ? "half-closed, " : "") + (authenticate ? "after AUTH " : "") + quoted(bytes);
        try (RespClient conn = authenticate ? authenticated() : new RespClient(node.port(), READ_TIMEOUT)) {
            try {
                conn.sendRaw(bytes);
                if (halfClose) {
                    conn.shutdownOutput();
                }
            } catch (SocketException e) {
                // closed by the server mid-write (a protocol error); read what it said
            }
            if (!halfClose) {
                conn.setReadTimeout(QUIET);
            }
            while (true) {
                RespValue reply;
                try {
                    reply = conn.read();
                } catch (EOFException | SocketException e) {
                    if (!halfClose) {
                        failures.add(what + ": the server closed the connection without a protocol error reply");
                    }
                    return false;
                } catch (SocketTimeoutException e) {
                    if (halfClose) {
                        failures.add(what + ": the server neither replied nor closed within " + READ_TIMEOUT);
                    }
                    return false; // the server waits for the rest of a request: fine
                }
                if (reply instanceof RespValue.Error e && e.text().startsWith("ERR Protocol error")) {
                    conn.setReadTimeout(READ_TIMEOUT);
                    String closed = closedByServer(conn);
                    if (closed != null) {
                        failures.add(what + ": after \"" + e.text() + "\" " + closed);
                    }
                    return true;
                }
            }
        } catch (RespProtocolException e) {
            failures.add(what + ": the server's reply is not valid RESP: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            failures.add(what + ": " + e);
        }
        return false;
    }

    /** Null if the next read finds the connection closed (EOF or reset); else what was found instead. */
    private static String closedByServer(RespClient conn) {
        try {
            return "the server sent more: " + conn.read();
        } catch (EOFException | SocketException e) {
            return null;
        } catch (SocketTimeoutException e) {
            return "the server did not close the connection within " + READ_TIMEOUT;
        } catch (IOException e) {
            return "reading failed: " + e;
        }
    }

    private static String quoted(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(bytes.length, 120); i++) {
            int b = bytes[i] & 0xff;
            s.append(b >= 0x20 && b < 0x7f && b != '"' && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return s.append(bytes.length > 120 ? "...\"" : "\"").toString();
    }

    /** Writes good:i, reads it back, and re-reads an older key, until told to stop; remembers the first problem. */
    private static final class GoodClient implements Runnable {
        private final int port;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong rounds = new AtomicLong();
        volatile String failure;

        GoodClient(int port) {
            this.port = port;
        }

        static String value(long i) {
            return "good-value-" + i + "-" + Long.toHexString(i * 0x9E3779B97F4A7C15L);
        }

        @Override
        public void run() {
            SplittableRandom random = new SplittableRandom(1);
            try (RespClient c = new RespClient(port, READ_TIMEOUT)) {
                expect(c.call("AUTH", PASSWORD), new RespValue.Simple("OK"), "AUTH");
                for (long i = 0; !stop.get() && failure == null; i++) {
                    expect(c.call("SET", "good:" + i, value(i)), new RespValue.Simple("OK"), "SET good:" + i);
                    expect(c.call("GET", "good:" + i), bulk(value(i)), "GET good:" + i);
                    long older = random.nextLong(i + 1);
                    expect(c.call("GET", "good:" + older), bulk(value(older)), "GET good:" + older);
                    rounds.set(i + 1);
                }
            } catch (IOException | RuntimeException e) {
                failure = "failed after " + rounds.get() + " rounds: " + e;
            }
        }

        private void expect(RespValue got, RespValue expected, String what) {
            if (failure == null && !expected.equals(got)) {
                failure = what + " replied " + got + ", expected " + expected;
            }
        }

        /** Every acknowledged good:i still holds its value. */
        void verifyAll(RespClient c) throws IOException {
            long n = rounds.get();
            for (long from = 0; from < n; from += 1000) { // pipelines small enough not to stall on back-pressure
                long to = Math.min(n, from + 1000);
                for (long i = from; i < to; i++) {
                    c.send("GET", "good:" + i);
                }
                c.flush();
                for (long i = from; i < to; i++) {
                    assertEquals(bulk(value(i)), c.read(), "good:" + i);
                }
            }
        }

        private static RespValue bulk(String text) {
            return new RespValue.Bulk(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
