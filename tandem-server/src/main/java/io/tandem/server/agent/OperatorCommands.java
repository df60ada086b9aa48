package io.tandem.server.agent;

import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.core.quorum.AckPolicy;
import io.tandem.core.quorum.QuorumMath;
import io.tandem.core.replicaset.ReplicaSetConfig;
import io.tandem.core.replicaset.ReplicaSetNode;
import io.tandem.server.config.RuntimeSettings;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's commands that move this node's role or what its writes wait for: REPLICAOF, FAILOVER and
 * CONFIG SET of the acknowledgement settings. Each runs on the agent's thread, reads the clock of the moment
 * and steps the core with the agent as its output, as a client's command does.
 */
final class OperatorCommands {
    private final NodeAgent agent;
    private final ReplicaSetNode node;
    private final RuntimeSettings settings;
    /** This node's own client address as it announces it ("" until the node has bound its port). */
    private String selfAnnounce = "";

    OperatorCommands(NodeAgent agent, ReplicaSetNode node, RuntimeSettings settings) {
        this.agent = agent;
        this.node = node;
        this.settings = settings;
        settings.checkPoliciesWith(this::whyPolicyNeverCommits);
    }

    void selfAnnounce(String address) {
        this.selfAnnounce = address;
    }

    /**
     * REPLICAOF: NO ONE makes this node lead in a new term (the operator's promotion: any other leader is
     * fenced once it hears of the new term); host port makes it follow the member that announced that
     * client address. Tandem follows members of its replica set only (the peers it was configured with).
     */
    Reply replicaOf(String host, int port) {
        agent.readClock();
        if (node.rewinding()) {
            return Reply.error("LOADING this replica is rebuilding its dataset after it diverged from the leader;"
                    + " retry shortly");
        }
        if (host == null) {
            if (node.config().elections() && !node.isLeader()) {
                // Leading a term by decree, with no votes, could make two leaders of one term: with elections
                // leadership moves only by an election, which FAILOVER on the leader starts safely.
                return Reply.error("ERR automatic failover is on (election-timeout-millis): run FAILOVER [TO host"
                        + " port] on the leader to hand leadership over");
            }
            if (!node.isLeader()) {
                node.becomeLeader(node.term() + 1, agent.cycleMillis(), agent);
                agent.scheduleCycleEnd();
            }
            return Reply.OK;
        }
        String wanted = host + ":" + port;
        if (wanted.equals(selfAnnounce)) {
            return Reply.error("ERR can't replicate from myself");
        }
        NodeId target = memberAnnouncing(wanted);
        if (target == null) {
            return Reply.error("ERR no member of this replica set announced " + wanted + " (known: "
                    + node.memberAddresses() + "); Tandem follows its configured peers");
        }
        // The named member becomes this node's upstream, as the upstream config key would make it: after an
        // election the node streams from it again once it follows the new leader (or from the leader, if it is).
        node.upstream(target);
        if (!node.isLeader() && target.equals(node.leader())) {
            return new Reply.Simple("OK Already connected to specified master");
        }
        node.becomeFollower(node.term(), target, agent.cycleMillis(), agent);
        agent.scheduleCycleEnd();
        return Reply.OK;
    }

    /** FAILOVER [TO host port] [TIMEOUT ms] [FORCE] | ABORT, on the leader (see Switchover). */
    Reply failover(String host, int port, long timeoutMillis, boolean force, boolean abort) {
        agent.readClock();
        String refused;
        if (abort) {
            refused = node.abortFailover(agent);
        } else {
            NodeId target = null;
            if (host != null) {
                target = memberAnnouncing(host + ":" + port);
                if (target == null) {
                    return Reply.error("ERR FAILOVER target HOST and PORT is not a replica.");
                }
            }
            refused = node.failover(target, timeoutMillis, force, agent.cycleMillis(), agent);
        }
        agent.scheduleCycleEnd();
        return refused == null ? Reply.OK : Reply.error(refused);
    }

    /** Another member that announced this client address (as it announced it, or the leader relayed it), or null. */
    private NodeId memberAnnouncing(String hostPort) {
        NodeId found = null;
        for (Map.Entry<NodeId, String> e : node.memberAddresses().entrySet()) {
            if (e.getValue().equals(hostPort) && !e.getKey().equals(node.self())) {
                found = e.getKey();
            }
        }
        return found;
    }

    /**
     * After CONFIG SET: the acknowledgement settings go to the core when they differ from those in force (it
     * decides what the writes waiting now wait for), and the lag alert bounds to the leader's checks.
     */
    void settingsChanged() {
        ReplicaSetConfig inForce = node.config();
        if (!settings.ackPolicy().equals(inForce.ackPolicy()) || settings.ackLevel() != inForce.ackLevel()
                || settings.ackTimeoutMillis() != inForce.ackTimeoutMillis()
                || settings.onAckTimeout() != inForce.onAckTimeout()
                || settings.minReplicasToWrite() != inForce.minReplicasToWrite()
                || settings.minReplicasMaxLagMillis() != inForce.minReplicasMaxLagMillis()) {
            agent.readClock();
            agent.step(new Input.ChangeAcknowledgement(settings.ackPolicy(), settings.ackLevel(),
                    settings.ackTimeoutMillis(), settings.onAckTimeout(), settings.minReplicasToWrite(),
                    settings.minReplicasMaxLagMillis()));
        }
        node.lagAlerts(settings.lagAlertMillis(), settings.lagAlertBytes());
    }

    /**
     * Why this node could never commit a write under {@code policy} once it leads the members of the moment
     * (CONFIG SET ack-policy refuses it then, as the loader refuses it at start), or null.
     */
    private String whyPolicyNeverCommits(AckPolicy policy) {
        Set<NodeId> members = new TreeSet<>();
        for (Membership.Seat seat : node.membership().seats()) {
            members.add(seat.id());
        }
        return QuorumMath.whyNeverSatisfied(policy, node.self(), members).orElse(null);
    }
}
