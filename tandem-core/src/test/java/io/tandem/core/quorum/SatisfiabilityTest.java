package io.tandem.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.core.model.NodeId;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Configuration validation: which policies can never commit with a cluster's nodes, and why. */
class SatisfiabilityTest {

    private static Set<NodeId> nodes(String names) {
        Set<NodeId> nodes = new LinkedHashSet<>();
        for (String name : names.trim().split("\\s+")) {
            if (!name.isEmpty()) {
                nodes.add(NodeId.of(name));
            }
        }
        return nodes;
    }

    @Test
    void whyNeverSatisfied() {
        String[][] cases = {
            // policy, leader, nodes, reason (null: can be satisfied)
            {"async", "L", "L", null},
            {"quorum", "L", "L", null},
            {"quorum", "L", "L a b", null},
            {"all", "L", "", null},
            {"all", "L", "L a b", null},
            {"semi-sync 1", "L", "L", "semi-sync 1 can never commit: it needs 1 replica and leader L has 0"},
            {"semi-sync 1", "L", "", "semi-sync 1 can never commit: it needs 1 replica and leader L has 0"},
            {"semi-sync 2", "L", "L b a", null},
            {"semi-sync 2", "L", "b a", null},                         // the leader need not be listed
            {"semi-sync 3", "L", "L b a",
                "semi-sync 3 can never commit: it needs 3 replicas and leader L has 2 (a, b)"},
            {"first 2 (L, a, b)", "L", "L a b", null},
            {"first 1 (x, a)", "L", "L a", null},
            {"first 3 (L, a, b)", "L", "L a b", "first 3 (L, a, b) can never commit: it needs 3 of the listed"
                    + " standbys and only a, b are replicas of leader L (L is the leader)"},
            {"any 2 (a, x)", "L", "L a b", "any 2 (a, x) can never commit: it needs 2 of the listed standbys"
                    + " and only a is a replica of leader L (x is not a node of the cluster)"},
            {"any 1 (x, y)", "L", "L a", "any 1 (x, y) can never commit: it needs 1 of the listed standbys"
                    + " and none is a replica of leader L (x is not a node of the cluster, y is not a node of"
                    + " the cluster)"},
            // after a failover to a: the same configuration, another leader
            {"any 2 (a, b)", "b", "a b c", "any 2 (a, b) can never commit: it needs 2 of the listed standbys"
                    + " and only a is a replica of leader b (b is the leader)"},
            {"any 2 (a, b)", "c", "a b c", null},
        };
        for (String[] c : cases) {
            AckPolicy policy = AckPolicy.parse(c[0]);
            NodeId leader = NodeId.of(c[1]);
            Set<NodeId> nodes = nodes(c[2]);
            String where = c[0] + " leader=" + c[1] + " nodes=" + c[2];
            assertEquals(Optional.ofNullable(c[3]), QuorumMath.whyNeverSatisfied(policy, leader, nodes), where);
            assertEquals(c[3] == null, QuorumMath.canEverBeSatisfied(policy, leader, nodes), where);
        }
    }
}
