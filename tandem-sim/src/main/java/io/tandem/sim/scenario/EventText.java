package io.tandem.sim.scenario;

import io.tandem.core.model.Event;
import io.tandem.sim.sim.Describe;

/** A core {@link Event} in words for the timeline, for a reader who has not read the protocol's code. */
final class EventText {
    private EventText() {}

    static String of(Event event) {
        return switch (event) {
            case Event.RoleChanged r -> r.role().equals("leader") ? "becomes leader (term " + r.term() + ")"
                    : "becomes a follower of " + r.leader() + " (term " + r.term() + ")";
            case Event.FollowerSubscribed s -> s.follower() + " subscribes to its log stream (its own log ends at LSN "
                    + s.fromLsn() + ")";
            case Event.AckTimedOut t -> "the ack policy was not met for LSN " + t.lsn() + " within " + t.timeoutMillis()
                    + " ms (" + t.acknowledged() + " of " + t.required() + " acknowledgements)";
            case Event.Degraded d -> "degrades to async at LSN " + d.lsn() + " (policy " + d.policy()
                    + " is suspended): writes are acknowledged once durable here";
            case Event.PolicyRestored p -> "the replicas caught up at LSN " + p.lsn() + ": policy " + p.policy()
                    + " applies again";
            // Events added to the core later still show, as their record text.
            default -> "event " + Describe.of(event);
        };
    }
}
