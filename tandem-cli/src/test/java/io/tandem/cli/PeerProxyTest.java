package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.net.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerProxy} on real loopback sockets: a route forwards both ways, a black-holed route passes
 * nothing either way (on connections open before and opened during the fault), healing closes the
 * silenced connections and forwards new ones, and the limits hold. Absence of bytes is shown by the
 * proxy's own count of what it dropped, never by waiting a while.
 */
class PeerProxyTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private ServerSocket target;
    private PeerProxy proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        target.setSoTimeout(READ_TIMEOUT_MILLIS);
        proxy = new PeerProxy();
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        for (Socket s : sockets) {
            s.close();
        }
        target.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        int port = route("a->b");
        Socket dialer = dial(port);
        Socket accepted = accept();
        send(dialer, "hello from a");
        assertEquals("hello from a", receive(accepted, 12));
        send(accepted, "and back from b");
        assertEquals("and back from b", receive(dialer, 15));
        PeerProxy.Stats stats = proxy.stats("a->b");
        assertEquals(27, stats.forwardedBytes(), stats.toString());
        assertEquals(1, stats.open(), stats.toString());
    }

    @Test
    void forwardsMoreThanItsBuffersHold() throws Exception {
        int port = route("a->b");
        Socket dialer = dial(port);
        Socket accepted = accept();
        byte[] big = new byte[5 * PeerProxy.BUFFER_BYTES + 123];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Thread writer = new Thread(() -> {
            try {
                dialer.getOutputStream().write(big);
            } catch (IOException e) {
                // the assertion below fails instead
            }
        });
        writer.start();
        assertArrayEquals(big, accepted.getInputStream().readNBytes(big.length));
        writer.join(READ_TIMEOUT_MILLIS);
    }

    @Test
    void aBlackHoledRoutePassesNothingEitherWayThenHealingClosesAndForwardsAgain() throws IOException {
        int port = route("a->b");
        Socket dialer = dial(port);
        Socket accepted = accept();
        send(dialer, "before");
        assertEquals("before", receive(accepted, 6));

        proxy.blackHole("a->b");
        send(dialer, "lost-a"); // the dialer's write succeeds: a partition is silence, not an error
        awaitDiscarded("a->b", 6);
        send(accepted, "lost-b");
        awaitDiscarded("a->b", 12);
        assertEquals(0, accepted.getInputStream().available(), "nothing reached the target");
        assertEquals(0, dialer.getInputStream().available(), "nothing came back to the dialer");
        assertTrue(dialer.isConnected() && !dialer.isClosed());

        // A connection opened during the partition is accepted and never passed on.
        Socket during = dial(port);
        send(during, "lost-c");
        awaitDiscarded("a->b", 18);
        assertEquals(2, proxy.stats("a->b").accepted(), "accepted by the proxy");
        assertEquals(6, proxy.stats("a->b").forwardedBytes(), "only the bytes before the fault");

        proxy.heal("a->b");
        assertEquals(-1, readOrEof(dialer), "a silenced connection is closed on heal");
        assertEquals(-1, readOrEof(during), "a silenced connection is closed on heal");
        assertEquals(-1, readOrEof(accepted), "the target's side too");

        Socket again = dial(port);
        Socket acceptedAgain = accept(); // the first upstream connection since the fault began
        send(again, "after");
        assertEquals("after", receive(acceptedAgain, 5));
        send(acceptedAgain, "reply");
        assertEquals("reply", receive(again, 5));
        assertEquals(1, proxy.stats("a->b").open());
    }

    @Test
    void blackHolingOneRouteLeavesTheOthersForwarding() throws IOException {
        int cut = route("a->b");
        int kept = route("c->b");
        Socket fromA = dial(cut);
        Socket atBfromA = accept();
        Socket fromC = dial(kept);
        Socket atBfromC = accept();
        proxy.blackHole("a->b");
        send(fromA, "x");
        awaitDiscarded("a->b", 1);
        send(fromC, "still here");
        assertEquals("still here", receive(atBfromC, 10));
        assertEquals(0, atBfromA.getInputStream().available());
        assertEquals(0, proxy.stats("c->b").discardedBytes());
    }

    @Test
    void aDialerWhoseTargetIsDownIsClosedAsIfRefused() throws IOException {
        int downPort = FreePorts.outsideEphemeralRange();
        int port = proxy.addRoute("a->down", new InetSocketAddress(InetAddress.getLoopbackAddress(), downPort));
        Socket dialer = dial(port);
        assertEquals(-1, readOrEof(dialer));
        Await.until(() -> proxy.stats("a->down").open() == 0, "the connection is forgotten", BOUND);
    }

    @Test
    void endsOfStreamPassThroughAndTheConnectionIsForgotten() throws IOException {
        int port = route("a->b");
        Socket dialer = dial(port);
        Socket accepted = accept();
        send(dialer, "last words");
        dialer.shutdownOutput();
        assertEquals("last words", receive(accepted, 10));
        assertEquals(-1, accepted.getInputStream().read(), "the dialer's end of stream reaches the target");
        send(accepted, "answer after the half-close");
        assertEquals("answer after the half-close", receive(dialer, 27));
        accepted.close();
        assertEquals(-1, readOrEof(dialer));
        Await.until(() -> proxy.stats("a->b").open() == 0, "both sides closed: forgotten", BOUND);
    }

    @Test
    void connectionsPastTheLimitAreClosedAsTheyArrive() throws IOException {
        int port = route("a->b");
        for (int i = 0; i < PeerProxy.MAX_CONNECTIONS_PER_ROUTE; i++) {
            dial(port);
            accept();
        }
        Socket extra = dial(port);
        assertEquals(-1, readOrEof(extra));
        PeerProxy.Stats stats = proxy.stats("a->b");
        assertEquals(1, stats.refused(), stats.toString());
        assertEquals(PeerProxy.MAX_CONNECTIONS_PER_ROUTE, stats.open(), stats.toString());
    }

    @Test
    void closeStopsListeningAndClosesEveryConnection() throws IOException {
        int port = route("a->b");
        Socket dialer = dial(port);
        accept();
        proxy.close();
        assertEquals(-1, readOrEof(dialer));
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertThrows(IOException.class, () -> proxy.stats("a->b"));
    }

    private int route(String name) throws IOException {
        return proxy.addRoute(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getLocalPort()));
    }

    private Socket dial(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        sockets.add(s);
        return s;
    }

    private Socket accept() throws IOException {
        Socket s = target.accept();
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        InputStream in = s.getInputStream();
        byte[] bytes = in.readNBytes(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** -1 for an orderly close, also for a reset (a close with unread bytes); fails on a timeout. */
    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + READ_TIMEOUT_MILLIS + " ms", e);
        } catch (SocketException e) {
            return -1; // connection reset
        }
    }

    private void awaitDiscarded(String route, long bytes) {
        Await.until(() -> proxy.stats(route).discardedBytes() >= bytes, bytes + " bytes dropped on " + route, BOUND);
    }
}
