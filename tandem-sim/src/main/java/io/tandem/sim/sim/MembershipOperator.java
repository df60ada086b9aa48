package io.tandem.sim.sim;

import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An operator changing the replica set's members (TANDEM.MEMBERS) while the faults go on: one change at a
 * time, sent to a node that believes it leads (now and then a stale one, as a client with an old view of
 * the cluster would), chosen against the membership that node uses: remove a follower, add a node that is
 * not a member (a spare, or one removed before: then, one time in two, its data directory is wiped first,
 * so that it joins empty and must be bootstrapped), promote a non-voting member or demote a voting one. At
 * least two voters always remain. A refusal (-TRYAGAIN while the previous change is uncommitted, -READONLY
 * from a deposed leader, -ERR) or no answer makes it look again after a pause; it stops after
 * {@code changes} acknowledged changes or at {@code stopMicros}.
 *
 * <p>Its request ids are far above the workload's (History numbers those from 1), so a node's reply names
 * one or the other alone.
 */
public final class MembershipOperator implements ReplyTarget {
    /** The first request id of the operator's changes. */
    public static final long FIRST_REQUEST_ID = 1L << 40;
    /** Fewest voters a change may leave. */
    static final int MIN_VOTERS = 2;

    /** A change the operator may make, and the node it adds (null for other changes). */
    private record Option(Membership.Change change, SimNode joiner) {}

    /** A change the operator asked for, with what happened to it. */
    public record Attempt(long requestId, String node, Membership.Change change, long sentMicros, Reply reply) {}

    private final Cluster cluster;
    private final SplittableRandom random;
    private final int changes;
    private final long stopMicros;
    private final long timeoutMicros;
    private final List<Attempt> attempts = new ArrayList<>();
    /** Nodes that were members once: adding one back may wipe it first. */
    private final Set<NodeId> everMembers = new HashSet<>();
    private long nextRequestId = FIRST_REQUEST_ID;
    private long outstanding = -1;
    private int acknowledged;
    private int wipes;

    public MembershipOperator(Cluster cluster, SplittableRandom random, int changes, long stopMicros,
            long timeoutMicros) {
        this.cluster = cluster;
        this.random = random;
        this.changes = changes;
        this.stopMicros = stopMicros;
        this.timeoutMicros = timeoutMicros;
        for (SimNode node : cluster.nodes()) {
            if (cluster.spec().config().member(node.id()) != null) {
                everMembers.add(node.id());
            }
        }
    }

    public String name() {
        return "admin";
    }

    /** Changes acknowledged with +OK. */
    public int acknowledged() {
        return acknowledged;
    }

    /** Data directories wiped before adding a node back. */
    public int wipes() {
        return wipes;
    }

    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    public void start() {
        decide();
    }

    private void later(long micros) {
        cluster.scheduler().after(micros, name(), null, null, this::decide);
    }

    /** Looks at who leads and what members it uses, picks a change and sends it (or looks again later). */
    private void decide() {
        long now = cluster.scheduler().nowMicros();
        if (acknowledged >= changes || now >= stopMicros || outstanding >= 0) {
            return;
        }
        SimNode target = target();
        if (target == null) {
            later(20_000 + random.nextLong(100_000));
            return;
        }
        Membership membership = target.core().membership();
        List<Option> options = new ArrayList<>();
        int voters = membership.voters();
        for (SimNode node : cluster.nodes()) {
            Membership.Seat seat = membership.seat(node.id());
            if (node == target) {
                continue;
            }
            if (seat == null) {
                boolean voting = random.nextInt(3) != 0;
                options.add(new Option(new Membership.Change.Add(new Membership.Seat(node.id(), voting, "")), node));
            } else if (!seat.voting() || voters > MIN_VOTERS) {
                options.add(new Option(new Membership.Change.Remove(node.id()), null));
                options.add(new Option(new Membership.Change.SetVoting(node.id(), !seat.voting()), null));
            }
        }
        if (options.isEmpty()) {
            later(100_000);
            return;
        }
        Option option = options.get(random.nextInt(options.size()));
        Membership.Change change = option.change();
        SimNode joiner = option.joiner();
        if (joiner != null && everMembers.contains(joiner.id()) && random.nextBoolean() && mayWipe(joiner)) {
            // Added back empty: the operator wipes its data directory first (it is not a member any more, by
            // the removal the leader committed), so it joins as a new node and is bootstrapped.
            joiner.wipe();
            wipes++;
        }
        if (change instanceof Membership.Change.Add add) {
            everMembers.add(add.seat().id());
        }
        send(target, change);
    }

