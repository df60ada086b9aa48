package io.tandem.sim.scenario;

import io.tandem.core.model.Event;
import io.tandem.sim.sim.Describe;

/** A core {@link Event} in words for the timeline, for a reader who has not read the protocol's code. */
final class EventText {
    private EventText() {}

    static String of(Event event) {
        return switch (event) {
            case Event.RoleChanged r -> r.role().equals("leader") ? "becomes leader (term " + r.term() + ")"
                    : r.leader() == null ? "follows no one yet (term " + r.term() + "): it waits to hear from a leader"
                            + " or for its election timer"
                    : "becomes a follower of " + r.leader() + " (term " + r.term() + ")";
            case Event.ElectionStarted e -> e.preVote()
                    ? "has heard from no leader for its election timeout: asks the others whether they would vote"
                            + " for it in term " + e.term() + " (a pre-vote, which changes no one's term); its log ends"
                            + " at " + position(e.lastLsn(), e.lastTerm())
                    : "stands for election in term " + e.term() + ": votes for itself and asks the others (its log"
                            + " ends at " + position(e.lastLsn(), e.lastTerm()) + ")";
            case Event.VoteGranted v -> "votes for " + v.candidate() + " in term " + v.term() + ": " + v.candidate()
                    + "'s log is at least as up to date as its own";
            case Event.Elected e -> "is elected leader of term " + e.term() + " with " + e.votes() + " votes (its log"
                    + " ends at LSN " + e.lastLsn() + ")";
            case Event.LostQuorum q when q.neverLeased() -> "steps down: no majority answered it within "
                    + q.windowMillis() + " ms of its leading term " + q.term() + ", and it never held a lease in it";
            case Event.LostQuorum q -> "steps down: it heard from " + q.heard() + " of the voters within "
                    + q.windowMillis() + " ms, and needs " + q.needed() + " (check-quorum, term " + q.term() + ")";
            case Event.LeaseLapsed l -> "holds acknowledgements: its lease lapsed (" + l.heard() + " of the "
                    + l.needed() + " voters needed heard from it within " + l.windowMillis() + " ms)";
            case Event.LeaseRenewed r -> "acknowledges again: a majority renewed its lease " + r.lapsedMillis()
                    + " ms after it lapsed";
            case Event.Rewinding r -> "had applied up to LSN " + r.appliedLsn() + ", but the leader's log differs"
                    + " after LSN " + r.afterLsn() + ": drops " + lsns(r.afterLsn() + 1, r.lastLsn())
                    + " and rebuilds its keys as of LSN " + r.afterLsn();
            case Event.FollowerSubscribed s -> s.follower() + " subscribes to its log stream (its own log ends at LSN "
                    + s.fromLsn() + ")";
            case Event.AckTimedOut t -> "the ack policy was not met for LSN " + t.lsn() + " within " + t.timeoutMillis()
                    + " ms (" + t.acknowledged() + " of " + t.required() + " acknowledgements)";
            case Event.Degraded d -> "degrades to async at LSN " + d.lsn() + " (policy " + d.policy()
                    + " is suspended): writes are acknowledged once durable here";
            case Event.PolicyRestored p -> "the replicas caught up at LSN " + p.lsn() + ": policy " + p.policy()
                    + " applies again";
            case Event.AcknowledgementChanged c -> "now acknowledges writes under " + c.policy() + " at level "
                    + c.level() + " (CONFIG SET; its log ends at LSN " + c.lsn() + "): writes waiting wait for that";
            // Events added to the core later still show, as their record text.
            default -> "event " + Describe.of(event);
        };
    }

    /** "LSN 1001 of term 1", or "LSN 0 (empty)". */
    static String position(long lsn, long term) {
        return lsn == 0 ? "LSN 0 (empty)" : "LSN " + lsn + " of term " + term;
    }

    static String lsns(long from, long to) {
        return from == to ? "LSN " + to : "LSNs " + from + ".." + to;
    }
}
