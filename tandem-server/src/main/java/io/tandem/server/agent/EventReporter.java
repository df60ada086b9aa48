package io.tandem.server.agent;

import io.tandem.core.model.Event;
import io.tandem.server.config.RuntimeSettings;
import io.tandem.server.metrics.ServerStats;

/**
 * The server's side of the core's events: each is logged at the level an operator would want and, where it
 * says something is going wrong or changing hands (lag alerts, elections, rewinds), counted for /metrics and
 * INFO. Events are the single source of truth for what happened (see DESIGN.md), so nothing else logs these.
 */
final class EventReporter {
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final ServerStats stats;
    /** The lag alert bounds of the moment (CONFIG SET may change them), for the alert's message. */
    private final RuntimeSettings settings;

    EventReporter(ServerStats stats, RuntimeSettings settings) {
        this.stats = stats;
        this.settings = settings;
    }

    void report(Event event) {
        switch (event) {
            case Event.LagAlert alert -> lagAlert(alert);
            case Event.ConflictingLeader conflict -> warn(conflict.other() + " also leads term " + conflict.term()
                    + " (both were promoted with REPLICAOF NO ONE?): its stream is refused; point one of them at"
                    + " the other with REPLICAOF host port");
            case Event.ElectionStarted started -> {
                if (!started.preVote()) {
                    stats.electionsStarted++;
                }
                info((started.preVote() ? "no word from a leader for the election timeout: asking for pre-votes for"
                        : "standing for election in") + " term " + started.term() + " (log ends at LSN "
                        + started.lastLsn() + ", term " + started.lastTerm() + ")");
            }
            case Event.VoteGranted granted -> {
                stats.votesGranted++;
                info("voted for " + granted.candidate() + " in term " + granted.term());
            }
            case Event.Elected elected -> {
                stats.electionsWon++;
                warn("elected leader of term " + elected.term() + " with " + elected.votes() + " votes (log ends at LSN "
                        + elected.lastLsn() + ")");
            }
            case Event.LostQuorum lost when lost.neverLeased() -> {
                stats.quorumsLost++;
                warn("stepping down as leader of term " + lost.term() + ": it never held a lease in this term (it"
                        + " leads with no votes, as the configured leader on an empty data directory does, or its votes"
                        + " came too late to vouch for it) and no majority of the voters answered it within "
                        + lost.windowMillis() + " ms; the others may not be running yet, or elected another leader");
            }
            case Event.LostQuorum lost -> {
                stats.quorumsLost++;
                warn("stepping down as leader of term " + lost.term() + ": " + lost.heard() + " of the " + lost.needed()
                        + " voters needed heard from it within " + lost.windowMillis() + " ms (election-timeout-millis"
                        + " less half a heartbeat, counted from when it sent), and no majority renewed its lease since;"
                        + " the others may elect a new leader");
            }
            case Event.LeaseLapsed lapsed -> {
                stats.leaseLapses++;
                warn("leader lease of term " + lapsed.term() + " lapsed: " + lapsed.heard() + " of the "
                        + lapsed.needed() + " voters needed heard from it within " + lapsed.windowMillis() + " ms;"
                        + " holding acknowledgements and asking every follower (a stall of this process, or it is cut"
                        + " off)");
            }
            case Event.LeaseRenewed renewed -> info("leader lease of term " + renewed.term() + " renewed "
                    + renewed.lapsedMillis() + " ms after it lapsed: acknowledging again");
            case Event.Rewinding rewinding -> {
                stats.rewinds++;
                warn("this node applied entries after LSN " + rewinding.afterLsn() + " (up to " + rewinding.appliedLsn()
                        + ", log to " + rewinding.lastLsn() + ") that the leader's log does not hold: rewinding");
            }
            case Event.AcknowledgementChanged changed -> info("acknowledgement settings changed (CONFIG SET) at LSN "
                    + changed.lsn() + ": ack-policy '" + changed.policy() + "', ack-level " + changed.level()
                    + ", ack-timeout-millis " + changed.ackTimeoutMillis() + ", on-ack-timeout " + changed.onAckTimeout()
                    + " (what writes wait for while this node leads, those waiting now included)");
            default -> info("event: " + event);
        }
    }

    private void lagAlert(Event.LagAlert alert) {
        if (alert.raised()) {
            stats.lagAlertsRaised++;
            warn("replica " + alert.replica() + " is lagging: " + alert.lagEntries() + " entries (" + alert.lagBytes()
                    + " bytes) not applied, behind for " + alert.lagMillis() + " ms (lag-alert-millis "
                    + settings.lagAlertMillis() + ", lag-alert-bytes " + settings.lagAlertBytes() + ")");
        } else {
            info("replica " + alert.replica() + " is back within the lag alert bounds");
        }
    }

    private static void info(String message) {
        LOG.log(System.Logger.Level.INFO, message);
    }

    private static void warn(String message) {
        LOG.log(System.Logger.Level.WARNING, message);
    }
}
