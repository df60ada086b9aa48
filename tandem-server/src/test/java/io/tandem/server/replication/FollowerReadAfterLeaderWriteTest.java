package io.tandem.server.replication;

import static io.tandem.server.replication.ThreeNodeCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A read that reaches a follower together with the leader's entries, after them, sees them: the follower
 * applies what a read burst of its leader's connection brought before it serves the client connections of the
 * same loop iteration (NodeAgent#onPeerReadComplete). This is the replication-lag probe's case, and
 * read-your-writes done by hand: write on the leader, then read on a follower. The leader sends its entries to
 * the followers before it answers the client, so they reach the follower first; but when the follower's thread
 * woke late, both were ready in one iteration, and the read was served before the cycle's end applied them
 * (measured with repl_lag.py's probe: 1-23% of reads answered nil).
 *
 * <p>The test makes that iteration happen: it holds the followers' loops, writes on the leader, waits until both
 * the leader's entry and the client's GET sit in the follower's sockets (the kernel's receive queues, read from
 * /proc/net/tcp and tcp6: Linux only), and lets the loops go.
 */
class FollowerReadAfterLeaderWriteTest extends ThreeNodeClusterTest {
    /** Java and Netty open IPv6 sockets where they can (127.0.0.1 then shows IPv4-mapped): read both. */
    private static final List<Path> PROC_NET_TCP = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    @Test
    void aReadArrivingWithTheLeadersEntriesAfterThemSeesThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(PROC_NET_TCP.get(0)), "needs Linux's /proc/net/tcp");
        cluster = new ThreeNodeCluster(dir).set("ack-policy", "async").set("fsync", "never")
                .set("election-timeout-millis", "0");
        cluster.start();
        int[] peerPorts = {cluster.node(0).peerPort(), cluster.node(1).peerPort(), cluster.node(2).peerPort()};
        try (Jedis leader = new Jedis("127.0.0.1", cluster.port(0));
                Socket reader = new Socket("127.0.0.1", cluster.port(1))) {
            await(() -> leader.info("replication").contains("connected_slaves:2"), "both followers online");
            assertEquals("OK", leader.set("warm", "1"));
            await(() -> followersUnread(peerPorts) == 0, "the followers have read everything the leader sent");
            // Both followers held: the leader streams to each over a connection either side may have opened, and
            // /proc/net/tcp does not say which process holds a socket; with both held, two follower-side sockets
            // with bytes waiting means each has the entry.
            CountDownLatch release = new CountDownLatch(1);
            cluster.hold(1, release);
            cluster.hold(2, release);
            try {
                assertEquals("OK", leader.set("k", "after"));
                await(() -> followersUnread(peerPorts) == 2, "the leader's entry waits in each follower's socket");
                reader.getOutputStream().write("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII));
                int readerPort = reader.getLocalPort();
                await(() -> receiveQueues(cluster.port(1), readerPort).stream().anyMatch(bytes -> bytes > 0),
                        "the GET waits in n2's socket too");
            } finally {
                release.countDown();
            }
            reader.setSoTimeout(10_000);
            assertEquals("after", readBulk(reader.getInputStream()),
                    "the GET read in the same iteration as the leader's entry, after it, sees the write");
        }
    }

    /**
     * How many follower-side peer sockets have bytes waiting: the followers' ends of connections to the
     * leader's peer port, and of connections to a follower's peer port (the leader's, or the other follower's,
     * which carries nothing here).
     */
    private static long followersUnread(int[] peerPorts) throws IOException {
        return tcpSockets().stream()
                .filter(f -> port(f[2]) == peerPorts[0] || port(f[1]) == peerPorts[1] || port(f[1]) == peerPorts[2])
                .filter(f -> receiveQueue(f) > 0).count();
    }

    /**
     * Receive-queue bytes of the established loopback sockets whose local port is {@code localPort} (and whose
     * remote port is {@code remotePort}, unless -1), from /proc/net/tcp(6): "sl local rem st tx:rx ...", ports
     * in hex, e.g. "0100007F:A7A5" is 127.0.0.1:42917.
     */
    private static List<Integer> receiveQueues(int localPort, int remotePort) throws IOException {
        return tcpSockets().stream()
                .filter(f -> port(f[1]) == localPort && (remotePort == -1 || port(f[2]) == remotePort))
                .map(FollowerReadAfterLeaderWriteTest::receiveQueue).toList();
    }

    /** The established sockets of /proc/net/tcp and tcp6, each line split into its fields. */
    private static List<String[]> tcpSockets() throws IOException {
        List<String[]> sockets = new java.util.ArrayList<>();
        for (Path table : PROC_NET_TCP) {
            if (Files.exists(table)) {
                Files.readAllLines(table).stream().skip(1).map(String::trim).map(line -> line.split("\\s+"))
                        .filter(f -> f[3].equals("01")).forEach(sockets::add);
            }
        }
        return sockets;
    }

    /** The "rx_queue" half of the "tx_queue:rx_queue" field. */
    private static int receiveQueue(String[] fields) {
        return Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    /** One bulk-string reply: its text, or null for RESP2's nil ("$-1"). */
    private static String readBulk(InputStream in) throws IOException {
        String header = readLine(in);
        if (header.equals("$-1")) {
            return null;
        }
        assertEquals('$', header.charAt(0), "a bulk string: " + header);
        return readLine(in);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after \"" + line + "\"");
            }
            line.append((char) c);
        }
        in.read(); // '\n'
        return line.toString();
    }
}
