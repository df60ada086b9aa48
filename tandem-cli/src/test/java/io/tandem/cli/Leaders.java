package io.tandem.cli;

import java.time.Duration;
import java.util.List;

/** Waiting for a replica set of node processes (n1, n2, ... at index 0, 1, ...) to agree on a leader. */
final class Leaders {
    private Leaders() {}

    /** Something more each candidate must say of the leader (index {@code leader}) before it counts as agreed. */
    @FunctionalInterface
    interface Check {
        boolean holds(RespConnection node, int leader) throws Exception;
    }

    /**
     * Waits until one of {@code candidates} says it is master and every other one follows it with its link
     * up; returns its index.
     */
    static int await(int[] ports, List<Integer> candidates, Duration timeout) {
        return await(ports, candidates, timeout, (node, leader) -> true, "");
    }

    /** As {@link #await(int[], List, Duration)}, and every candidate also passes {@code also}. */
    static int await(int[] ports, List<Integer> candidates, Duration timeout, Check also, String alsoText) {
        int[] leader = {-1};
        Await.until(() -> {
            leader[0] = -1;
            for (int i : candidates) {
                try (RespConnection node = new RespConnection(ports[i])) {
                    if ("master".equals(node.info("replication", "role"))) {
                        leader[0] = i;
                    }
                }
            }
            if (leader[0] < 0) {
                return false;
            }
            // The leader has heard from every other one (a follower's own "link up" also holds for a while after
            // it starts, before it heard anything).
            try (RespConnection node = new RespConnection(ports[leader[0]])) {
                if (!Integer.toString(candidates.size() - 1).equals(node.info("replication", "connected_slaves"))) {
                    return false;
                }
            }
            for (int i : candidates) {
                try (RespConnection node = new RespConnection(ports[i])) {
                    if (i != leader[0] && (!ReplicaSetArgs.name(leader[0]).equals(node.info("replication",
                            "tandem_leader")) || !"up".equals(node.info("replication", "master_link_status")))) {
                        return false;
                    }
                    if (!also.holds(node, leader[0])) {
                        return false;
                    }
                }
            }
            return true;
        }, "one of " + candidates + " (0 is n1) leads and the others follow it" + alsoText + ", within "
                + timeout.toSeconds() + " s", timeout);
        return leader[0];
    }
}
