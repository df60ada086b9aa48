package io.tandem.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two transports on loopback: the first messages a node sends, while its connection is still being
 * opened, reach the peer (a restarted follower's Subscribe must not wait for a resubscribe); messages
 * written during one event loop task are flushed after it; and messages to a peer that cannot be
 * reached are dropped, not kept.
 */
class PeerTransportTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    private final List<MultiThreadIoEventLoopGroup> groups = new ArrayList<>();
    private final List<PeerTransport> transports = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = 0; i < transports.size(); i++) {
            PeerTransport t = transports.get(i);
            groups.get(i).next().submit(t::close).get(10, TimeUnit.SECONDS);
        }
        groups.forEach(g -> g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    }

    private PeerTransport transport(Map<NodeId, InetSocketAddress> peers, LinkedBlockingQueue<Message> received) {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        PeerTransport t = new PeerTransport(group, NioServerSocketChannel.class, NioSocketChannel.class, peers,
                (message, payloads) -> received.add(message));
        groups.add(group);
        transports.add(t);
        return t;
    }

    private static Message.Subscribe subscribe(long lastLsn) {
        return new Message.Subscribe(1, N1, lastLsn, 1, "127.0.0.1:7379");
    }

    @Test
    void messagesSentWhileTheConnectionOpensArriveInOrder() throws Exception {
        LinkedBlockingQueue<Message> atN2 = new LinkedBlockingQueue<>();
        PeerTransport n2 = transport(Map.of(), atN2);
        int n2Port = n2.listen("127.0.0.1", 0); // as TandemNode does: from outside the loop
        PeerTransport n1 = transport(Map.of(N2, InetSocketAddress.createUnresolved("127.0.0.1", n2Port)),
                new LinkedBlockingQueue<>());

        // The first send opens the connection; none of these can be written at once.
        groups.get(1).next().submit(() -> {
            long now = System.currentTimeMillis();
            n1.send(N2, subscribe(1), now);
            n1.send(N2, subscribe(2), now);
            n1.send(N2, subscribe(3), now);
        }).get(10, TimeUnit.SECONDS);

        for (long expected = 1; expected <= 3; expected++) {
            Message got = atN2.poll(10, TimeUnit.SECONDS);
            assertTrue(got instanceof Message.Subscribe, "message " + expected + " arrived: " + got);
            assertEquals(expected, ((Message.Subscribe) got).lastLsn());
        }
        long dropped = groups.get(1).next().submit(n1::droppedMessages).get(10, TimeUnit.SECONDS);
        assertEquals(0, dropped);
    }

    @Test
    void messagesWrittenInOneLoopTaskAreFlushedWhenItEnds() throws Exception {
        LinkedBlockingQueue<Message> atN2 = new LinkedBlockingQueue<>();
        PeerTransport n2 = transport(Map.of(), atN2);
        int n2Port = n2.listen("127.0.0.1", 0);
        PeerTransport n1 = transport(Map.of(N2, InetSocketAddress.createUnresolved("127.0.0.1", n2Port)),
                new LinkedBlockingQueue<>());
        groups.get(1).next().submit(() -> n1.send(N2, subscribe(0), System.currentTimeMillis()))
                .get(10, TimeUnit.SECONDS);
        assertTrue(atN2.poll(10, TimeUnit.SECONDS) != null, "the connection is up");

        // Over an open connection, send() only writes; the flush comes once the task is over.
        groups.get(1).next().submit(() -> {
            for (int i = 1; i <= 100; i++) {
                n1.send(N2, subscribe(i), System.currentTimeMillis());
            }
        }).get(10, TimeUnit.SECONDS);
        for (long expected = 1; expected <= 100; expected++) {
            Message got = atN2.poll(10, TimeUnit.SECONDS);
            assertTrue(got instanceof Message.Subscribe, "message " + expected + " arrived: " + got);
            assertEquals(expected, ((Message.Subscribe) got).lastLsn());
        }
    }

    @Test
    void messagesToAnUnreachablePeerAreDropped() throws Exception {
        int closedPort = FreePorts.outsideEphemeralRange();
        PeerTransport n1 = transport(Map.of(N2, InetSocketAddress.createUnresolved("127.0.0.1", closedPort)),
                new LinkedBlockingQueue<>());
        groups.get(0).next().submit(() -> {
            long now = System.currentTimeMillis();
            for (int i = 0; i < PeerTransport.MAX_AWAITING_CONNECT + 5; i++) {
                n1.send(N2, subscribe(i), now);
            }
        }).get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long dropped = 0;
        while (System.nanoTime() < deadline) {
            dropped = groups.get(0).next().submit(n1::droppedMessages).get(10, TimeUnit.SECONDS);
            if (dropped == PeerTransport.MAX_AWAITING_CONNECT + 5) {
                break;
            }
            Thread.sleep(20);
        }
        // The connection is refused: the ones beyond the bound at once, the waiting ones when it fails.
        assertEquals(PeerTransport.MAX_AWAITING_CONNECT + 5, dropped);
    }
}
