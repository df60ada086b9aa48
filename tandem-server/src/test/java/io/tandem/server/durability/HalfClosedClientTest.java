package io.tandem.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends its requests and then shuts down its sending side (shutdown(SHUT_WR), as
 * {@code printf 'PING\r\n' | nc -N host port} or a script that half-closes does) must still get every reply
 * before the server closes, as with Redis (7.0.15 answers 50 of 50 such connections).
 */
class HalfClosedClientTest {
    private static final int ATTEMPTS = 20;

    @TempDir
    Path dir;

    @Test
    void repliesArriveAfterTheClientEndsItsInput() throws Exception {
        try (TandemNode node = TandemNode.start(NodeConfig.forTest(dir.resolve("data"), FsyncPolicy.BATCH))) {
            for (int i = 0; i < ATTEMPTS; i++) {
                assertEquals("+PONG\r\n", sendThenHalfClose(node.port(), "PING\r\n"), "attempt " + i);
                assertEquals("+OK\r\n", sendThenHalfClose(node.port(), "SET k" + i + " v\r\n"), "attempt " + i);
                assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n",
                        sendThenHalfClose(node.port(), "GET 'x\r\n"), "attempt " + i);
            }
        }
    }

    /** Sends the text, shuts down the sending side, and returns everything the server sends until it closes. */
    private static String sendThenHalfClose(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
