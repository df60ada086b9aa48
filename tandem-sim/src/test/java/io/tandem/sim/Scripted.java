package io.tandem.sim;

import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.scenario.QuietCluster;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.Operation;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.Trace;

/**
 * Hand-written scenarios on the simulated world, for minimal reproductions: a {@link QuietCluster} (fixed
 * latencies, nothing lost, no random workload) that a test drives step by step with scripted requests,
 * scripted losses, cuts and crashes.
 */
final class Scripted {
    final Cluster cluster;
    final Trace trace = new Trace(500, false);
    private final QuietCluster quiet;

    Scripted(String policy, AckLevel level, int nodes, long[] clockSkewMillis) {
        quiet = new QuietCluster(QuietCluster.config(policy, level, nodes), clockSkewMillis, trace);
        cluster = quiet.cluster();
    }

    Scripted(String policy, AckLevel level, int nodes) {
        this(policy, level, nodes, new long[nodes]);
    }

    SimNode node(int number) {
        return quiet.node(number);
    }

    Operation write(String... words) {
        return quiet.write(words);
    }

    Operation read(SimNode node, String... words) {
        return quiet.read(node, words);
    }

    void runFor(long millis) {
        quiet.runFor(millis);
    }

    long nowMillis() {
        return quiet.nowMicros() / 1000;
    }
}
