package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.server.TandemNode;
import io.tandem.server.config.NodeConfig;
import io.tandem.storage.wal.FsyncPolicy;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a password, a node bound to every interface serves loopback clients only. */
class ProtectedModeTest {
    @TempDir
    Path dir;

    @Test
    void nonLoopbackClientsAreDeniedWithoutAPasswordAndAcceptedWithOne() throws Exception {
        InetAddress external = firstNonLoopbackAddress();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to connect from");
        NodeConfig open = NodeConfig.forTest(dir.resolve("a"), FsyncPolicy.BATCH).withBind("0.0.0.0");
        try (TandemNode node = TandemNode.start(open)) {
            try (Socket socket = new Socket(external, node.port())) {
                String reply = readAll(socket.getInputStream());
                assertTrue(reply.startsWith("-DENIED Tandem is running in protected mode"), reply);
            }
            try (Socket local = new Socket("127.0.0.1", node.port())) {
                local.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] pong = local.getInputStream().readNBytes(7);
                assertEquals("+PONG\r\n", new String(pong, StandardCharsets.US_ASCII));
            }
        }
        NodeConfig withPassword = open.withRequirepass("s3cret");
        try (TandemNode node = TandemNode.start(withPassword.withDataDir(dir.resolve("b")));
                Socket socket = new Socket(external, node.port())) {
            socket.getOutputStream().write("AUTH s3cret\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] replies = socket.getInputStream().readNBytes(12);
            assertEquals("+OK\r\n+PONG\r\n", new String(replies, StandardCharsets.US_ASCII));
        }
    }

    private static String readAll(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static InetAddress firstNonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return address;
                }
            }
        }
        return null;
    }
}
