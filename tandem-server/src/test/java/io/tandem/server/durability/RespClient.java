package io.tandem.server.durability;

import io.tandem.wire.resp.RespCommandWriter;
import io.tandem.wire.resp.RespValue;
import io.tandem.wire.resp.RespValueReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * A blocking RESP connection to a node on loopback, on the wire module's writer and reader: single calls,
 * pipelines (write many, then read as many replies), and raw bytes for malformed input.
 */
final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final RespCommandWriter writer;
    private final InputStream in;
    private final RespValueReader reader;

    RespClient(int port, Duration readTimeout) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) readTimeout.toMillis());
            out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
            writer = new RespCommandWriter(out);
            in = socket.getInputStream();
            reader = new RespValueReader(in);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    RespClient(int port) throws IOException {
        this(port, Duration.ofSeconds(30));
    }

    RespValue call(String... args) throws IOException {
        writer.write(args);
        out.flush();
        return reader.read();
    }

    /** Queues a command without flushing (for pipelines); {@link #flush} sends what is queued. */
    void send(String... args) throws IOException {
        writer.write(args);
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void flush() throws IOException {
        out.flush();
    }

    RespValue read() throws IOException {
        return reader.read();
    }

    void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** No more requests: the server sees end of input. */
    void shutdownOutput() throws IOException {
        out.flush();
        socket.shutdownOutput();
    }

    String bulkText(String... args) throws IOException {
        RespValue reply = call(args);
        if (reply instanceof RespValue.Bulk bulk) {
            return new String(bulk.bytes(), StandardCharsets.UTF_8);
        }
        throw new AssertionError(String.join(" ", args) + " replied " + reply);
    }

    long integer(String... args) throws IOException {
        RespValue reply = call(args);
        if (reply instanceof RespValue.Int n) {
            return n.value();
        }
        throw new AssertionError(String.join(" ", args) + " replied " + reply);
    }

    /** A field of INFO's text ("snapshots_taken"), or null. */
    String info(String section, String field) throws IOException {
        for (String line : bulkText("INFO", section).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    static boolean isOk(RespValue reply) {
        return reply instanceof RespValue.Simple s && s.text().equals("OK");
    }

    /** Calls attempt until it returns non-null or the timeout passes (no fixed sleeps). */
    static <T> T poll(Duration timeout, String what, Callable<T> attempt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T result = attempt.call();
            if (result != null) {
                return result;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
