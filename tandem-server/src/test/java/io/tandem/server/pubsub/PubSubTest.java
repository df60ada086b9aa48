package io.tandem.server.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.server.config.NodeConfigLoader;
import io.tandem.storage.wal.FsyncPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pub/sub over real sockets, byte for byte as Redis 7.0 answers (the expected bytes were taken from
 * redis-server 7.0.15): confirmations and messages in RESP2 and as RESP3 pushes, the RESP2 subscribed-mode
 * restriction and its error text, PING there, unsubscribe counts, patterns, PUBLISH's receiver count, and the
 * limits (subscriptions per connection, a subscriber that does not read).
 */
class PubSubTest {
    @TempDir
    Path dir;

    private TandemNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, String> extra) throws IOException {
        java.util.Map<String, String> flags = new java.util.LinkedHashMap<>(Map.of("port", "0", "admin-port", "-1",
                "data-dir", dir.toString(), "fsync", FsyncPolicy.BATCH.configName()));
        flags.putAll(extra);
        NodeConfig config = NodeConfigLoader.load(flags, Map.of(), null);
        node = TandemNode.start(config);
    }

    @Test
    void resp2ConfirmationsMessagesAndTheSubscribedModeAreRedisExact() throws Exception {
        start(Map.of());
        try (Client sub = new Client(node.port()); Client pub = new Client(node.port())) {
            sub.send("SUBSCRIBE a b\r\nPSUBSCRIBE x*\r\n");
            sub.expect("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
                    + "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:3\r\n");

            pub.send("PUBLISH a hello\r\nPUBLISH xy hi\r\nPUBLISH nobody there\r\n");
            pub.expect(":1\r\n:1\r\n:0\r\n");
            sub.expect("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n"
                    + "*4\r\n$8\r\npmessage\r\n$2\r\nx*\r\n$2\r\nxy\r\n$2\r\nhi\r\n");

            sub.send("GET k\r\nMULTI\r\nPING\r\nPING hi\r\n");
            sub.expect("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are"
                    + " allowed in this context\r\n"
                    + "-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are"
                    + " allowed in this context\r\n"
                    + "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");

            // Counts go down as channels are left; leaving what was never joined still answers; with nothing
            // left, a bare UNSUBSCRIBE answers a nil channel.
            sub.send("UNSUBSCRIBE\r\nPUNSUBSCRIBE zz\r\nPUNSUBSCRIBE\r\nUNSUBSCRIBE\r\nUNSUBSCRIBE a a\r\nGET k\r\n");
            sub.expect("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n"
                    + "*3\r\n$12\r\npunsubscribe\r\n$2\r\nzz\r\n:1\r\n"
                    + "*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:0\r\n"
                    + "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
                    + "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n"
                    + "$-1\r\n");

            pub.send("PUBLISH a gone\r\nSUBSCRIBE\r\nPUBLISH a\r\n");
            pub.expect(":0\r\n-ERR wrong number of arguments for 'subscribe' command\r\n"
                    + "-ERR wrong number of arguments for 'publish' command\r\n");
        }
    }

    @Test
    void resp3SendsPushesAndAllowsEveryCommandWhileSubscribed() throws Exception {
        start(Map.of());
        try (Client sub = new Client(node.port()); Client pub = new Client(node.port())) {
            sub.send("HELLO 3\r\n");
            sub.skipReply();
            sub.send("SUBSCRIBE a\r\nGET k\r\nPING\r\n");
            sub.expect(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n_\r\n+PONG\r\n");
            pub.send("PUBLISH a hello\r\n");
            pub.expect(":1\r\n");
            sub.expect(">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n");
            sub.send("UNSUBSCRIBE\r\nUNSUBSCRIBE\r\n");
            sub.expect(">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
        }
    }

    @Test
    void patternsMatchLikeKeysAndEachMatchingSubscriptionCounts() throws Exception {
        start(Map.of());
        try (Client sub = new Client(node.port()); Client pub = new Client(node.port())) {
            sub.send("PSUBSCRIBE news.* h?llo [ab]c\r\nSUBSCRIBE news.sport\r\n");
            sub.expect("*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$5\r\nh?llo\r\n:2\r\n"
                    + "*3\r\n$10\r\npsubscribe\r\n$5\r\n[ab]c\r\n:3\r\n*3\r\n$9\r\nsubscribe\r\n$10\r\nnews.sport\r\n:4\r\n");
            // news.sport reaches the channel and the pattern: two deliveries to one connection, as in Redis.
            pub.send("PUBLISH news.sport goal\r\nPUBLISH hallo x\r\nPUBLISH bc y\r\nPUBLISH cc z\r\nPUBLISH news z\r\n");
            pub.expect(":2\r\n:1\r\n:1\r\n:0\r\n:0\r\n");
            sub.expect("*3\r\n$7\r\nmessage\r\n$10\r\nnews.sport\r\n$4\r\ngoal\r\n"
                    + "*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$10\r\nnews.sport\r\n$4\r\ngoal\r\n"
                    + "*4\r\n$8\r\npmessage\r\n$5\r\nh?llo\r\n$5\r\nhallo\r\n$1\r\nx\r\n"
                    + "*4\r\n$8\r\npmessage\r\n$5\r\n[ab]c\r\n$2\r\nbc\r\n$1\r\ny\r\n");
            pub.send("PUBSUB NUMPAT\r\nPUBSUB NUMSUB news.sport other\r\nPUBSUB CHANNELS news*\r\n");
            pub.expect(":3\r\n*4\r\n$10\r\nnews.sport\r\n:1\r\n$5\r\nother\r\n:0\r\n*1\r\n$10\r\nnews.sport\r\n");
            sub.send("RESET\r\n");
            sub.expect("+RESET\r\n");
            pub.send("PUBLISH news.sport again\r\n");
            pub.expect(":0\r\n");
        }
    }

    @Test
    void aConnectionMaySubscribeToAtMostTheConfiguredNumber() throws Exception {
        start(Map.of("pubsub-max-subscriptions", "2"));
        try (Client sub = new Client(node.port())) {
            sub.send("SUBSCRIBE a\r\nPSUBSCRIBE b c\r\nSUBSCRIBE a b\r\n");
            String refused = "-ERR this connection may subscribe to at most 2 channels and patterns"
                    + " (pubsub-max-subscriptions); it has 1\r\n";
            sub.expect("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n" + refused
                    + "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
        }
    }

    @Test
    void aSubscriberThatDoesNotReadIsDisconnectedAtTheHardLimit() throws Exception {
        start(Map.of("pubsub-output-hard-limit", "1mb"));
        try (Client sub = new Client(node.port(), 4096); Client pub = new Client(node.port())) {
            sub.send("SUBSCRIBE firehose\r\n");
            sub.expect("*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n");
            String payload = "x".repeat(64 * 1024);
            // The subscriber reads nothing more: its messages pile up in the kernel's buffers, then in the node's,
            // until the limit disconnects it and PUBLISH finds no one (at most ~64 MB published).
            long receivers = 1;
            int published = 0;
            while (receivers > 0 && published < 1000) {
                pub.send("*3\r\n$7\r\nPUBLISH\r\n$8\r\nfirehose\r\n$" + payload.length() + "\r\n" + payload + "\r\n");
                receivers = pub.readInteger();
                published++;
            }
            assertEquals(0, receivers, "the slow subscriber was disconnected after " + published + " messages");
            assertTrue(published > 16, "not before its output reached 1 MB: " + published + " messages");
            pub.send("PUBSUB NUMSUB firehose\r\n");
            pub.expect("*2\r\n$8\r\nfirehose\r\n:0\r\n");
        }
    }

    /** A raw RESP connection: what is sent and received are bytes, so the shapes are checked exactly. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Client(int port) throws IOException {
            this(port, 0);
        }

        Client(int port, int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(5_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void expect(String expected) throws IOException {
            byte[] got = in.readNBytes(expected.getBytes(StandardCharsets.UTF_8).length);
            assertEquals(expected, new String(got, StandardCharsets.UTF_8));
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                sb.append((char) c);
            }
            return sb.substring(0, sb.length() - 1);
        }

        long readInteger() throws IOException {
            String line = line();
            assertEquals(':', line.charAt(0), line);
            return Long.parseLong(line.substring(1));
        }

        /** Skips one reply (HELLO's map): reads it through io.tandem.wire's reader. */
        void skipReply() throws IOException {
            new io.tandem.wire.resp.RespValueReader(in).read();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
