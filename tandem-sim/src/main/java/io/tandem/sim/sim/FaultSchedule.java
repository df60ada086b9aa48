package io.tandem.sim.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The faults of one run, drawn up front from the seed so that a failure can print them and a replay can
 * keep only some of them ({@link #only}, for minimizing a failing schedule by hand or by
 * {@code -Dtandem.sim.faults=0,3}). Faults of one kind on one target never overlap (a node is not crashed
 * twice at once), and every fault ends within the workload window.
 */
public final class FaultSchedule {
    /** What kinds of fault a schedule may hold, and how many at most. */
    public record Mix(int maxFaults, boolean leaderCrashes, double tornTailProbability) {}

    private final List<Fault> faults;
    /** Each fault's index in the seed's full schedule: what -Dtandem.sim.faults names, kept by {@link #only}. */
    private final List<Integer> indices;

    public FaultSchedule(List<Fault> faults) {
        List<Fault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingLong(Fault::startMicros));
        this.faults = List.copyOf(sorted);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            all.add(i);
        }
        this.indices = List.copyOf(all);
    }

    private FaultSchedule(List<Fault> faults, List<Integer> indices) {
        this.faults = List.copyOf(faults);
        this.indices = List.copyOf(indices);
    }

    /**
     * This schedule and one more fault, numbered after the others (drawn from another generator than
     * {@link #generate}'s, so that adding it leaves the seed's other faults as they were).
     */
    public FaultSchedule with(Fault extra) {
        List<Fault> all = new ArrayList<>(faults);
        all.add(extra);
        List<Integer> allIndices = new ArrayList<>(indices);
        allIndices.add(indices.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1);
        return new FaultSchedule(all, allIndices);
    }

    public static FaultSchedule none() {
        return new FaultSchedule(List.of());
    }

    public List<Fault> faults() {
        return Collections.unmodifiableList(faults);
    }

    /** The same schedule with only the faults at these indices. */
    public FaultSchedule only(Set<Integer> keep) {
        List<Fault> kept = new ArrayList<>();
        List<Integer> keptIndices = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            if (keep.contains(indices.get(i))) {
                kept.add(faults.get(i));
                keptIndices.add(indices.get(i));
            }
        }
        return new FaultSchedule(kept, keptIndices);
    }

    public static FaultSchedule generate(SplittableRandom random, int nodeCount, int leader, long windowMicros,
            LinkProfile link, Mix mix) {
        int count = random.nextInt(mix.maxFaults() + 1);
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = random.nextLong(windowMicros * 4 / 5);
            long duration = Math.min(20_000 + random.nextLong(600_000), windowMicros - start);
            int follower = pickOther(random, nodeCount, leader);
            int kind = random.nextInt(100);
            Fault fault;
            if (kind < 35) {
                // Mostly between the leader and a follower: the only links that carry anything in this topology.
                int other = random.nextInt(5) == 0 ? pickOther(random, nodeCount, follower) : leader;
                boolean oneWay = random.nextInt(10) < 3;
                boolean reversed = random.nextBoolean();
                fault = new Fault.Partition(start, duration, reversed ? other : follower, reversed ? follower : other,
                        oneWay);
            } else if (kind < 60) {
                int node = mix.leaderCrashes() && random.nextInt(4) == 0 ? leader : follower;
                fault = new Fault.CrashRestart(start, duration, node, random.nextDouble() < mix.tornTailProbability());
            } else if (kind < 80) {
                int node = random.nextInt(nodeCount);
                fault = new Fault.DiskSpike(start, duration, node, 5 + random.nextInt(46));
            } else {
                LinkProfile lossy = new LinkProfile(link.baseMicros(), link.jitterMicros() + random.nextLong(20_000),
                        0.1 + random.nextDouble() * 0.4, random.nextDouble() * 0.2);
                fault = new Fault.LossyLink(start, duration, leader, follower, lossy);
            }
            if (!overlapsSameKind(faults, fault)) {
                faults.add(fault);
            }
        }
        return new FaultSchedule(faults);
    }

    private static int pickOther(SplittableRandom random, int nodeCount, int not) {
        int pick = random.nextInt(nodeCount - 1);
        return pick >= not ? pick + 1 : pick;
    }

    private static boolean overlapsSameKind(List<Fault> faults, Fault fault) {
        for (Fault other : faults) {
            boolean sameTarget = switch (fault) {
                case Fault.CrashRestart c -> other instanceof Fault.CrashRestart o && o.node() == c.node();
                case Fault.DiskSpike d -> other instanceof Fault.DiskSpike o && o.node() == d.node();
                case Fault.LossyLink l -> other instanceof Fault.LossyLink o && o.b() == l.b();
                case Fault.Partition p -> false; // cuts are counted per link: overlapping ones compose
                case Fault.Repoint r -> false; // added on its own, one per schedule
                case Fault.IsolateLeader i -> other instanceof Fault.IsolateLeader;
                case Fault.PauseLeader p -> other instanceof Fault.PauseLeader;
                case Fault.Switchover s -> other instanceof Fault.Switchover;
                case Fault.Split s -> false; // added on their own, one per schedule
                case Fault.Ring r -> false;
                case Fault.MembershipChanges m -> other instanceof Fault.MembershipChanges;
                case Fault.ClockJump j -> other instanceof Fault.ClockJump o && o.node() == j.node();
                case Fault.CrashAfterWipe c -> other instanceof Fault.CrashAfterWipe;
                case Fault.AckChange a -> other instanceof Fault.AckChange; // each restores the configured settings
            };
            boolean overlaps = fault.startMicros() < other.startMicros() + other.durationMicros()
                    && other.startMicros() < fault.startMicros() + fault.durationMicros();
            if (sameTarget && overlaps) {
                return true;
            }
        }
        return false;
    }

    /** Puts every fault's beginning and end on the scheduler. */
    public void schedule(Cluster cluster) {
        Scheduler scheduler = cluster.scheduler();
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            String label = "fault#" + indices.get(i);
            scheduler.at(fault.startMicros(), label, "begins:", fault, () -> fault.begin(cluster));
            scheduler.at(fault.startMicros() + fault.durationMicros(), label, "ends:", fault, () -> fault.end(cluster));
        }
    }

    /** One fault a line, with its index (for -Dtandem.sim.faults) and its window in milliseconds. */
    public String describe() {
        if (faults.isEmpty()) {
            return "  (no faults)\n";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            text.append(String.format("  #%d %7.1f..%7.1f ms  %s%n", indices.get(i), f.startMicros() / 1000.0,
                    (f.startMicros() + f.durationMicros()) / 1000.0, f));
        }
        return text.toString();
    }
}
