package io.tandem.cli;

import java.time.Duration;
import java.util.List;

/** Waiting for a replica set of node processes (n1, n2, ... at index 0, 1, ...) to agree on a leader. */
final class Leaders {
    private Leaders() {}

    /**
     * Waits until one of {@code candidates} says it is master and every other one follows it with its link
     * up; returns its index.
     */
    static int await(int[] ports, List<Integer> candidates, Duration timeout) {
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
            for (int i : candidates) {
                if (i != leader[0]) {
                    try (RespConnection node = new RespConnection(ports[i])) {
                        if (!ReplicaSetArgs.name(leader[0]).equals(node.info("replication", "tandem_leader"))
                                || !"up".equals(node.info("replication", "master_link_status"))) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }, "one of " + candidates + " (0 is n1) leads and the others follow it, within " + timeout.toSeconds() + " s",
                timeout);
        return leader[0];
    }
}
