package io.tandem.sim.check;

import io.tandem.core.model.Event;
import io.tandem.core.model.NodeId;
import io.tandem.core.replicaset.Progress;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The leader's view of each follower ({@link Progress}) never claims more than the follower truly has:
 * received, durable and applied at most the follower's true positions ({@link Truth}), after every step of
 * the leader.
 *
 * <p>One claim may be stale without anyone lying: a follower that crashed lost its received but undurable
 * entries, and the leader cannot know until the follower tells it. Until the leader has handled the
 * restarted follower's Subscribe (which says where its log now ends), received is only held to what the
 * follower ever received; from then on it is held to the truth.
 */
public final class LagAccountingChecker implements SimObserver {
    private final Cluster cluster;
    /** Followers that crashed and whose new Subscribe the leader has not handled yet. */
    private final Set<NodeId> unannouncedCrash = new HashSet<>();
    private long checks;

    public LagAccountingChecker(Cluster cluster) {
        this.cluster = cluster;
    }

    public long checks() {
        return checks;
    }

    @Override
    public void onCrash(SimNode node, long lostEntries) {
        if (node != cluster.leader()) {
            unannouncedCrash.add(node.id());
        }
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        if (node != cluster.leader() || !node.core().isLeader()) {
            return;
        }
        for (Event event : step.events()) {
            if (event instanceof Event.FollowerSubscribed subscribed && cluster.node(subscribed.follower()).isUp()) {
                unannouncedCrash.remove(subscribed.follower());
            }
        }
        for (Map.Entry<NodeId, Progress> e : node.core().progress().entrySet()) {
            SimNode follower = cluster.node(e.getKey());
            Progress p = e.getValue();
            checks++;
            long receivedTruth = unannouncedCrash.contains(follower.id()) ? follower.everLoggedLsn()
                    : Truth.receivedLsn(follower);
            claim(node, follower, "received", p.receivedLsn(), receivedTruth);
            claim(node, follower, "durable", p.durableLsn(), Truth.durableLsn(follower));
            claim(node, follower, "applied", p.appliedLsn(), Truth.appliedLsn(follower));
        }
    }

    private static void claim(SimNode leader, SimNode follower, String level, long claimed, long truth) {
        if (claimed > truth) {
            throw new InvariantViolation("lag accounting", "the leader's progress says " + follower.name() + " has "
                    + level + " up to " + claimed + " but it truly has " + truth + " (" + Truth.positions(follower)
                    + ")\n    leader's progress: " + AckPromiseChecker.progress(leader));
        }
    }
}
