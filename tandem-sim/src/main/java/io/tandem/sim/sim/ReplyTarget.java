package io.tandem.sim.sim;

import io.tandem.core.model.Reply;
import io.tandem.core.protocol.ClientRef;

/** Who a node's reply goes to in the simulator: a workload client, or the operator changing members. */
public interface ReplyTarget extends ClientRef {
    /** A node released a reply to this client (it arrives after a hop). */
    void replyFrom(SimNode node, long requestId, Reply reply);
}
