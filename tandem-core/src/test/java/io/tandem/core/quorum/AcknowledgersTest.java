package io.tandem.core.quorum;

import static io.tandem.core.quorum.AckLevel.APPLIED;
import static io.tandem.core.quorum.AckLevel.DURABLE;
import static io.tandem.core.quorum.AckLevel.RECEIVED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.model.NodeId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** "only N of M replicas acknowledged": N counts the replicas a policy can use, M is what it needs. */
class AcknowledgersTest {
    private static final NodeId LEADER = NodeId.of("L");

    @Test
    void acknowledgersAndRequired() {
        Object[][] cases = {
            // policy, members, level, LSN, acknowledgers, required
            {"async", "a=4 b=8", DURABLE, 5, 1, 0},
            {"async", "", DURABLE, 5, 0, 0},
            {"semi-sync 2", "a=4 b=8~ c=9!", DURABLE, 5, 2, 2},
            {"semi-sync 3", "a=4", DURABLE, 4, 1, 3},                 // more than can ever arrive
            {"semi-sync 1", "L=9 a=3", DURABLE, 5, 0, 1},             // the leader's entry is not a replica
            {"semi-sync 1", "a=1/9/5", RECEIVED, 5, 0, 1},
            {"semi-sync 1", "a=1/9/5", DURABLE, 5, 1, 1},
            {"semi-sync 1", "a=1/9/5", APPLIED, 5, 1, 1},
            {"quorum", "", DURABLE, 5, 0, 0},                         // the leader alone is a majority
            {"quorum", "a=4", DURABLE, 4, 1, 1},
            {"quorum", "a=4 b=8~ c=9", DURABLE, 5, 1, 1},             // 3 voters; b does not vote
            {"quorum", "a=4 b=8 c=9 d=1", DURABLE, 5, 2, 2},          // 5 voters: majority 3, leader + 2
            {"quorum", "a=4 b=8 c=9 d=1 e=0~ f=9~", DURABLE, 5, 2, 2},
            {"quorum", "L=9 a=4 b=8", DURABLE, 5, 1, 1},              // L is counted once, as the leader
            {"all", "a=4 b=8~ c=9!", DURABLE, 5, 2, 3},
            {"all", "", DURABLE, 5, 0, 0},
            {"first 2 (a, b, c)", "a=9 b=8! c=5", DURABLE, 7, 1, 2},   // waits for a and c
            {"first 2 (a, b, c)", "a=9 b=8! c=5!", DURABLE, 7, 1, 2},  // only a available
            {"first 1 (a, b)", "a=4 b=8", DURABLE, 7, 0, 1},          // b is ahead but not a's substitute
            {"first 2 (L, a, b)", "L=9 a=8 b=8", DURABLE, 7, 2, 2},
            {"any 2 (a, b, x)", "a=9! b=5 c=9", DURABLE, 7, 1, 2},    // c is not listed
            {"any 1 (a, b)", "a=9! b=8", DURABLE, 7, 2, 1},
        };
        for (Object[] c : cases) {
            AckPolicy policy = AckPolicy.parse((String) c[0]);
            Map<NodeId, Member> members = MemberSpec.members((String) c[1]);
            String where = c[0] + " members=" + c[1] + " level=" + c[2] + " lsn=" + c[3];
            assertEquals(c[4], QuorumMath.acknowledgers(policy, LEADER, members, (AckLevel) c[2], (Integer) c[3]),
                    "acknowledgers " + where);
            assertEquals(c[5], QuorumMath.requiredAcknowledgers(policy, LEADER, members), "required " + where);
        }
    }
}
