package io.tandem.core.quorum;

import io.tandem.core.model.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What an ack policy considers committed, as pure functions of the leader's position and what its
 * replicas have acknowledged. The leader calls {@link #committedLsn} on every acknowledgement, so each
 * function is O(n log n) in the number of members at most and allocates at most one small array (and the
 * map's iterator, and the OptionalLong, which escape analysis usually removes).
 *
 * <p>Words: a <em>replica</em> is an entry of {@code members} under any id but the leader's (an entry
 * under the leader's own id is ignored: the leader's position is {@code leaderLsn}). A replica's
 * <em>position</em> is the LSN it acknowledged at the level asked about. The leader's position always
 * counts and is always required: nothing commits beyond what the leader itself has durable. The committed
 * LSN is the largest L that the rule holds for; since every rule only gets easier as L falls, that is the
 * commit point.
 * <pre>
 * policy         whose positions count                        L is committed when            cannot commit
 * -------------  -------------------------------------------  -----------------------------  ----------------
 * async          the leader's                                 leader &gt;= L                    never
 * semi-sync K    every replica, voting or not                 leader &gt;= L and at least K     fewer than K
 *                                                             replicas &gt;= L                  replicas
 * quorum         the voters: the leader and voting replicas   leader &gt;= L and at least       never
 *                (non-voting replicas never count)            majority(voters) voters &gt;= L
 * all            every replica, voting or not                 leader &gt;= L and every          never
 *                                                             replica &gt;= L
 * first K (...)  the first K listed names that are connected  leader &gt;= L and all K of them   fewer than K
 *                replicas, in list order (a name that is not  &gt;= L                           listed replicas
 *                a replica or not connected is skipped)                                        connected
 * any K (...)    the listed names that are replicas,          leader &gt;= L and at least K     fewer than K
 *                connected or not                             of them &gt;= L                   listed replicas
 * </pre>
 * "Cannot commit" means that no L at all, not even 0, meets the rule with the members there are; {@link
 * #committedLsn} returns an empty {@link OptionalLong} then, so that the caller cannot mistake it for
 * "committed up to 0". Connection matters only to {@code first K}, which picks its standbys among the
 * connected ones as PostgreSQL does; every other rule counts what a replica acknowledged before it went
 * away. A name of the leader in a {@code first}/{@code any} list is skipped: the leader is not a standby.
 *
 * <p>The result can be lower than a commit point already reached (a first-K standby disconnected and a
 * slower one took its place, a replica joined): the caller keeps the highest commit point it has seen.
 */
public final class QuorumMath {
    /** Returned by the per-policy helpers below when no L meets the rule. LSNs are never negative. */
    private static final long CANNOT_COMMIT = -1;

    private QuorumMath() {}

    /**
     * The number of voters that make a majority: more than half. With 5 voters, 5/2 + 1 = 3: any two
     * majorities of 3 out of 5 share a voter, which is why a quorum-committed entry survives any election
     * won by a majority. With 4 voters, 4/2 + 1 = 3 as well: 2 of 4 is not a majority.
     *
     * @throws IllegalArgumentException if {@code voters < 1}
     */
    public static int majority(int voters) {
        if (voters < 1) {
            throw new IllegalArgumentException("a quorum needs at least 1 voter, got " + voters);
        }
        return voters / 2 + 1;
    }

    /**
     * The highest LSN the policy considers acknowledged at {@code level} (rules in the class comment).
     *
     * <p>Worked example, {@code quorum} at {@code durable}: leader L at 10; voting replicas a at 8 and b at
     * 4; non-voting c at 12. The voters are L, a, b: majority(3) = 2. Their positions, highest first, are
     * 10, 8, 4: the 2nd highest is 8, so two voters (L and a) have 8 and the result is 8. c's 12 does not
     * count. With {@code semi-sync 2} instead, the replicas' positions are 12, 8, 4: the 2nd highest is 8,
     * capped by the leader's 10, so 8 again; with {@code all}, the lowest of 10, 8, 4, 12 is 4.
     *
     * @param leaderLsn the LSN the leader has durable in its own log
     * @param members   the replicas by id (an entry under {@code leader} is ignored)
     * @return the committed LSN, at most {@code leaderLsn}; empty when the policy cannot commit at all with
     *         these members (too few replicas, or for {@code first K} too few connected listed standbys)
     */
    public static OptionalLong committedLsn(AckPolicy policy, NodeId leader, long leaderLsn,
                                            Map<NodeId, Member> members, AckLevel level) {
        checkLeaderLsn(leaderLsn);
        long replicasLsn = switch (policy) {
            case AckPolicy.Async async -> leaderLsn;
            case AckPolicy.SemiSync semiSync -> kthHighestReplica(leader, members, level, semiSync.k());
            case AckPolicy.Quorum quorum -> majorityOfVoters(leader, leaderLsn, members, level);
            case AckPolicy.All all -> lowestReplica(leader, members, level);
            case AckPolicy.First first -> lowestOfFirstConnected(first, leader, members, level);
            case AckPolicy.Any any -> kthHighestListed(any, leader, members, level);
        };
        return replicasLsn == CANNOT_COMMIT
                ? OptionalLong.empty()
                : OptionalLong.of(Math.min(replicasLsn, leaderLsn));
    }

    /**
     * How many replicas whose acknowledgement the policy can use have acknowledged {@code lsn} at
     * {@code level}; the leader is never counted. Together with {@link #requiredAcknowledgers} it makes
     * the timeout error "only N of M replicas acknowledged", and it agrees with {@link #committedLsn}:
     * when the leader has {@code lsn}, it is committed exactly when acknowledgers &gt;= required.
     * <ul>
     *   <li>async, semi-sync K, all: every replica;
     *   <li>quorum: the voting replicas;
     *   <li>first K (...): the first K connected listed replicas, the ones the policy waits for;
     *   <li>any K (...): the listed replicas.
     * </ul>
     * Worked example, {@code first 2 (a, b, c)} at lsn 7: a has 9, b is disconnected with 8, c has 5. The
     * policy waits for a and c (b is skipped); one of them has 7, so the answer is 1 (of 2 required).
     */
    public static int acknowledgers(AckPolicy policy, NodeId leader, Map<NodeId, Member> members,
                                    AckLevel level, long lsn) {
        return switch (policy) {
            case AckPolicy.Async async -> countReplicasAtLeast(leader, members, level, lsn, false);
            case AckPolicy.SemiSync semiSync -> countReplicasAtLeast(leader, members, level, lsn, false);
            case AckPolicy.All all -> countReplicasAtLeast(leader, members, level, lsn, false);
            case AckPolicy.Quorum quorum -> countReplicasAtLeast(leader, members, level, lsn, true);
            case AckPolicy.First first -> countFirstConnectedAtLeast(first, leader, members, level, lsn);
            case AckPolicy.Any any -> countListedAtLeast(any, leader, members, level, lsn);
        };
    }

    /**
     * How many replica acknowledgements (the leader's not counted) the policy needs to commit an entry
     * the leader has: 0 for async, K for semi-sync K, first K and any K, every replica for all, and for
     * quorum majority(voters) - 1, the leader being one of the voters. Worked example: {@code quorum}
     * with 4 voting replicas and 2 non-voting ones has 5 voters, majority(5) = 3, so 2 replicas must
     * acknowledge besides the leader. It may exceed what can ever arrive (semi-sync 3 with 2 replicas):
     * {@link #whyNeverSatisfied} says so.
     */
    public static int requiredAcknowledgers(AckPolicy policy, NodeId leader, Map<NodeId, Member> members) {
        return switch (policy) {
            case AckPolicy.Async async -> 0;
            case AckPolicy.SemiSync semiSync -> semiSync.k();
            case AckPolicy.All all -> countReplicas(leader, members, false);
            case AckPolicy.Quorum quorum -> majority(1 + countReplicas(leader, members, true)) - 1;
            case AckPolicy.First first -> first.k();
            case AckPolicy.Any any -> any.k();
        };
    }

    /**
     * Why the policy can never commit anything with these nodes, whatever they acknowledge and whichever
     * are connected; empty when it can. For configuration validation: to check a cluster where any node
     * may lead, ask once per node that can be leader. Only counts matter: semi-sync K needs K replicas,
     * first K and any K need K listed names that are replicas; async, quorum and all can always commit
     * (quorum and all with the leader alone if there is no replica).
     *
     * <p>Worked example: nodes n0, n1, n2 with n0 leading. {@code semi-sync 3} has 2 replicas for 3
     * acknowledgements: never. {@code any 2 (n1, x)} lists one replica, n1 (x is no node): never. {@code
     * first 2 (n0, n1, n2)} skips the leader n0 and has n1 and n2: it can commit while both are connected.
     *
     * @param nodes the cluster's nodes; the leader may be among them, it is not a replica
     */
    public static Optional<String> whyNeverSatisfied(AckPolicy policy, NodeId leader, Set<NodeId> nodes) {
        return switch (policy) {
            case AckPolicy.Async async -> Optional.empty();
            case AckPolicy.Quorum quorum -> Optional.empty();
            case AckPolicy.All all -> Optional.empty();
            case AckPolicy.SemiSync semiSync -> replicasProblem(semiSync, leader, nodes);
            case AckPolicy.First first -> listedReplicasProblem(policy, first.k(), first.standbys(), leader, nodes);
            case AckPolicy.Any any -> listedReplicasProblem(policy, any.k(), any.standbys(), leader, nodes);
        };
    }

    /** Whether the policy can ever commit with these nodes: {@link #whyNeverSatisfied} has nothing to say. */
    public static boolean canEverBeSatisfied(AckPolicy policy, NodeId leader, Set<NodeId> nodes) {
        return whyNeverSatisfied(policy, leader, nodes).isEmpty();
    }

    private static Optional<String> replicasProblem(AckPolicy.SemiSync semiSync, NodeId leader, Set<NodeId> nodes) {
        List<NodeId> replicas = new ArrayList<>(nodes);
        replicas.remove(leader);
        if (replicas.size() >= semiSync.k()) {
            return Optional.empty();
        }
        Collections.sort(replicas);
        return Optional.of(semiSync + " can never commit: it needs " + semiSync.k()
                + (semiSync.k() == 1 ? " replica" : " replicas") + " and leader " + leader + " has "
                + replicas.size() + (replicas.isEmpty() ? "" : " (" + names(replicas) + ")"));
    }

    private static String names(List<NodeId> ids) {
        StringJoiner joiner = new StringJoiner(", ");
        for (NodeId id : ids) {
            joiner.add(id.name());
        }
        return joiner.toString();
    }

    private static Optional<String> listedReplicasProblem(AckPolicy policy, int k, List<NodeId> standbys,
                                                          NodeId leader, Set<NodeId> nodes) {
        List<String> replicas = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (NodeId name : standbys) {
            if (name.equals(leader)) {
                skipped.add(name + " is the leader");
            } else if (nodes.contains(name)) {
                replicas.add(name.name());
            } else {
                skipped.add(name + " is not a node of the cluster");
            }
        }
        if (replicas.size() >= k) {
            return Optional.empty();
        }
        return Optional.of(policy + " can never commit: it needs " + k + " of the listed standbys and "
                + (replicas.isEmpty() ? "none is a replica" : "only " + String.join(", ", replicas)
                        + (replicas.size() == 1 ? " is a replica" : " are replicas"))
                + " of leader " + leader + " (" + String.join(", ", skipped) + ")");
    }

    /**
     * semi-sync K: the K-th highest replica position. Worked example, K = 2, positions 12, 4, 8: sorted
     * ascending 4, 8, 12; the 2nd highest is at index 3 - 2 = 1, which is 8, and two replicas (8, 12)
     * have at least 8. With one replica only, no L has two replicas: cannot commit.
     */
    private static long kthHighestReplica(NodeId leader, Map<NodeId, Member> members, AckLevel level, int k) {
        long[] lsns = new long[members.size()];
        int count = 0;
        for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
            if (!entry.getKey().equals(leader)) {
                lsns[count++] = entry.getValue().lsn(level);
            }
        }
        return kthHighest(lsns, count, k);
    }

    /** quorum: the majority(voters)-th highest voter position, the leader's among them. */
    private static long majorityOfVoters(NodeId leader, long leaderLsn, Map<NodeId, Member> members,
                                         AckLevel level) {
        long[] lsns = new long[members.size() + 1];
        lsns[0] = leaderLsn;
        int voters = 1;
        for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
            if (entry.getValue().voting() && !entry.getKey().equals(leader)) {
                lsns[voters++] = entry.getValue().lsn(level);
            }
        }
        return kthHighest(lsns, voters, majority(voters));
    }

    /** all: the lowest replica position; with no replica, no limit (the leader's caps it). */
    private static long lowestReplica(NodeId leader, Map<NodeId, Member> members, AckLevel level) {
        long lowest = Long.MAX_VALUE;
        for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
            if (!entry.getKey().equals(leader)) {
                lowest = Math.min(lowest, entry.getValue().lsn(level));
            }
        }
        return lowest;
    }

    /**
     * first K: walk the list in priority order, keep the first K names that are connected replicas, and
     * take the lowest of their positions. Worked example, {@code first 2 (a, b, c)}: a at 9 connected, b
     * disconnected, c at 5 connected: the pick is a and c, the result 5. If c were disconnected too, only
     * one standby would be available for two places: cannot commit.
     */
    private static long lowestOfFirstConnected(AckPolicy.First first, NodeId leader, Map<NodeId, Member> members,
                                               AckLevel level) {
        long lowest = Long.MAX_VALUE;
        int picked = 0;
        for (NodeId name : first.standbys()) {
            if (picked == first.k()) {
                break;
            }
            Member member = name.equals(leader) ? null : members.get(name);
            if (member != null && member.connected()) {
                lowest = Math.min(lowest, member.lsn(level));
                picked++;
            }
        }
        return picked < first.k() ? CANNOT_COMMIT : lowest;
    }

    /** any K: the K-th highest position among the listed replicas, connected or not. */
    private static long kthHighestListed(AckPolicy.Any any, NodeId leader, Map<NodeId, Member> members,
                                         AckLevel level) {
        long[] lsns = new long[any.standbys().size()];
        int count = 0;
        for (NodeId name : any.standbys()) {
            Member member = name.equals(leader) ? null : members.get(name);
            if (member != null) {
                lsns[count++] = member.lsn(level);
            }
        }
        return kthHighest(lsns, count, any.k());
    }

    /**
     * The k-th highest of {@code lsns[0..count)} (sorting that range), or CANNOT_COMMIT if there are fewer
     * than k. Ascending order puts the k-th highest at index count - k: for 4, 8, 12 and k = 1, index 2.
     */
    private static long kthHighest(long[] lsns, int count, int k) {
        if (count < k) {
            return CANNOT_COMMIT;
        }
        Arrays.sort(lsns, 0, count);
        return lsns[count - k];
    }

    private static int countReplicasAtLeast(NodeId leader, Map<NodeId, Member> members, AckLevel level,
                                            long lsn, boolean votersOnly) {
        int count = 0;
        for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
            Member member = entry.getValue();
            if ((member.voting() || !votersOnly) && !entry.getKey().equals(leader) && member.lsn(level) >= lsn) {
                count++;
            }
        }
        return count;
    }

    private static int countReplicas(NodeId leader, Map<NodeId, Member> members, boolean votersOnly) {
        int count = 0;
        for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
            if ((entry.getValue().voting() || !votersOnly) && !entry.getKey().equals(leader)) {
                count++;
            }
        }
        return count;
    }

    private static int countFirstConnectedAtLeast(AckPolicy.First first, NodeId leader,
                                                  Map<NodeId, Member> members, AckLevel level, long lsn) {
        int picked = 0;
        int count = 0;
        for (NodeId name : first.standbys()) {
            if (picked == first.k()) {
                break;
            }
            Member member = name.equals(leader) ? null : members.get(name);
            if (member != null && member.connected()) {
                picked++;
                if (member.lsn(level) >= lsn) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int countListedAtLeast(AckPolicy.Any any, NodeId leader, Map<NodeId, Member> members,
                                          AckLevel level, long lsn) {
        int count = 0;
        for (NodeId name : any.standbys()) {
            Member member = name.equals(leader) ? null : members.get(name);
            if (member != null && member.lsn(level) >= lsn) {
                count++;
            }
        }
        return count;
    }

    private static void checkLeaderLsn(long leaderLsn) {
        if (leaderLsn < 0) {
            throw new IllegalArgumentException("the leader's LSN cannot be negative, got " + leaderLsn);
        }
    }
}
