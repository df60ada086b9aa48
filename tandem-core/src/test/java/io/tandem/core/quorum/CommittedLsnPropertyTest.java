package io.tandem.core.quorum;

import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link QuorumMath} against the rules taken literally, over random clusters: for every candidate L from 0
 * to past the highest position, ask the policy's definition whether L is acknowledged, and take the
 * highest L that is (none: cannot commit). Also checks that acknowledgers/required and satisfiability
 * agree with the commit point, and that every generated policy's text reads back.
 *
 * <p>Each case has its own seed; a failure prints {@code --seed=N}, and {@code -Dtandem.seed=N} replays
 * only that case.
 */
class CommittedLsnPropertyTest {
    private static final int CASES = 20_000;
    private static final int MAX_LSN = 8;
    private static final NodeId LEADER = NodeId.of("L");
    /** Replica names; "x" is listed in policies but never a member. */
    private static final List<String> NAMES = List.of("n1", "n2", "n3", "n4", "n5", "n6");

    @Test
    void matchesTheBruteForceDefinition() {
        String replay = System.getProperty("tandem.seed");
        if (replay != null) {
            check(Long.parseLong(replay));
            return;
        }
        for (long seed = 1; seed <= CASES; seed++) {
            check(seed);
        }
    }

    private static void check(long seed) {
        Random random = new Random(seed);
        Map<NodeId, Member> members = randomMembers(random);
        AckPolicy policy = randomPolicy(random);
        AckLevel level = AckLevel.values()[random.nextInt(3)];
        long leaderLsn = random.nextInt(MAX_LSN + 1);
        String where = "--seed=" + seed + ": " + policy + " at " + level + ", leader L=" + leaderLsn + ", members "
                + MemberSpec.show(members);
        try {
            checkCase(policy, leaderLsn, members, level, where);
        } catch (RuntimeException e) {
            fail(where + ": " + e, e);
        }
    }

    private static void checkCase(AckPolicy policy, long leaderLsn, Map<NodeId, Member> members, AckLevel level,
                                  String where) {
        if (!AckPolicy.parse(policy.toString()).equals(policy)) {
            fail(where + ": text does not read back: " + policy);
        }
        OptionalLong expected = OptionalLong.empty();
        for (long lsn = 0; lsn <= MAX_LSN + 1; lsn++) {
            if (acknowledged(policy, leaderLsn, members, level, lsn)) {
                expected = OptionalLong.of(lsn);
            }
        }
        OptionalLong actual = QuorumMath.committedLsn(policy, LEADER, leaderLsn, members, level);
        if (!expected.equals(actual)) {
            fail(where + ": committedLsn " + actual + ", brute force " + expected);
        }
        int required = QuorumMath.requiredAcknowledgers(policy, LEADER, members);
        for (long lsn = 0; lsn <= MAX_LSN + 1; lsn++) {
            int acknowledgers = QuorumMath.acknowledgers(policy, LEADER, members, level, lsn);
            boolean byCount = leaderLsn >= lsn && acknowledgers >= required;
            boolean committed = actual.isPresent() && actual.getAsLong() >= lsn;
            if (byCount != committed) {
                fail(where + ": at " + lsn + " " + acknowledgers + " of " + required
                        + " acknowledgers disagree with committedLsn " + actual);
            }
        }
        // first K depends on who is connected now; with everyone connected, it is as satisfiable as it gets
        Map<NodeId, Member> allConnected = new LinkedHashMap<>();
        members.forEach((id, m) -> allConnected.put(id,
                new Member(m.voting(), true, m.receivedLsn(), m.durableLsn(), m.appliedLsn())));
        boolean canEver = QuorumMath.canEverBeSatisfied(policy, LEADER, members.keySet());
        boolean canNow = QuorumMath.committedLsn(policy, LEADER, leaderLsn, allConnected, level).isPresent();
        if (canEver != canNow || (!canEver && actual.isPresent())) {
            fail(where + ": canEverBeSatisfied " + canEver + " but committedLsn " + actual
                    + " (all connected: " + canNow + ")");
        }
    }

    /** The rules of QuorumMath's class comment, read literally for one candidate L. */
    private static boolean acknowledged(AckPolicy policy, long leaderLsn, Map<NodeId, Member> members,
                                        AckLevel level, long lsn) {
        if (leaderLsn < lsn) {
            return false; // nothing commits beyond what the leader has
        }
        Map<NodeId, Member> replicas = new LinkedHashMap<>(members);
        replicas.remove(LEADER);
        return switch (policy) {
            case AckPolicy.Async async -> true;
            case AckPolicy.SemiSync semiSync ->
                    replicas.values().stream().filter(m -> m.lsn(level) >= lsn).count() >= semiSync.k();
            case AckPolicy.Quorum quorum -> {
                long voters = 1 + replicas.values().stream().filter(Member::voting).count();
                long have = 1 + replicas.values().stream().filter(m -> m.voting() && m.lsn(level) >= lsn).count();
                yield 2 * have > voters;
            }
            case AckPolicy.All all -> replicas.values().stream().allMatch(m -> m.lsn(level) >= lsn);
            case AckPolicy.First first -> {
                List<Member> picked = first.standbys().stream()
                        .filter(name -> replicas.containsKey(name) && replicas.get(name).connected())
                        .limit(first.k()).map(replicas::get).toList();
                yield picked.size() == first.k() && picked.stream().allMatch(m -> m.lsn(level) >= lsn);
            }
            case AckPolicy.Any any -> any.standbys().stream()
                    .filter(name -> replicas.containsKey(name) && replicas.get(name).lsn(level) >= lsn)
                    .count() >= any.k();
        };
    }

    /** 0 to 6 replicas, sometimes an entry for the leader itself; levels drawn independently (any order). */
    private static Map<NodeId, Member> randomMembers(Random random) {
        Map<NodeId, Member> members = new LinkedHashMap<>();
        int count = random.nextInt(NAMES.size() + 1);
        List<String> names = new ArrayList<>(NAMES);
        Collections.shuffle(names, random);
        if (random.nextInt(6) == 0) {
            names.add(0, LEADER.name());
            count++;
        }
        for (String name : names.subList(0, count)) {
            members.put(NodeId.of(name), new Member(random.nextInt(4) > 0, random.nextInt(4) > 0,
                    random.nextInt(MAX_LSN + 1), random.nextInt(MAX_LSN + 1), random.nextInt(MAX_LSN + 1)));
        }
        return members;
    }

    private static AckPolicy randomPolicy(Random random) {
        int kind = random.nextInt(6);
        if (kind == 0) {
            return new AckPolicy.Async();
        }
        if (kind == 1) {
            return new AckPolicy.Quorum();
        }
        if (kind == 2) {
            return new AckPolicy.All();
        }
        if (kind == 3) {
            return new AckPolicy.SemiSync(1 + random.nextInt(5));
        }
        List<String> pool = new ArrayList<>(NAMES);
        pool.add("x");
        pool.add(LEADER.name());
        Collections.shuffle(pool, random);
        List<NodeId> list = pool.subList(0, 1 + random.nextInt(5)).stream().map(NodeId::of).toList();
        int k = 1 + random.nextInt(list.size());
        return kind == 4 ? new AckPolicy.First(k, list) : new AckPolicy.Any(k, list);
    }
}
