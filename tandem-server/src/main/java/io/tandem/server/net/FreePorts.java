package io.tandem.server.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports to listen on that must be known before the listener starts: peer ports of a cluster
 * started by a test or by {@code tandem lab}, where every node names the others' ports up front and a node
 * restarted keeps its port.
 *
 * <p>Why not a port the kernel hands out ({@code new ServerSocket(0)}, closed at once)? Because that port is
 * drawn from the ephemeral range, the same range the kernel draws the local ports of outgoing connections
 * from. Between the probe and the node's bind, or while a node is down for a restart, one node's connection
 * to another can be given that very port as its local end, and then holds it for as long as it lives; the
 * bind fails with "Address already in use" however long it retries (seen in CI: a test cluster's third node
 * could not bind its peer port after 5 s of retries). So the port is picked below the ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default), where the kernel never places an
 * outgoing connection; it is checked free by binding it, and never handed out twice by this process.
 */
public final class FreePorts {
    /** Below this, ports are commonly configured for services (and below 1024 need privileges). */
    private static final int LOWEST = 20_000;
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final int DEFAULT_EPHEMERAL_HIGH = 60_999;
    private static final int ATTEMPTS = 1_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static final Set<Integer> handedOut = new HashSet<>();

    private FreePorts() {
    }

    /** A loopback port that is free now, outside the ephemeral range, not handed out before by this process. */
    public static synchronized int outsideEphemeralRange() {
        int[] range = ephemeralRange();
        // Below the range if there is room there, else above it (a range configured to start low).
        int low = range[0] - 1 > LOWEST ? LOWEST : range[1] + 1;
        int high = range[0] - 1 > LOWEST ? range[0] - 1 : 65_535;
        if (low > high) {
            throw new IllegalStateException("no ports outside the ephemeral range " + range[0] + "-" + range[1]);
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, high + 1);
            if (!handedOut.contains(port) && bindable(port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + low + "-" + high + " after " + ATTEMPTS
                + " attempts");
    }

    /** The kernel's ephemeral range as {low, high}; the Linux default where it cannot be read. */
    public static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
            int low = Integer.parseInt(parts[0]);
            int high = Integer.parseInt(parts[1]);
            if (low >= 1 && low <= high && high <= 65_535) {
                return new int[] {low, high};
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or unreadable: assume the default, the worst case is the race this class avoids.
        }
        return new int[] {DEFAULT_EPHEMERAL_LOW, DEFAULT_EPHEMERAL_HIGH};
    }

    /** Whether a listener could bind this loopback port now. */
    public static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