    /**
     * Is {@code node} out of the membership the current leader (the highest term's) committed, and does no
     * other node's log name it a member either? Only then may an operator wipe it: a member's disk holds
     * votes and entries the others count on.
     *
     * <p>Why the second question: the leader an operator sees may be a deposed one that has not heard of a
     * newer term (paused, cut off) while the newer term's leader is down. Seed 707172: the term-2 leader n2
     * had committed voters {n2, n4} and crashed; n1, paused since term 1, still believed it led with members
     * {n1, n2, n3}, so n4 looked removed and was wiped, and no majority of {n2, n4} could ever vote again.
     * Wiping a voter of the committed membership is a loss of quorum no protocol can undo by itself. A node
     * that is down cannot be asked (its log after restart is what its disk holds), so then no wipe either.
     */
    private boolean mayWipe(SimNode node) {
        SimNode leader = cluster.leader();
        if (leader == null || leader.core().membership().contains(node.id())
                || leader.core().membershipCommitLsn() < leader.core().membershipLsn()) {
            return false;
        }
        for (SimNode other : cluster.nodes()) {
            if (other != node && (other.core() == null || other.core().membership().contains(node.id()))) {
                return false;
            }
        }
        return true;
    }

    /** The leader of the highest term, or one time in four any node that believes it leads. */
    private SimNode target() {
        SimNode current = cluster.leader();
        if (random.nextInt(4) != 0) {
            return current;
        }
        List<SimNode> claiming = new ArrayList<>();
        for (SimNode node : cluster.nodes()) {
            if (node.isUp() && node.core().isLeader()) {
                claiming.add(node);
            }
        }
        return claiming.isEmpty() ? current : claiming.get(random.nextInt(claiming.size()));
    }

    private void send(SimNode node, Membership.Change change) {
        long requestId = nextRequestId++;
        outstanding = requestId;
        attempts.add(new Attempt(requestId, node.name(), change, cluster.scheduler().nowMicros(), null));
        Input input = new Input.ChangeMembers(this, requestId, change);
        int incarnation = node.incarnation();
        Scheduler scheduler = cluster.scheduler();
        scheduler.after(hopMicros(), node.name(), "<- admin", input, () -> {
            if (node.isUp() && node.incarnation() == incarnation) {
                node.clientRequest(input);
            } else {
                scheduler.note(node.name(), "down: request lost #", requestId);
            }
        });
        scheduler.after(timeoutMicros, name(), null, null, () -> {
            if (outstanding == requestId) {
                scheduler.note(name(), "gave up on #", requestId);
                outstanding = -1;
                decide();
            }
        });
    }

    @Override
    public void replyFrom(SimNode node, long requestId, Reply reply) {
        cluster.scheduler().after(hopMicros(), name(), "<- " + node.name() + " #" + requestId, reply, () -> {
            for (int i = attempts.size() - 1; i >= 0; i--) {
                Attempt a = attempts.get(i);
                if (a.requestId() == requestId && a.reply() == null) {
                    attempts.set(i, new Attempt(a.requestId(), a.node(), a.change(), a.sentMicros(), reply));
                }
            }
            if (outstanding != requestId) {
                return;
            }
            outstanding = -1;
            if (!(reply instanceof Reply.Error)) {
                acknowledged++;
                later(10_000 + random.nextLong(300_000));
            } else {
                later(20_000 + random.nextLong(150_000)); // TRYAGAIN, READONLY, ERR: look again
            }
        });
    }

    private long hopMicros() {
        return SimClient.HOP_MIN_MICROS + random.nextLong(SimClient.HOP_SPREAD_MICROS);
    }
}
