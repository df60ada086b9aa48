package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import io.tandem.core.replicaset.ReplicaSetNodeTest.Client;
import io.tandem.core.replicaset.ReplicaSetNodeTest.Harness;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Members of a replica set in one test, messages delivered by hand (all of them, until none move, or
 * none to or from an isolated node), time moved by ticks of 50 ms. The tests that extend it build the
 * nodes they need into {@link #nodes}.
 */
abstract class CoreCluster {
    protected final Map<NodeId, Harness> nodes = new LinkedHashMap<>();
    /** Nodes whose messages, both ways, are lost. */
    protected final Set<NodeId> isolated = new HashSet<>();
    /** Links whose messages, both ways, are lost: each a set of the two nodes. */
    protected final Set<Set<NodeId>> cut = new HashSet<>();
    protected long now;

    /**
     * n1, n2 and n3 with {@code config}, as a fresh replica set starts: n1 leads term 1 as configured (every
     * member's configuration says so), the others follow it; then messages settle.
     */
    protected void startThree(ReplicaSetConfig config) {
        NodeId[] ids = {ReplicaSetNodeTest.N1, ReplicaSetNodeTest.N2, ReplicaSetNodeTest.N3};
        for (NodeId id : ids) {
            nodes.put(id, new Harness(id, config));
        }
        node(ids[0]).node.becomeLeader(1, now, node(ids[0]));
        node(ids[1]).node.becomeFollower(1, ids[0], now, node(ids[1]));
        node(ids[2]).node.becomeFollower(1, ids[0], now, node(ids[2]));
        settle();
    }

    protected Harness node(NodeId id) {
        return nodes.get(id);
    }

    /** Delivers messages (and makes logs durable) until nothing moves. */
    protected void settle() {
        for (int round = 0; round < 200; round++) {
            boolean any = false;
            for (Harness from : nodes.values()) {
                if (from.log.lastLsn() > from.node.durableLsn() && !from.node.rewinding()) {
                    from.sync();
                    any = true;
                }
                while (!from.outbox.isEmpty()) {
                    Message message = from.outbox.remove(0)[0];
                    NodeId to = from.outboxTo.remove(0);
                    any = true;
                    if (!isolated.contains(from.id) && !isolated.contains(to) && !cut.contains(Set.of(from.id, to))) {
                        node(to).step(new Input.PeerMessage(message));
                    }
                }
            }
            if (!any) {
                return;
            }
        }
        throw new AssertionError("messages never stopped");
    }

    /** Time passes in ticks of 50 ms, messages flowing after each. */
    protected void advance(long millis) {
        for (long end = now + millis; now < end; ) {
            now += 50;
            for (Harness h : nodes.values()) {
                h.now = now;
                h.step(Input.TICK);
            }
            settle();
        }
    }

    protected NodeId leaderAmong(NodeId... candidates) {
        NodeId found = null;
        for (NodeId id : candidates) {
            if (node(id).node.isLeader()) {
                assertNull(found, "two leaders: " + found + " and " + id);
                found = id;
            }
        }
        return found;
    }

    protected void write(NodeId at, String client, String key, String value) {
        byte[][] args = {"SET".getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)};
        node(at).step(new Input.ClientCommand(new Client(client), 1, args));
    }

    protected String get(NodeId at, String key) {
        Harness h = node(at);
        int before = h.replies.size();
        h.step(new Input.ClientCommand(new Client("reader"), 1, new byte[][] {"GET".getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8)}));
        settle(); // a leader's read waits for a majority to confirm it still leads (read-index)
        return h.replies.subList(before, h.replies.size()).stream().filter(r -> r.startsWith("reader "))
                .findFirst().orElse("(waiting)");
    }

}
