package io.tandem.sim.sim;

import io.tandem.core.model.Entry;

/**
 * A client request a node stepped, as the simulator saw it: the log's last LSN right after (what the reply
 * may show, so what it must wait for) and the entry the request wrote, or null for a read.
 */
public record AcceptedRequest(long requestId, long requiredLsn, Entry entry) {
    public boolean write() {
        return entry != null;
    }
}
