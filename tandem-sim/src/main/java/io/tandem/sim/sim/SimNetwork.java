package io.tandem.sim.sim;

import io.tandem.core.model.Message;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Input;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.SplittableRandom;

/**
 * The network between nodes: datagram-like, each direction of each link with its own {@link LinkProfile}
 * (latency, jitter, loss, duplication) and its own partition switch. A message is dropped when its link is
 * cut at sending or at delivery (a partition that starts while it is in flight takes it too), and when
 * either end crashed in between (the connection died with the process).
 *
 * <p>Partitions are counted per direction, so two overlapping faults that cut the same link heal it only
 * when both have ended.
 */
public final class SimNetwork {
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final List<SimNode> nodes;
    private final LinkProfile[] profiles;
    private final LinkProfile[] baseProfiles;
    private final int[] cuts;
    /** Scripted losses: each drops the first message it matches, then is gone. */
    private final List<BiPredicate<NodeId, Message>> dropOnce = new ArrayList<>();
    private long inFlight;
    private long sent;
    private long dropped;

    /** @param nodes filled by the caller once the nodes exist (they need the network to be built) */
    public SimNetwork(Scheduler scheduler, SplittableRandom random, List<SimNode> nodes, int n, LinkProfile profile) {
        this.scheduler = scheduler;
        this.random = random;
        this.nodes = nodes;
        this.profiles = new LinkProfile[n * n];
        this.baseProfiles = new LinkProfile[n * n];
        Arrays.fill(profiles, profile);
        Arrays.fill(baseProfiles, profile);
        this.cuts = new int[n * n];
    }

    private int link(int from, int to) {
        return from * nodes.size() + to;
    }

    /** Cuts from → to (and to → from unless oneWay). */
    public void cut(int from, int to, boolean oneWay) {
        cuts[link(from, to)]++;
        if (!oneWay) {
            cuts[link(to, from)]++;
        }
    }

    public void heal(int from, int to, boolean oneWay) {
        cuts[link(from, to)]--;
        if (!oneWay) {
            cuts[link(to, from)]--;
        }
    }

    public boolean isCut(int from, int to) {
        return cuts[link(from, to)] > 0;
    }

    /** Both directions of a link behave as {@code profile} until {@link #restoreProfile}. */
    public void setProfile(int a, int b, LinkProfile profile) {
        profiles[link(a, b)] = profile;
        profiles[link(b, a)] = profile;
    }

    public void restoreProfile(int a, int b) {
        profiles[link(a, b)] = baseProfiles[link(a, b)];
        profiles[link(b, a)] = baseProfiles[link(b, a)];
    }

    /** The quiesce phase: no partition, no loss, no duplication anywhere from now on. */
    public void makeReliable() {
        Arrays.fill(cuts, 0);
        for (int i = 0; i < profiles.length; i++) {
            baseProfiles[i] = baseProfiles[i].reliable();
            profiles[i] = baseProfiles[i];
        }
    }

    /** Drops the next message (to, message) that matches, once: a scripted loss for a reproduction. */
    public void dropOnce(BiPredicate<NodeId, Message> matches) {
        dropOnce.add(matches);
    }

    public long inFlight() {
        return inFlight;
    }

    public long sent() {
        return sent;
    }

    public long dropped() {
        return dropped;
    }

    public void send(SimNode from, NodeId to, Message message) {
        SimNode target = node(to);
        sent++;
        if (isCut(from.index(), target.index())) {
            dropped++;
            scheduler.note(from.name(), "partitioned, dropped to " + to + ":", message);
            return;
        }
        for (int i = 0; i < dropOnce.size(); i++) {
            if (dropOnce.get(i).test(to, message)) {
                dropOnce.remove(i);
                dropped++;
                scheduler.note(from.name(), "scripted loss to " + to + ":", message);
                return;
            }
        }
        LinkProfile profile = profiles[link(from.index(), target.index())];
        if (random.nextDouble() < profile.lossProbability()) {
            dropped++;
            scheduler.note(from.name(), "lost to " + to + ":", message);
            return;
        }
        int copies = random.nextDouble() < profile.duplicateProbability() ? 2 : 1;
        for (int copy = 0; copy < copies; copy++) {
            inFlight++;
            int fromIncarnation = from.incarnation();
            int toIncarnation = target.incarnation();
            scheduler.after(profile.latencyMicros(random), to.name(), copy == 0 ? "<- " + from.name() : "<- (dup) "
                    + from.name(), message, () -> deliver(from, fromIncarnation, target, toIncarnation, message));
        }
    }

    private void deliver(SimNode from, int fromIncarnation, SimNode target, int toIncarnation, Message message) {
        inFlight--;
        if (isCut(from.index(), target.index())) {
            dropped++;
            scheduler.note(target.name(), "partitioned in flight, dropped", null);
            return;
        }
        if (from.incarnation() != fromIncarnation || target.incarnation() != toIncarnation || !target.isUp()) {
            dropped++;
            scheduler.note(target.name(), "connection died with a crash, dropped", null);
            return;
        }
        target.step(new Input.PeerMessage(message));
    }

    SimNode node(NodeId id) {
        for (SimNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        throw new IllegalStateException("message to unknown node " + id);
    }
}
