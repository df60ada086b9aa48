package io.tandem.sim.check;

import io.tandem.core.model.Entry;
import io.tandem.core.model.Reply;
import io.tandem.core.quorum.AckLevel;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.QuorumMath;
import io.tandem.core.replicaset.Progress;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.sim.sim.Cluster;
import io.tandem.sim.sim.SimNode;
import io.tandem.sim.sim.SimObserver;
import io.tandem.sim.sim.StepRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When the leader releases a successful reply, what the reply shows (everything up to the request's LSN
 * L: its own write, or for a read the log as it was) is acknowledged as the policy promises, checked
 * against the simulated truth ({@link Truth}) at that very moment:
 *
 * <pre>
 * async          the leader has L durable
 * semi-sync K    and K replicas hold L at the level
 * quorum         and a majority of the voters (the leader one of them) hold L
 * all            and every replica holds L
 * first K (...)  and K of the listed replicas hold L
 * any K (...)    and K of the listed replicas hold L
 * </pre>
 *
 * The exception the design makes, counted rather than failed: a degraded leader (on-ack-timeout
 * degrade) promises only its own durability.
 *
 * <p>The promise is the one in force on the leader when the commit point first passed L: CONFIG SET may change
 * the settings (ack changes, see Fault.AckChange), and what was acknowledged stays acknowledged. A read after a
 * stricter policy came in shows entries committed under the looser one; it is held to that one.
 */
public final class AckPromiseChecker implements SimObserver {
    private final Cluster cluster;
    private final ReplicaSetConfig config;
    private long checked;
    private long degradedReleases;
    /** What the leader promised for the LSNs from each key on, as its commit point passed them. */
    private final TreeMap<Long, Promise> promisedFrom = new TreeMap<>();
    /** The highest LSN promisedFrom covers. */
    private long promisedUpTo;

    /** The settings (and degraded mode) in force on the leader when its commit point moved. */
    private record Promise(AckPolicy policy, AckLevel level, boolean degraded) {}

    public AckPromiseChecker(Cluster cluster) {
        this.cluster = cluster;
        this.config = cluster.spec().config();
    }

    public long checked() {
        return checked;
    }

    public long degradedReleases() {
        return degradedReleases;
    }

    @Override
    public void afterStep(SimNode node, StepRecord step) {
        if (node != cluster.leader()) {
            return;
        }
        notePromises(node); // on every step: entries no client waits for (expiry, terms' openings) commit too
        if (step.replies().isEmpty()) {
            return;
        }
        for (StepRecord.ReleasedReply released : step.replies()) {
            if (released.reply() instanceof Reply.Error) {
                continue;
            }
            if (released.request() == null) {
                throw new InvariantViolation("acknowledgement promise", "reply to request #" + released.requestId()
                        + " that this leader never received");
            }
            long lsn = released.request().requiredLsn();
            if (lsn == 0) {
                continue;
            }
            Entry entry = node.disk().log().get(lsn);
            String what = (released.request().write() ? "write" : "read") + " #" + released.requestId() + " at LSN "
                    + lsn;
            if (node.restarts() > 0 && lsn <= node.recoveredLsn() && !Truth.durablyHolds(node, entry)) {
                throw new InvariantViolation("acknowledgement promise", "impossible: LSN " + lsn
                        + " was recovered but is not durable");
            }
            if (!Truth.durablyHolds(node, entry)) {
                throw new InvariantViolation("acknowledgement promise", "the leader released a reply to " + what
                        + " that is not durable on the leader itself (durable image ends at "
                        + Truth.durableLsn(node) + ")");
            }
            if (lsn > promisedUpTo) {
                throw new InvariantViolation("acknowledgement promise", "the leader released a reply to " + what
                        + " beyond its commit point (LSN " + node.core().commitLsn() + ")");
            }
            Promise promise = promisedFrom.floorEntry(lsn).getValue();
            if (promise.degraded() || node.core().degraded()) {
                degradedReleases++;
                continue;
            }
            String shortfall = shortfall(entry, promise.policy(), promise.level());
            if (shortfall == null) {
                checked++;
            } else {
                throw new InvariantViolation("acknowledgement promise", "the leader released a reply to " + what
                        + " under '" + promise.policy() + "' at " + promise.level() + ", but " + shortfall
                        + "\n    truth: " + truth() + "\n    leader's progress: " + progress(node));
            }
        }
    }

    /** The leader's commit point passed LSNs no promise covered yet: they were acknowledged as it says now. */
    private void notePromises(SimNode leader) {
        long commitLsn = leader.core().commitLsn();
        if (commitLsn > promisedUpTo) {
            ReplicaSetConfig inForce = leader.core().config();
            promisedFrom.put(promisedUpTo + 1, new Promise(inForce.ackPolicy(), inForce.ackLevel(),
                    leader.core().degraded()));
            promisedUpTo = commitLsn;
        }
    }

    /** Why the policy is not met for entry by the truth, or null when it is. */
    private String shortfall(Entry entry, AckPolicy policy, AckLevel level) {
        List<SimNode> replicas = cluster.followers();
        return switch (policy) {
            case AckPolicy.Async async -> null;
            case AckPolicy.SemiSync semiSync -> need(semiSync.k(), count(replicas, entry, level, null, false), "replicas");
            case AckPolicy.All all -> need(replicas.size(), count(replicas, entry, level, null, false), "replicas");
            case AckPolicy.Quorum quorum -> {
                int voters = 1 + (int) replicas.stream().filter(r -> config.member(r.id()).voting()).count();
                int holding = 1 + count(replicas, entry, level, null, true);
                yield need(QuorumMath.majority(voters), holding, "voters (the leader included) of " + voters);
            }
            case AckPolicy.First first -> need(first.k(), count(replicas, entry, level, first.standbys(), false),
                    "listed standbys");
            case AckPolicy.Any any -> need(any.k(), count(replicas, entry, level, any.standbys(), false),
                    "listed standbys");
        };
    }

    private static String need(int required, int holding, String of) {
        return holding >= required ? null : "only " + holding + " " + of + " hold it, " + required + " required";
    }

    private int count(List<SimNode> replicas, Entry entry, AckLevel level, List<?> listed, boolean votersOnly) {
        int count = 0;
        for (SimNode replica : replicas) {
            boolean counts = (listed == null || listed.contains(replica.id()))
                    && (!votersOnly || config.member(replica.id()).voting());
            if (counts && Truth.holds(replica, entry, level)) {
                count++;
            }
        }
        return count;
    }

    private String truth() {
        StringBuilder text = new StringBuilder();
        for (SimNode replica : cluster.followers()) {
            text.append(Truth.positions(replica)).append("; ");
        }
        return text.toString();
    }

    static String progress(SimNode leader) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<?, Progress> e : leader.core().progress().entrySet()) {
            Progress p = e.getValue();
            text.append(e.getKey()).append(" sent=").append(p.sentLsn()).append(" rcv=").append(p.receivedLsn())
                    .append(" dur=").append(p.durableLsn()).append(" app=").append(p.appliedLsn())
                    .append(p.probing() ? " probing" : "").append(p.connected() ? "" : " disconnected").append("; ");
        }
        return text.toString();
    }
}
