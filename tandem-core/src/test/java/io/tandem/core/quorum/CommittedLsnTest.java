package io.tandem.core.quorum;

import static io.tandem.core.quorum.AckLevel.APPLIED;
import static io.tandem.core.quorum.AckLevel.DURABLE;
import static io.tandem.core.quorum.AckLevel.RECEIVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.core.model.NodeId;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Commit points, policy by policy. The leader is always "L"; members are written as in {@link MemberSpec}
 * ("a=5 b=9/7/3 c=4~ d=6!": ~ non-voting, ! disconnected, R/D/A per level); null means "cannot commit".
 */
class CommittedLsnTest {
    private static final NodeId LEADER = NodeId.of("L");

    @Test
    void majorityOfOneToSeven() {
        int[][] cases = {{1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {6, 4}, {7, 4}};
        for (int[] c : cases) {
            assertEquals(c[1], QuorumMath.majority(c[0]), "voters " + c[0]);
        }
        for (int voters : new int[] {0, -1, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuorumMath.majority(voters));
            assertEquals("a quorum needs at least 1 voter, got " + voters, e.getMessage());
        }
    }

    @Test
    void commitPoints() {
        Object[][] cases = {
            // policy, leader LSN, members, level, committed LSN (null: cannot commit)
            {"async", 7, "", DURABLE, 7L},
            {"async", 7, "a=2 b=9", DURABLE, 7L},
            {"async", 0, "a=5", APPLIED, 0L},

            {"semi-sync 1", 10, "a=4", DURABLE, 4L},
            {"semi-sync 1", 10, "a=4 b=8 c=6", DURABLE, 8L},
            {"semi-sync 2", 10, "a=4 b=8 c=6", DURABLE, 6L},
            {"semi-sync 3", 10, "a=4 b=8 c=6", DURABLE, 4L},
            {"semi-sync 4", 10, "a=4 b=8 c=6", DURABLE, null},        // K larger than the replicas
            {"semi-sync 1", 10, "", DURABLE, null},
            {"semi-sync 2", 10, "a=4~ b=8~", DURABLE, 4L},            // non-voting replicas count
            {"semi-sync 2", 10, "a=4! b=8!", DURABLE, 4L},            // so do acks of disconnected ones
            {"semi-sync 1", 5, "a=9 b=12", DURABLE, 5L},              // leader behind its replicas
            {"semi-sync 2", 10, "a=1/20/3 b=15/9/2 c=2/2/30", RECEIVED, 2L}, // 1, 15, 2
            {"semi-sync 2", 10, "a=1/20/3 b=15/9/2 c=2/2/30", DURABLE, 9L},  // 20, 9, 2
            {"semi-sync 2", 10, "a=1/20/3 b=15/9/2 c=2/2/30", APPLIED, 3L},  // 3, 2, 30
            {"semi-sync 1", 10, "L=50 a=3", DURABLE, 3L},             // an entry for the leader is ignored
            {"semi-sync 2", 10, "L=50 a=3", DURABLE, null},
            {"semi-sync 3", 10, "a=3 b=5~ c=7 d=9~ e=11!", DURABLE, 7L},

            {"quorum", 10, "", DURABLE, 10L},                         // 1 voter, the leader
            {"quorum", 10, "a=4", DURABLE, 4L},                       // 2 voters need both
            {"quorum", 10, "a=4 b=8", DURABLE, 8L},                   // 2 of 10, 8, 4
            {"quorum", 10, "a=4 b=8 c=6", DURABLE, 6L},               // 3 of 10, 8, 6, 4
            {"quorum", 10, "a=4 b=8 c=6 d=2", DURABLE, 6L},           // 3 of 10, 8, 6, 4, 2
            {"quorum", 10, "a=3 b=5 c=7 d=9 e=11", DURABLE, 7L},      // 4 of 11, 10, 9, 7, 5, 3
            {"quorum", 10, "a=4 b=8~ c=12~", DURABLE, 4L},            // voters L and a only
            {"quorum", 10, "a=4~ b=8~", DURABLE, 10L},                // no voting replica: the leader alone
            {"quorum", 10, "a=3 b=5~ c=7 d=9~ e=11!", DURABLE, 7L},   // 3 of 11, 10, 7, 3
            {"quorum", 3, "a=9 b=8", DURABLE, 3L},                    // leader behind its replicas
            {"quorum", 10, "a=9! b=2", DURABLE, 9L},                  // a disconnected voter's ack counts
            {"quorum", 10, "a=1/9/5 b=9/1/1", RECEIVED, 9L},
            {"quorum", 10, "a=1/9/5 b=9/1/1", DURABLE, 9L},
            {"quorum", 10, "a=1/9/5 b=9/1/1", APPLIED, 5L},
            {"quorum", 10, "L=0 a=5 b=0", DURABLE, 5L},               // L counted once, at leader LSN 10

            {"all", 10, "", DURABLE, 10L},
            {"all", 10, "a=4 b=8~ c=6!", DURABLE, 4L},
            {"all", 3, "a=4 b=8", DURABLE, 3L},
            {"all", 10, "a=12 b=11", DURABLE, 10L},
            {"all", 10, "a=9/2/7 b=3/8/8", RECEIVED, 3L},
            {"all", 10, "a=9/2/7 b=3/8/8", DURABLE, 2L},
            {"all", 10, "a=9/2/7 b=3/8/8", APPLIED, 7L},
            {"all", 10, "L=1 a=6", DURABLE, 6L},

            {"first 1 (a, b)", 10, "a=4 b=8", DURABLE, 4L},           // a has priority though b is ahead
            {"first 1 (b, a)", 10, "a=4 b=8", DURABLE, 8L},
            {"first 2 (a, b, c)", 10, "a=9 b=8 c=1", DURABLE, 8L},    // c is not needed
            {"first 2 (a, b, c)", 10, "a=9 b=8! c=5", DURABLE, 5L},   // disconnected b is skipped
            {"first 2 (a, b, c)", 10, "a=9 b=8! c=5!", DURABLE, null}, // one connected for two places
            {"first 2 (a, x, b)", 10, "a=9 b=7", DURABLE, 7L},        // x is no member: skipped
            {"first 1 (L, a)", 10, "L=10 a=3", DURABLE, 3L},          // the leader is not a standby
            {"first 1 (L)", 10, "L=10 a=3", DURABLE, null},
            {"first 1 (a)", 10, "", DURABLE, null},
            {"first 1 (a, b)", 10, "a=4~ b=8", DURABLE, 4L},          // non-voting standbys are standbys
            {"first 1 (a, b)", 2, "a=4", DURABLE, 2L},                // leader behind
            {"first 2 (a, b)", 10, "a=1/7/3 b=6/2/8", RECEIVED, 1L},
            {"first 2 (a, b)", 10, "a=1/7/3 b=6/2/8", DURABLE, 2L},
            {"first 2 (a, b)", 10, "a=1/7/3 b=6/2/8", APPLIED, 3L},
            {"first 3 (e, d, c, b, a)", 10, "a=3 b=5~ c=7 d=9~ e=11!", DURABLE, 5L},

            {"any 1 (a, b)", 10, "a=4 b=8", DURABLE, 8L},
            {"any 2 (a, b, c)", 10, "a=4 b=8 c=6", DURABLE, 6L},
            {"any 2 (a, b, c)", 10, "a=4! b=8! c=6", DURABLE, 6L},    // disconnected acks count
            {"any 2 (a, x)", 10, "a=4 b=9", DURABLE, null},           // b is not listed, x no member
            {"any 1 (a, x)", 10, "a=4 b=9", DURABLE, 4L},
            {"any 1 (L, a)", 10, "L=10 a=3", DURABLE, 3L},            // the leader is not a standby
            {"any 3 (a, b, c)", 10, "a=4 b=8~ c=6", DURABLE, 4L},
            {"any 1 (a, b)", 5, "a=7 b=9", DURABLE, 5L},              // leader behind
            {"any 2 (a, b)", 10, "a=1/7/3 b=6/2/8", APPLIED, 3L},
            {"any 1 (a, b)", 10, "a=1/7/3 b=6/2/8", DURABLE, 7L},
            {"any 3 (e, d, c, b)", 10, "a=3 b=5~ c=7 d=9~ e=11!", DURABLE, 7L},
        };
        for (Object[] c : cases) {
            AckPolicy policy = AckPolicy.parse((String) c[0]);
            long leaderLsn = ((Integer) c[1]).longValue();
            Map<NodeId, Member> members = MemberSpec.members((String) c[2]);
            OptionalLong expected = c[4] == null ? OptionalLong.empty() : OptionalLong.of((Long) c[4]);
            assertEquals(expected, QuorumMath.committedLsn(policy, LEADER, leaderLsn, members, (AckLevel) c[3]),
                    c[0] + " leader=" + c[1] + " members=" + c[2] + " level=" + c[3]);
        }
    }

    @Test
    void theLeadersLsnCannotBeNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuorumMath.committedLsn(new AckPolicy.Async(), LEADER, -1, Map.of(), DURABLE));
        assertEquals("the leader's LSN cannot be negative, got -1", e.getMessage());
    }
}
