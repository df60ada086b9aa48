package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void portsLieOutsideTheEphemeralRangeAndAreNeverHandedOutTwiceAndCanBeBound() throws IOException {
        int[] ephemeral = FreePorts.ephemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.outsideEphemeralRange();
            assertTrue(port < ephemeral[0] || port > ephemeral[1],
                    port + " is outside the ephemeral range " + ephemeral[0] + "-" + ephemeral[1]);
            assertTrue(seen.add(port), port + " was handed out twice");
            try (ServerSocket listener = new ServerSocket()) {
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                assertEquals(port, listener.getLocalPort());
            }
        }
    }

    @Test
    void theRangeAsReadIsWhereTheKernelPutsAnOutgoingConnectionsLocalPort() throws IOException {
        // The race FreePorts avoids comes from there: an outgoing connection's local port is drawn from it.
        int[] ephemeral = FreePorts.ephemeralRange();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket dialer = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
            int local = dialer.getLocalPort();
            assertTrue(local >= ephemeral[0] && local <= ephemeral[1], "the range as read (" + ephemeral[0] + "-"
                    + ephemeral[1] + ") holds a dialer's local port " + local);
        }
    }
}
