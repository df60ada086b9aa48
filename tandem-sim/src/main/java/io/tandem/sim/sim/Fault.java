package io.tandem.sim.sim;

/**
 * One fault of a schedule: it begins at {@code startMicros}, lasts {@code durationMicros}, and is undone
 * when it ends (a partition heals, a crashed node restarts, a spike passes), so that a run can quiesce.
 */
public sealed interface Fault {
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
