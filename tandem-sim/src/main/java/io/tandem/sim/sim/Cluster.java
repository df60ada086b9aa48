package io.tandem.sim.sim;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated world of one run: the scheduler, the nodes, the network between them, the clients and
 * the history. Every random choice comes from the one generator given here, split once per part in a
 * fixed order (network, each node, each client), so one seed gives one run.
 */
public final class Cluster {
    private final ClusterSpec spec;
    private final Scheduler scheduler;
    private final History history = new History();
    private final List<SimObserver> observers = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final SimNetwork network;
    private final SimNode leader;
    /** Operators changing the members (the membership fault), for the checkers and the run's summary. */
    private final List<MembershipOperator> operators = new ArrayList<>();

    public Cluster(ClusterSpec spec, SplittableRandom random, Trace trace) {
        this.spec = spec;
        this.scheduler = new Scheduler(trace);
        int n = spec.nodeIds().size();
        this.network = new SimNetwork(scheduler, random.split(), nodes, n, spec.link());
        for (int i = 0; i < n; i++) {
            SimNode node = new SimNode(spec.nodeIds().get(i), i, spec.config(), spec.leader(), scheduler, random.split(),
                    spec.disk(), spec.clockSkewMillis()[i], spec.tickMicros(), history, observers);
            node.connect(network);
            node.snapshots(spec.compactEveryEntries(), spec.retainEntries());
            // A spare (not in the static configuration) follows no one until a leader adds it and streams to it.
            NodeId id = spec.nodeIds().get(i);
            node.upstream(spec.config().member(id) == null ? null : spec.upstreams().getOrDefault(id, spec.leader()));
            node.cascadeFrom(spec.upstreams().get(id));
            nodes.add(node);
        }
        this.leader = nodes.get(spec.leaderIndex());
        for (int c = 0; c < spec.clients(); c++) {
            clients.add(new SimClient("c" + (c + 1), scheduler, random.split(), spec.workload(), nodes, this::targetFor, history,
                    spec.followerReadShare(), spec.thinkMaxMicros(), spec.clientTimeoutMicros(), spec.workloadMicros()));
        }
    }

    /** Checkers register before {@link #start}. */
    public void observe(SimObserver observer) {
        observers.add(observer);
    }

    /** Boots every node from its empty disk (the leader first) and lets the clients go. */
    public void start() {
        leader.start();
        for (SimNode node : nodes) {
            if (node != leader) {
                node.start();
            }
        }
        for (SimClient client : clients) {
            client.start();
        }
    }

    /** The membership operators of the run (the faults that change members add theirs here). */
    public List<MembershipOperator> operators() {
        return operators;
    }

    public ClusterSpec spec() {
        return spec;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public SimNetwork network() {
        return network;
    }

    public History history() {
        return history;
    }

    /**
     * The leader: the configured one when failover is by hand; with elections, the node up and leading in
     * the highest term (null while there is none; a deposed leader that has not noticed yet is not it).
     */
    public SimNode leader() {
        if (!spec.config().elections()) {
            return leader;
        }
        SimNode current = null;
        for (SimNode node : nodes) {
            if (node.isUp() && node.core().isLeader()
                    && (current == null || node.core().term() > current.core().term())) {
                current = node;
            }
        }
        return current;
    }

    /**
     * Where a client sends a write: the leader. With elections, one write in four goes to any node that
     * believes it leads, in whatever term: a client with a stale view of the cluster, which a deposed
     * leader must refuse or fail (never acknowledge on its own). Failover by hand draws nothing, so that
     * older seeds keep their runs.
     */
    SimNode targetFor(SplittableRandom random) {
        SimNode current = leader();
        if (!spec.config().elections() || random.nextInt(4) != 0) {
            return current;
        }
        List<SimNode> claiming = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.isUp() && node.core().isLeader()) {
                claiming.add(node);
            }
        }
        return claiming.isEmpty() ? current : claiming.get(random.nextInt(claiming.size()));
    }

    public List<SimNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public SimNode node(int index) {
        return nodes.get(index);
    }

    public SimNode node(NodeId id) {
        for (SimNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        throw new IllegalArgumentException("no node " + id);
    }

    public List<SimClient> clients() {
        return Collections.unmodifiableList(clients);
    }

    /** The followers (every node but the leader), in node order. */
    public List<SimNode> followers() {
        List<SimNode> followers = new ArrayList<>(nodes);
        followers.remove(leader());
        return followers;
    }

    /**
     * The followers the leader's membership in force names, in node order: those that must catch up with it.
     * A spare never added, or a member removed, is not one (every node, with no leader).
     */
    public List<SimNode> memberFollowers() {
        SimNode current = leader();
        List<SimNode> followers = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node != current && (current == null || !current.isUp()
                    || current.core().membership().contains(node.id()))) {
                followers.add(node);
            }
        }
        return followers;
    }
}
