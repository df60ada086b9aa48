package io.tandem.sim.sim;

import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.replicaset.ReplicaSetConfig;

/**
 * One fault of a schedule: it begins at {@code startMicros}, lasts {@code durationMicros}, and is undone
 * when it ends (a partition heals, a crashed node restarts, a spike passes), so that a run can quiesce.
 */
public sealed interface Fault {
    /** Cuts (or heals) every link between a node of {@code side} and a node outside it, both ways. */
    private static void separate(Cluster cluster, java.util.Set<Integer> side, boolean cut) {
        for (int a : side) {
            for (SimNode other : cluster.nodes()) {
                if (!side.contains(other.index())) {
                    if (cut) {
                        cluster.network().cut(a, other.index(), false);
                    } else {
                        cluster.network().heal(a, other.index(), false);
                    }
                }
            }
        }
    }

    long startMicros();

    long durationMicros();

    void begin(Cluster cluster);

    void end(Cluster cluster);

    /** The link between nodes a and b is cut (one direction, a to b, if oneWay). */
    record Partition(long startMicros, long durationMicros, int a, int b, boolean oneWay) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.network().cut(a, b, oneWay);
        }

        @Override
        public void end(Cluster cluster) {
            cluster.network().heal(a, b, oneWay);
        }

        @Override
        public String toString() {
            return "partition n" + (a + 1) + (oneWay ? " -> " : " <-> ") + "n" + (b + 1);
        }
    }

    /** The node's process dies and restarts from its disk when the fault ends. */
    record CrashRestart(long startMicros, long durationMicros, int node, boolean tornTail) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.node(node).crash(tornTail);
        }

        @Override
        public void end(Cluster cluster) {
            if (!cluster.node(node).isUp()) {
                cluster.node(node).start();
            }
        }

        @Override
        public String toString() {
            return "crash n" + (node + 1) + (tornTail ? " (torn tail)" : "") + ", then restart";
        }
    }

    /**
     * Whichever node leads when the fault begins is cut off from every other node, both ways (Jepsen's
     * "isolate the primary"), until the fault ends; nothing happens if no node leads then. The others
     * elect a new leader; the old one must step down (check-quorum) and acknowledge nothing meanwhile.
     */
    final class IsolateLeader implements Fault {
        private final long startMicros;
        private final long durationMicros;
        private int isolated = -1;

        public IsolateLeader(long startMicros, long durationMicros) {
            this.startMicros = startMicros;
            this.durationMicros = durationMicros;
        }

        @Override
        public long startMicros() {
            return startMicros;
        }

        @Override
        public long durationMicros() {
            return durationMicros;
        }

        @Override
        public void begin(Cluster cluster) {
            SimNode leader = cluster.leader();
            if (leader == null) {
                return;
            }
            isolated = leader.index();
            separate(cluster, java.util.Set.of(isolated), true);
        }

        @Override
        public void end(Cluster cluster) {
            if (isolated < 0) {
                return;
            }
            separate(cluster, java.util.Set.of(isolated), false);
            isolated = -1;
        }

        @Override
        public String toString() {
            return "isolate the leader" + (isolated >= 0 ? " (n" + (isolated + 1) + ")" : "");
        }
    }

    /**
     * Whichever node leads when the fault begins stops stepping (SIGSTOP) until the fault ends (SIGCONT):
     * it resumes believing it still leads, with everything that reached it meanwhile waiting. The others
     * may have elected a new leader; the paused one must then acknowledge nothing more.
     */
    final class PauseLeader implements Fault {
        private final long startMicros;
        private final long durationMicros;
        private SimNode paused;

        public PauseLeader(long startMicros, long durationMicros) {
            this.startMicros = startMicros;
            this.durationMicros = durationMicros;
        }

        @Override
        public long startMicros() {
            return startMicros;
        }

        @Override
        public long durationMicros() {
            return durationMicros;
        }

        @Override
        public void begin(Cluster cluster) {
            paused = cluster.leader();
            if (paused != null) {
                paused.pause();
            }
        }

        @Override
        public void end(Cluster cluster) {
            if (paused != null) {
                paused.resume();
                paused = null;
            }
        }

        @Override
        public String toString() {
            return "pause the leader" + (paused != null ? " (" + paused.name() + ")" : "");
        }
    }

    /**
     * An operator runs FAILOVER on whichever node leads when the fault begins: it hands leadership to its
     * most current follower once that one holds the whole log, or gives up after the timeout. Nothing
     * happens at the end (a switchover is not undone).
     */
    record Switchover(long startMicros, long durationMicros, long timeoutMillis) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            SimNode leader = cluster.leader();
            if (leader != null) {
                leader.failover(timeoutMillis);
            }
        }

        @Override
        public void end(Cluster cluster) {
        }

        @Override
        public String toString() {
            return "FAILOVER on the leader (timeout " + timeoutMillis + " ms)";
        }
    }

    /**
     * An operator changes the acknowledgement settings on every member (CONFIG SET ack-policy, ack-level,
     * ack-timeout-millis, on-ack-timeout), or on the leader alone ({@code leaderOnly}: its followers keep their
     * own ack-level, and must answer at the leader's), and sets them back everywhere when the fault ends. A
     * member down or paused at either moment misses that change (or takes it when it runs again), and one
     * restarted starts from its configuration: CONFIG SET is not kept across a restart, as in Redis without
     * CONFIG REWRITE.
     */
    record AckChange(long startMicros, long durationMicros, AckPolicy policy, AckLevel level, long timeoutMillis,
            OnAckTimeout onTimeout, boolean leaderOnly) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            for (SimNode node : cluster.nodes()) {
                if (!leaderOnly || node.core() != null && node.core().isLeader()) { // core: null while down
                    node.step(new Input.ChangeAcknowledgement(policy, level, timeoutMillis, onTimeout, 0, 10_000));
                }
            }
        }

        @Override
        public void end(Cluster cluster) {
            ReplicaSetConfig configured = cluster.spec().config();
            for (SimNode node : cluster.nodes()) {
                node.step(new Input.ChangeAcknowledgement(configured.ackPolicy(), configured.ackLevel(),
                        configured.ackTimeoutMillis(), configured.onAckTimeout(), configured.minReplicasToWrite(),
                        configured.minReplicasMaxLagMillis()));
            }
        }

        @Override
        public String toString() {
            return "CONFIG SET ack-policy '" + policy + "' ack-level " + level + " ack-timeout-millis " + timeoutMillis
                    + " on-ack-timeout " + onTimeout.configName() + (leaderOnly ? " on the leader" : " on every member")
                    + ", set back at the end";
        }
    }

    /**
     * The nodes in {@code side} are cut off from the others, both ways (Jepsen's majority/minority split):
     * whichever side holds a majority may elect a leader, the other must not acknowledge anything.
     */
    record Split(long startMicros, long durationMicros, java.util.Set<Integer> side) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            separate(cluster, side, true);
        }

        @Override
        public void end(Cluster cluster) {
            separate(cluster, side, false);
        }

        @Override
        public String toString() {
            return "split: " + side.stream().map(i -> "n" + (i + 1)).toList() + " cut off from the rest";
        }
    }

    /**
     * Each node reaches only its two neighbours on a ring (Jepsen's "majorities ring"): with five nodes each
     * sees a majority (itself and two), but no two see the same one.
     */
    record Ring(long startMicros, long durationMicros) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cut(cluster, true);
        }

        @Override
        public void end(Cluster cluster) {
            cut(cluster, false);
        }

        private void cut(Cluster cluster, boolean cut) {
            int n = cluster.nodes().size();
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    boolean neighbours = b - a == 1 || (a == 0 && b == n - 1);
                    if (!neighbours) {
                        if (cut) {
                            cluster.network().cut(a, b, false);
                        } else {
                            cluster.network().heal(a, b, false);
                        }
                    }
                }
            }
        }

        @Override
        public String toString() {
            return "ring: each node reaches only its two neighbours";
        }
    }

    /** The node's clock jumps by {@code millis} when the fault begins, and back when it ends. */
    record ClockJump(long startMicros, long durationMicros, int node, long millis) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.node(node).jumpClock(millis);
        }

        @Override
        public void end(Cluster cluster) {
            cluster.node(node).jumpClock(-millis);
        }

        @Override
        public String toString() {
            return "clock of n" + (node + 1) + " jumps " + (millis >= 0 ? "+" : "") + millis + " ms, then back";
        }
    }

    /**
     * While it lasts, a node whose rewind wipes its disk (its snapshot held a deposed leader's entries) dies
     * {@code delayMicros} later, before the leader's snapshot reaches it, and restarts when the fault ends:
     * it comes back with an empty log, and must still not vote as if it never had the entries it dropped.
     */
    record CrashAfterWipe(long startMicros, long durationMicros, long delayMicros) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            for (SimNode node : cluster.nodes()) {
                node.armCrashAfterWipe(delayMicros);
            }
        }

        @Override
        public void end(Cluster cluster) {
            for (SimNode node : cluster.nodes()) {
                if (node.disarmCrashAfterWipe() && !node.isUp()) {
                    node.start();
                }
            }
        }

        @Override
        public String toString() {
            return "a node whose rewind wipes its disk crashes " + delayMicros + " us later, restarts at the end";
        }
    }

    /** Every write and fsync of the node's disk takes {@code factor} times longer. */
    record DiskSpike(long startMicros, long durationMicros, int node, double factor) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.node(node).disk().setLatencyFactor(factor);
        }

        @Override
        public void end(Cluster cluster) {
            cluster.node(node).disk().setLatencyFactor(1);
        }

        @Override
        public String toString() {
            return String.format("disk of n%d %.0fx slower", node + 1, factor);
        }
    }

    /**
     * An operator re-points a follower (REPLICAOF host port, same term) at another follower, which then
     * relays to it (cascading), and back to where it streamed from when the fault ends. Meanwhile its old
     * upstream may still send to it: it must follow only the one it was pointed at.
     */
    record Repoint(long startMicros, long durationMicros, int node, int target) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.node(node).repoint(cluster.node(target).id());
        }

        @Override
        public void end(Cluster cluster) {
            cluster.node(node).repoint(null);
        }

        @Override
        public String toString() {
            return "REPLICAOF: n" + (node + 1) + " follows n" + (target + 1) + ", then back";
        }
    }

    /**
     * An operator changes the members while the other faults go on (TANDEM.MEMBERS, one change at a time:
     * see {@link MembershipOperator}), until {@code changes} were acknowledged or the fault ends. Its choices
     * come from {@code seed}, drawn up front with the schedule, so that a replay makes the same ones.
     */
    record MembershipChanges(long startMicros, long durationMicros, int changes, long seed, long timeoutMicros)
            implements Fault {
        @Override
        public void begin(Cluster cluster) {
            MembershipOperator operator = new MembershipOperator(cluster, new java.util.SplittableRandom(seed), changes,
                    startMicros + durationMicros, timeoutMicros);
            cluster.operators().add(operator);
            operator.start();
        }

        @Override
        public void end(Cluster cluster) {
            // The operator stops by itself at the end; a change it sent may still commit (or not) after.
        }

        @Override
        public String toString() {
            return "TANDEM.MEMBERS: up to " + changes + " changes to the members";
        }
    }

    /** The link between a and b (both ways) loses, duplicates and delays messages as {@code profile}. */
    record LossyLink(long startMicros, long durationMicros, int a, int b, LinkProfile profile) implements Fault {
        @Override
        public void begin(Cluster cluster) {
            cluster.network().setProfile(a, b, profile);
        }

        @Override
        public void end(Cluster cluster) {
            cluster.network().restoreProfile(a, b);
        }

        @Override
        public String toString() {
            return "link n" + (a + 1) + " <-> n" + (b + 1) + " " + profile;
        }
    }
}
