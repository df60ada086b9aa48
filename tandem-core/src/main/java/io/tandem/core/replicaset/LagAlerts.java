package io.tandem.core.replicaset;

import io.tandem.core.model.Event;
import io.tandem.core.model.NodeId;
import io.tandem.core.protocol.Output;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Lag alerts (lag-alert-millis, lag-alert-bytes; 0 turns a bound off): a leader looks at every replica once a
 * tick, and says when one crosses a bound and when it is back within both, one event each, not one per tick.
 * Part of the core: no I/O, no clock.
 */
final class LagAlerts {
    private long boundMillis;
    private long boundBytes;

    /** Set by the runtime from its configuration (0: off). */
    void bounds(long millis, long bytes) {
        this.boundMillis = millis;
        this.boundBytes = bytes;
    }

    /** @param lagBytes the log bytes a replica has not applied yet: a look at the log, taken only when needed */
    void check(long nowMillis, Map<NodeId, Progress> progress, long lastLsn, ToLongFunction<NodeId> lagBytes,
            Output out) {
        if (boundMillis <= 0 && boundBytes <= 0) {
            return;
        }
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            long millis = p.lagMillis(lastLsn, nowMillis);
            boolean overMillis = boundMillis > 0 && millis > boundMillis;
            // Bytes cost a look at the log: only when they decide, or when an event will say them.
            long bytes = boundBytes > 0 || overMillis || p.lagAlerted ? lagBytes.applyAsLong(e.getKey()) : 0;
            boolean over = overMillis || (boundBytes > 0 && bytes > boundBytes);
            if (over != p.lagAlerted) {
                p.lagAlerted = over;
                long entries = lastLsn - Math.min(p.appliedLsn, lastLsn);
                out.event(new Event.LagAlert(e.getKey(), over, millis, bytes, entries));
            }
        }
    }
}
