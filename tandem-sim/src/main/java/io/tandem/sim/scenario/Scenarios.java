package io.tandem.sim.scenario;

import java.util.List;
import java.util.Optional;

/** The scenarios {@code tandem scenario} knows, in the order {@code tandem scenario list} shows them. */
public final class Scenarios {
    private Scenarios() {}

    public static List<Scenario> all() {
        return List.of(AsyncStaleReads.scenario(), SemiSync.scenario(), PolicyChange.scenario(),
                QuorumPartition.scenario(), DelayedReplica.scenario(), Cascading.scenario(), FailoverSemiSync.scenario(),
                FailoverAsync.scenario());
    }

    public static Optional<Scenario> named(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return all().stream().map(Scenario::name).toList();
    }
}
