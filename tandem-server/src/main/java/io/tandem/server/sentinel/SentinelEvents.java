package io.tandem.server.sentinel;

import io.tandem.core.model.Event;
import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.agent.NodeClock;
import io.tandem.server.pubsub.PubSub;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Publishes Redis Sentinel's events on this node's own pub/sub when its view of the replica set changes, in
 * Sentinel's exact formats ("<instance type> <name> <ip> <port>", and for a replica " @ <master name> <master ip>
 * <master port>" after it), on the channel named after the event:
 *
 * <ul>
 *   <li>{@code +switch-master <name> <old ip> <old port> <new ip> <new port>}: the leader this node knows moved to
 *       another address (JedisSentinelPool listens for exactly this; Lettuce refreshes its topology);
 *   <li>{@code +sdown master <name> <ip> <port>} / {@code -sdown ...}: this follower stopped / started again hearing
 *       from its leader within the down time (the election timeout); on the leader, {@code +sdown slave <ip:port>
 *       <ip> <port> @ <name> <leader ip> <leader port>} when a follower goes silent, {@code -sdown} when it is back;
 *   <li>{@code +role-change}: this node's own role changed ("... new reported role is master|slave");
 *   <li>{@code +elected-leader master <name> <old ip> <old port>} and {@code failover-end ...}: this node won an
 *       election (in Sentinel, the sentinel that performed the failover publishes these).
 * </ul>
 *
 * <p>Core events arrive mid-step; they are looked at once the step is over (a task on the loop), and every timer
 * tick compares the view again (silence produces no event).
 */
final class SentinelEvents {
    private final SentinelView view;
    private final PubSub pubSub;
    private final Runnable flush;
    private final java.util.concurrent.Executor loop;
    private final java.util.ArrayDeque<Event> pending = new java.util.ArrayDeque<>();
    private boolean drainScheduled;
    /** The leader this node announced in its events ("" before any). */
    private String announcedLeader = "";
    private boolean leaderDown;
    private final Set<NodeId> downReplicas = new HashSet<>();
    /** The leader announced before {@link #announcedLeader} ("" if none). */
    private String previousLeader = "";
    /** This node's role when last looked at (null before the first look). */
    private Boolean wasLeader;

    SentinelEvents(SentinelView view, PubSub pubSub, java.util.concurrent.Executor loop, Runnable flush) {
        this.view = view;
        this.pubSub = pubSub;
        this.loop = loop;
        this.flush = flush;
    }

    void onEvent(Event event) {
        if (event instanceof Event.RoleChanged || event instanceof Event.Elected || event instanceof Event.LostQuorum) {
            pending.add(event);
            if (!drainScheduled) {
                drainScheduled = true;
                loop.execute(this::drain);
            }
        }
    }

    void onTick() {
        check(NodeClock.millis());
    }

    private void drain() {
        drainScheduled = false;
        while (!pending.isEmpty()) {
            Event event = pending.poll();
            switch (event) {
                case Event.Elected elected -> elected();
                case Event.RoleChanged changed -> roleChanged(changed);
                default -> { }
            }
        }
        check(NodeClock.millis());
        flush.run();
    }

    /** Sentinel's failover sequence, as the sentinel that led it publishes it; the switch follows in check(). */
    private void elected() {
        String old = oldLeader();
        publish("+elected-leader", master(old));
        publish("failover-end", master(old));
    }

    /**
     * The leader before this node: what it announced, unless a tick already announced this node (a check may run
     * between the step that elected it and this drain).
     */
    private String oldLeader() {
        String self = view.selfAddress();
        String old = announcedLeader.equals(self) ? previousLeader : announcedLeader;
        return old.isEmpty() ? self : old;
    }

    private void roleChanged(Event.RoleChanged changed) {
        boolean leads = view.node().isLeader();
        String self = view.selfAddress();
        if (wasLeader != null && wasLeader != leads && !self.isEmpty()) {
            publish("+role-change", (leads ? slave(self, oldLeader()) : master(self)) + " new reported role is "
                    + (leads ? "master" : "slave"));
        }
        wasLeader = leads;
    }

    /** Compares what this node knows now with what it last published. */
    void check(long nowMillis) {
        ReplicaSetNode n = view.node();
        view.observeRole(nowMillis);
        if (wasLeader == null) {
            wasLeader = n.isLeader(); // the role it started in: not a change
        }
        String current = view.currentLeaderAddress();
        if (!current.isEmpty() && !current.equals(announcedLeader)) {
            if (!announcedLeader.isEmpty()) {
                String[] from = SentinelView.hostPort(announcedLeader);
                String[] to = SentinelView.hostPort(current);
                publish("+switch-master", view.masterName + " " + from[0] + " " + from[1] + " " + to[0] + " " + to[1]);
            }
            previousLeader = announcedLeader;
            announcedLeader = current;
            view.rememberLeader(current);
            leaderDown = false;
            downReplicas.clear();
        }
        if (announcedLeader.isEmpty()) {
            return;
        }
        boolean down = view.leaderDown(nowMillis);
        if (down != leaderDown && (down || current.equals(announcedLeader))) {
            leaderDown = down;
            publish(down ? "+sdown" : "-sdown", master(announcedLeader));
        }
        if (!n.isLeader()) {
            downReplicas.clear();
            return;
        }
        for (Map.Entry<NodeId, Progress> e : n.progress().entrySet()) {
            Progress p = e.getValue();
            String address = p.announce().isEmpty() ? view.address(e.getKey()) : p.announce();
            if (address.isEmpty()) {
                continue;
            }
            boolean replicaDown = view.replicaDown(p, nowMillis);
            if (replicaDown ? downReplicas.add(e.getKey()) : downReplicas.remove(e.getKey())) {
                publish(replicaDown ? "+sdown" : "-sdown", slave(address, announcedLeader));
            }
        }
    }

    private String master(String address) {
        String[] hostPort = SentinelView.hostPort(address);
        return "master " + view.masterName + " " + hostPort[0] + " " + hostPort[1];
    }

    private String slave(String address, String leader) {
        String[] hostPort = SentinelView.hostPort(address);
        String[] master = SentinelView.hostPort(leader);
        return "slave " + address + " " + hostPort[0] + " " + hostPort[1] + " @ " + view.masterName + " " + master[0]
                + " " + master[1];
    }

    private void publish(String channel, String message) {
        pubSub.publish(channel, message);
    }
}
