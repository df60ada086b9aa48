package io.tandem.sim;

import io.tandem.core.model.NodeId;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.replicaset.MemberConfig;
import io.tandem.core.quorum.OnAckTimeout;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.sim.sim.ClusterSpec;
import io.tandem.sim.sim.DiskProfile;
import io.tandem.sim.sim.Fault;
import io.tandem.sim.sim.FaultSchedule;
import io.tandem.sim.sim.LinkProfile;
import io.tandem.sim.sim.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One run, entirely chosen by its seed: the policy and level (seed mod 21 walks all 7 x 3 combinations,
 * so consecutive seeds cover them evenly), the cluster's shape, timings, network, disks, clients and fault
 * schedule. {@link Overrides} pins some of them for a soak of one policy or a replay with fewer faults.
 *
 * <p>The seed's generator is split in a fixed order: parameters, faults, the world itself, then snapshots
 * (added later, so that seeds kept their parameters); changing how the world uses randomness leaves the
 * parameters and faults of a seed as they were.
 */
public record SimulationConfig(long seed, Overrides overrides, ClusterSpec spec, FaultSchedule faults,
        long quiesceLimitMicros) {

    /** The policies under test, in the order seeds walk them. n1 always leads. */
    public static final List<String> POLICIES = List.of("async", "semi-sync 1", "semi-sync 2", "quorum", "all",
            "first 1 (n2, n3)", "any 1 (n2, n3)");
    public static final List<AckLevel> LEVELS = List.of(AckLevel.RECEIVED, AckLevel.DURABLE, AckLevel.APPLIED);
    public static final int COMBINATIONS = 21;

    /** What a replay or a soak pins instead of the seed's choice; null fields leave the choice alone. */
    public record Overrides(String policy, AckLevel level, java.util.Set<Integer> faults, Integer maxFaults,
            boolean ackChanges) {
        public static final Overrides NONE = new Overrides(null, null, null, null, false);
        /** Leader-follower runs whose operator also changes the acknowledgement settings (see {@link AckChanges}). */
        public static final Overrides ACK_CHANGES = new Overrides(null, null, null, null, true);

        public Overrides(String policy, AckLevel level, java.util.Set<Integer> faults, Integer maxFaults) {
            this(policy, level, faults, maxFaults, false);
        }

        /**
         * -Dtandem.sim.policy="quorum", -Dtandem.sim.level=durable, -Dtandem.sim.faults=0,2, -Dtandem.sim.maxFaults=3,
         * -Dtandem.sim.ackChanges=true
         */
        public static Overrides fromSystemProperties() {
            String policy = System.getProperty("tandem.sim.policy");
            String level = System.getProperty("tandem.sim.level");
            String faults = System.getProperty("tandem.sim.faults");
            String maxFaults = System.getProperty("tandem.sim.maxFaults");
            java.util.Set<Integer> kept = null;
            if (faults != null) {
                kept = new java.util.TreeSet<>();
                for (String index : faults.split(",")) {
                    if (!index.isBlank()) {
                        kept.add(Integer.parseInt(index.strip()));
                    }
                }
            }
            return new Overrides(blankToNull(policy), level == null || level.isBlank() ? null : AckLevel.parse(level),
                    kept, maxFaults == null || maxFaults.isBlank() ? null : Integer.parseInt(maxFaults.strip()),
                    Boolean.getBoolean("tandem.sim.ackChanges"));
        }

        private static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text;
        }

        /** The -D options that reproduce these overrides, for the replay line of a failure. */
        public String asProperties() {
            StringBuilder text = new StringBuilder();
            if (policy != null) {
                text.append(" '-Dtandem.sim.policy=").append(policy).append('\'');
            }
            if (level != null) {
                text.append(" -Dtandem.sim.level=").append(level);
            }
            if (faults != null) {
                text.append(" -Dtandem.sim.faults=").append(String.join(",", faults.stream().map(String::valueOf).toList()));
            }
            if (maxFaults != null) {
                text.append(" -Dtandem.sim.maxFaults=").append(maxFaults);
            }
            if (ackChanges) {
                text.append(" -Dtandem.sim.ackChanges=true");
            }
            return text.toString();
        }
    }

    public static SimulationConfig fromSeed(long seed) {
        return fromSeed(seed, Overrides.NONE);
    }

    public static SimulationConfig fromSeed(long seed, Overrides overrides) {
        Splits splits = Splits.of(seed);
        SplittableRandom choose = splits.choose();
        SplittableRandom faultRandom = splits.faults();
        SplittableRandom snapshotChoice = splits.later();
        Compaction compaction = Compaction.draw(snapshotChoice);
        long compactEvery = compaction.everyEntries();
        long retain = compaction.retainEntries();
        // With 4 or 5 nodes, one run in three cascades: the last node streams from n2, which relays.
        boolean cascade = snapshotChoice.nextInt(3) == 0;

        String policyText = overrides.policy() != null ? overrides.policy()
                : POLICIES.get((int) Math.floorMod(seed, (long) POLICIES.size()));
        AckLevel level = overrides.level() != null ? overrides.level()
                : LEVELS.get((int) Math.floorMod(Math.floorDiv(seed, (long) POLICIES.size()), (long) LEVELS.size()));

        int nodeCount = 3 + choose.nextInt(3);
        List<NodeId> ids = new ArrayList<>();
        Map<NodeId, MemberConfig> members = new LinkedHashMap<>();
        // With 4 or 5 nodes, sometimes the last one does not vote (quorum must not count it).
        boolean lastNonVoting = nodeCount >= 4 && choose.nextInt(4) == 0;
        for (int i = 1; i <= nodeCount; i++) {
            NodeId id = NodeId.of("n" + i);
            ids.add(id);
            members.put(id, new MemberConfig(id, !(lastNonVoting && i == nodeCount), 0));
        }
        long ackTimeoutMillis = new long[] {100, 300, 1000}[choose.nextInt(3)];
        OnAckTimeout onTimeout = choose.nextInt(3) == 0 ? OnAckTimeout.DEGRADE : OnAckTimeout.ERROR;
        long heartbeatMillis = new long[] {20, 50, 100}[choose.nextInt(3)];
        long maxInflightBytes = choose.nextInt(3) == 0 ? 1024 : 4 << 20;
        long maxBatchBytes = choose.nextInt(3) == 0 ? 150 : 256 << 10;
        ReplicaSetConfig config = new ReplicaSetConfig(members, AckPolicy.parse(policyText), level, ackTimeoutMillis,
                onTimeout, heartbeatMillis, maxInflightBytes, maxBatchBytes);

        World world = World.draw(choose, nodeCount);
        long[] skews = world.skews();
        LinkProfile link = world.link();
        DiskProfile disk = world.disk();
        int clients = world.clients();
        long workloadMicros = 1_000_000 + choose.nextLong(1_500_000);
        Map<NodeId, NodeId> upstreams = cascade && nodeCount >= 4 ? Map.of(ids.get(nodeCount - 1), ids.get(1))
                : Map.of();
        ClusterSpec spec = new ClusterSpec(config, ids, ids.get(0), skews, 10_000, link, disk, clients,
                new Workload(0.6, 0.1), 0.3, 1_000 + choose.nextLong(20_000), (ackTimeoutMillis + 500) * 1000,
                workloadMicros, compactEvery, retain, upstreams);

        int maxFaults = overrides.maxFaults() != null ? overrides.maxFaults() : 6;
        FaultSchedule faults = FaultSchedule.generate(faultRandom, nodeCount, spec.leaderIndex(), workloadMicros, link,
                new FaultSchedule.Mix(maxFaults, choose.nextInt(5) == 0, 0.5));
        // One run in four also re-points a follower at another follower for a while (REPLICAOF host port):
        // the target relays to it, and the old upstream, same term, must not pull it back. The target is
        // one that streams from the leader itself, so that no chain closes into a loop.
        if (snapshotChoice.nextInt(4) == 0) {
            List<Integer> direct = new ArrayList<>();
            for (int i = 1; i < nodeCount; i++) {
                direct.add(i);
            }
            direct.removeIf(i -> upstreams.containsKey(ids.get(i)));
            int node = 1 + snapshotChoice.nextInt(nodeCount - 1);
            direct.remove(Integer.valueOf(node));
            if (!direct.isEmpty()) {
                int target = direct.get(snapshotChoice.nextInt(direct.size()));
                long start = snapshotChoice.nextLong(workloadMicros * 4 / 5);
                long duration = Math.min(20_000 + snapshotChoice.nextLong(600_000), workloadMicros - start);
                faults = faults.with(new Fault.Repoint(start, duration, node, target));
            }
        }
        if (overrides.ackChanges()) {
            // Drawn from a generator of their own: the seed's other choices stay what they are without them.
            faults = AckChanges.add(faults, new SplittableRandom(seed ^ AckChanges.SALT), workloadMicros);
        }
        if (overrides.faults() != null) {
            faults = faults.only(overrides.faults());
        }
        return new SimulationConfig(seed, overrides, spec, faults, 30_000_000);
    }

    /**
     * The seed's generator split in its fixed order: the parameters', the faults', the world's (network,
     * disks, nodes, clients: {@link #newWorldRandom}), then the one for choices added later (snapshots, extra faults), so that adding
     * a choice there leaves every earlier draw of a seed as it was.
     */
    private record Splits(SplittableRandom choose, SplittableRandom faults, SplittableRandom world,
            SplittableRandom later) {
        static Splits of(long seed) {
            SplittableRandom root = new SplittableRandom(seed);
            SplittableRandom choose = root.split();
            SplittableRandom faults = root.split();
            SplittableRandom world = root.split();
            return new Splits(choose, faults, world, root.split());
        }
    }

    /**
     * Two runs in three take snapshots: every 5 to 40 entries, a leader keeping 0 to 20 entries for replicas
     * behind, so that a follower cut off or restarted often needs a snapshot to catch up.
     */
    private record Compaction(long everyEntries, long retainEntries) {
        static Compaction draw(SplittableRandom random) {
            boolean snapshots = random.nextInt(3) != 0;
            long every = snapshots ? 5 + random.nextLong(36) : 0;
            long retain = snapshots ? random.nextLong(21) : 0;
            return new Compaction(every, retain);
        }
    }

    /**
     * What both kinds of run draw alike, in this order: each node's clock skew, the network, the disks and
     * the number of clients.
     */
    private record World(long[] skews, LinkProfile link, DiskProfile disk, int clients) {
        static World draw(SplittableRandom choose, int nodeCount) {
            long[] skews = new long[nodeCount];
            for (int i = 0; i < nodeCount; i++) {
                skews[i] = choose.nextLong(61) - 30;
            }
            LinkProfile link = new LinkProfile(100 + choose.nextLong(900), choose.nextLong(5001),
                    choose.nextInt(3) == 0 ? 0 : choose.nextDouble() * 0.05, choose.nextDouble() * 0.03);
            long fsyncMin = 200 + choose.nextLong(800);
            DiskProfile disk = new DiskProfile(10, 100, fsyncMin, fsyncMin + choose.nextLong(5000), 0.02, 10);
            return new World(skews, link, disk, 2 + choose.nextInt(4));
        }
    }

    /** The policies of failover runs, in the order seeds walk them; with the three levels, 12 combinations. */
    public static final List<String> FAILOVER_POLICIES = List.of("async", "semi-sync 1", "quorum", "all");
    public static final int FAILOVER_COMBINATIONS = 12;

    /**
     * A failover run: members elect their leader (n1 leads term 1 of the fresh cluster), and the faults
     * include crashes of the leader and its isolation, so that leadership moves. Seed s runs policy
     * s mod 4 at level (s / 4) mod 3. Every member votes; acknowledgement timeouts answer with an error
     * (never degrade), so that which writes a policy promises to keep is exact.
     */
    public static SimulationConfig failoverFromSeed(long seed) {
        Splits splits = Splits.of(seed);
        SplittableRandom choose = splits.choose();
        SplittableRandom faultRandom = splits.faults();
        SplittableRandom snapshotChoice = splits.later();
        Compaction compaction = Compaction.draw(snapshotChoice);
        long compactEvery = compaction.everyEntries();
        long retain = compaction.retainEntries();
        String policyText = FAILOVER_POLICIES.get((int) Math.floorMod(seed, (long) FAILOVER_POLICIES.size()));
        AckLevel level = LEVELS.get((int) Math.floorMod(Math.floorDiv(seed, (long) FAILOVER_POLICIES.size()),
                (long) LEVELS.size()));
        int nodeCount = 3 + choose.nextInt(3);
        List<NodeId> ids = new ArrayList<>();
        Map<NodeId, MemberConfig> members = new LinkedHashMap<>();
        for (int i = 1; i <= nodeCount; i++) {
            NodeId id = NodeId.of("n" + i);
            ids.add(id);
            members.put(id, MemberConfig.voter(id));
        }
        long ackTimeoutMillis = new long[] {100, 300, 1000}[choose.nextInt(3)];
        long heartbeatMillis = new long[] {20, 50, 100}[choose.nextInt(3)];
        long electionTimeoutMillis = heartbeatMillis * (3 + choose.nextInt(8));
        long maxInflightBytes = choose.nextInt(3) == 0 ? 1024 : 4 << 20;
        long maxBatchBytes = choose.nextInt(3) == 0 ? 150 : 256 << 10;
        ReplicaSetConfig config = new ReplicaSetConfig(members, AckPolicy.parse(policyText), level, ackTimeoutMillis,
                OnAckTimeout.ERROR, heartbeatMillis, maxInflightBytes, maxBatchBytes, 0, 10_000, electionTimeoutMillis);
        World world = World.draw(choose, nodeCount);
        LinkProfile link = world.link();
        long workloadMicros = 1_500_000 + choose.nextLong(2_000_000);
        ClusterSpec spec = new ClusterSpec(config, ids, ids.get(0), world.skews(), 10_000, link, world.disk(),
                world.clients(),
                new Workload(0.6, 0.1), 0.3, 1_000 + choose.nextLong(20_000), (ackTimeoutMillis + 500) * 1000,
                workloadMicros, compactEvery, retain, Map.of());
        FaultSchedule faults = FaultSchedule.generate(faultRandom, nodeCount, 0, workloadMicros, link,
                new FaultSchedule.Mix(6, true, 0.5));
        // Leadership must move: one to three times the leader of the moment is cut off from everyone, or
        // paused (SIGSTOP) past the election timeout and resumed (SIGCONT) with stale beliefs.
        int moves = 1 + snapshotChoice.nextInt(3);
        for (int i = 0; i < moves; i++) {
            long start = snapshotChoice.nextLong(workloadMicros * 4 / 5);
            long duration = Math.min(electionTimeoutMillis * 1000 + snapshotChoice.nextLong(1_000_000),
                    workloadMicros - start);
            Fault move = snapshotChoice.nextBoolean() ? new Fault.IsolateLeader(start, duration)
                    : new Fault.PauseLeader(start, duration);
            boolean overlaps = faults.faults().stream().anyMatch(f -> f.getClass() == move.getClass()
                    && f.startMicros() < start + duration && start < f.startMicros() + f.durationMicros());
            if (!overlaps) {
                faults = faults.with(move);
            }
        }
        // One run in three also hands leadership over on purpose (FAILOVER), drawn after the faults above so
        // that they stay as they were.
        if (snapshotChoice.nextInt(3) == 0) {
            long start = snapshotChoice.nextLong(workloadMicros * 4 / 5);
            faults = faults.with(new Fault.Switchover(start, 1, 4 * electionTimeoutMillis));
        }
        // One run in two also partitions by shape: a majority/minority split (any side, the leader's or not)
        // or, with five nodes, a ring of overlapping majorities. One in three makes a node's clock jump, forward
        // or back, by up to three election timeouts.
        if (snapshotChoice.nextInt(2) == 0) {
            long start = snapshotChoice.nextLong(workloadMicros * 4 / 5);
            long duration = Math.min(electionTimeoutMillis * 1000 + snapshotChoice.nextLong(1_000_000),
                    workloadMicros - start);
            if (nodeCount == 5 && snapshotChoice.nextInt(3) == 0) {
                faults = faults.with(new Fault.Ring(start, duration));
            } else {
                java.util.Set<Integer> side = new java.util.TreeSet<>();
                int size = 1 + snapshotChoice.nextInt((nodeCount - 1) / 2);
                while (side.size() < size) {
                    side.add(snapshotChoice.nextInt(nodeCount));
                }
                faults = faults.with(new Fault.Split(start, duration, side));
            }
        }
        if (snapshotChoice.nextInt(3) == 0) {
            long start = snapshotChoice.nextLong(workloadMicros * 4 / 5);
            long duration = Math.min(20_000 + snapshotChoice.nextLong(1_000_000), workloadMicros - start);
            long jump = (snapshotChoice.nextBoolean() ? 1 : -1) * (1 + snapshotChoice.nextLong(3 * electionTimeoutMillis));
            faults = faults.with(new Fault.ClockJump(start, duration, snapshotChoice.nextInt(nodeCount), jump));
        }
        // One run in two also changes the members while all of that goes on (TANDEM.MEMBERS): one or two spare
        // nodes start empty, outside the membership, and an operator removes followers, adds spares or removed
        // nodes (wiped or not), promotes and demotes, one change at a time, retrying what is refused. Drawn
        // last, so that the runs without it stay as they were.
        if (snapshotChoice.nextInt(2) == 0) {
            int spareCount = 1 + snapshotChoice.nextInt(2);
            List<NodeId> spares = new ArrayList<>();
            long[] spareSkews = new long[spareCount];
            for (int i = 0; i < spareCount; i++) {
                spares.add(NodeId.of("n" + (nodeCount + 1 + i)));
                spareSkews[i] = snapshotChoice.nextLong(61) - 30;
            }
            spec = spec.withSpares(spares, spareSkews);
            long start = snapshotChoice.nextLong(workloadMicros / 4);
            int changes = 2 + snapshotChoice.nextInt(5);
            faults = faults.with(new Fault.MembershipChanges(start, workloadMicros - start, changes,
                    snapshotChoice.nextLong(), (ackTimeoutMillis + 500) * 1000));
        }
        // With 4 or 5 nodes, one run in three cascades, as leader-follower runs do: the last node streams from
        // n2, through every election (back to n2 whenever n2 follows the new leader). Drawn last, as above.
        if (nodeCount >= 4 && snapshotChoice.nextInt(3) == 0) {
            spec = spec.withUpstreams(Map.of(ids.get(nodeCount - 1), ids.get(1)));
        }
        // One run in two: a node whose rewind wipes its disk dies before it is bootstrapped again (anywhere in
        // the first two thirds of the workload, so that it restarts while writes go on). Drawn last, as above.
        if (snapshotChoice.nextInt(2) == 0) {
            long start = snapshotChoice.nextLong(workloadMicros / 3);
            long duration = workloadMicros * 2 / 3 - start;
            faults = faults.with(new Fault.CrashAfterWipe(start, duration, 1 + snapshotChoice.nextLong(5_000)));
        }
        // With 4 or 5 nodes, one run in four has an operator's mistake instead of the cascade above: n2, n3 and n4
        // each configured to stream from the next, a loop no leader feeds. No loop may form (a relay refuses a
        // subscriber upstream of it, a node that finds itself in its stream leaves it), the chains that do form
        // report every replica to the leader, and all of it converges. Drawn last, as above.
        if (nodeCount >= 4 && snapshotChoice.nextInt(4) == 0) {
            spec = spec.withUpstreams(Map.of(ids.get(1), ids.get(2), ids.get(2), ids.get(3), ids.get(3), ids.get(1)));
        }
        return new SimulationConfig(seed, Overrides.NONE, spec, faults, 30_000_000);
    }

    /**
     * Does the policy promise that a write it acknowledged survives any failover? It must be on a majority
     * of the voters, durably: quorum and all, and semi-sync K where K replicas and the leader are a
     * majority, at level durable or applied (at received, a majority that crashes before its fsync loses
     * it). Every member votes in failover runs.
     */
    public boolean promisesAcknowledgedWrites() {
        return promisesAcknowledgedWrites(spec.config(), spec.config().voters(),
                spec.config().members().size() - spec.config().voters());
    }

    /**
     * The same, under a membership of {@code voters} voting and {@code nonVoting} non-voting members: what a
     * write acknowledged under it was promised (members change at run time; the promise is the one in force
     * when the leader acknowledged). semi-sync K counts any K replicas, non-voting ones too: it promises a
     * majority of the voters only if K replicas less every non-voting one, and the leader, are one.
     */
    public static boolean promisesAcknowledgedWrites(ReplicaSetConfig c, int voters, int nonVoting) {
        if (c.ackLevel() == AckLevel.RECEIVED || voters == 0) {
            return false;
        }
        int majority = io.tandem.core.quorum.QuorumMath.majority(voters);
        return switch (c.ackPolicy()) {
            case AckPolicy.Quorum q -> true;
            case AckPolicy.All a -> true;
            case AckPolicy.SemiSync semiSync -> semiSync.k() - nonVoting + 1 >= majority;
            default -> false;
        };
    }

    /**
     * The generator of the world (network, disks, nodes, clients): the seed's third split, after the
     * parameters' and the faults'. A new one each call, so that a config can run twice identically.
     */
    public SplittableRandom newWorldRandom() {
        return Splits.of(seed).world();
    }

    public ReplicaSetConfig replicaSet() {
        return spec.config();
    }

    /** "quorum at durable" */
    public String policyAndLevel() {
        return replicaSet().ackPolicy() + " at " + replicaSet().ackLevel();
    }

    public String describe() {
        ReplicaSetConfig c = spec.config();
        StringBuilder text = new StringBuilder();
        List<NodeId> spares = spec.spares();
        List<NodeId> members = new ArrayList<>(spec.nodeIds());
        members.removeAll(spares);
        text.append("  nodes ").append(members).append(", leader ").append(spec.leader());
        if (spec.config().elections()) {
            text.append(" (at first; election timeout ").append(spec.config().electionTimeoutMillis()).append(" ms)");
        }
        for (Map.Entry<NodeId, MemberConfig> m : new java.util.TreeMap<>(c.members()).entrySet()) {
            if (!m.getValue().voting()) {
                text.append(", ").append(m.getKey()).append(" non-voting");
            }
        }
        if (!spares.isEmpty()) {
            text.append(", spares ").append(spares).append(" (outside the membership: they join when added)");
        }
        text.append("\n  policy '").append(c.ackPolicy()).append("' at ").append(c.ackLevel()).append(", ack timeout ")
                .append(c.ackTimeoutMillis()).append(" ms on-timeout ").append(c.onAckTimeout()).append(", heartbeat ")
                .append(c.heartbeatIntervalMillis()).append(" ms, max in flight ").append(c.maxInflightBytes())
                .append(" B, max batch ").append(c.maxBatchBytes()).append(" B\n");
        text.append("  clock skews ms ").append(Arrays.toString(spec.clockSkewMillis())).append(", tick ")
                .append(spec.tickMicros() / 1000).append(" ms\n");
        text.append("  network ").append(spec.link()).append("; disk ").append(spec.disk()).append('\n');
        text.append("  snapshots ").append(spec.compactEveryEntries() == 0 ? "none" : "every "
                + spec.compactEveryEntries() + " entries, leader retains " + spec.retainEntries());
        spec.upstreams().forEach((follower, relay) -> text.append("; ").append(follower).append(" cascades from ")
                .append(relay));
        text.append('\n');
        text.append("  ").append(spec.clients()).append(" clients for ").append(spec.workloadMicros() / 1000)
                .append(" ms\n");
        return text.toString();
    }
}
