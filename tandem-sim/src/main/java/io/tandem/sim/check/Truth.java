package io.tandem.sim.check;

import io.tandem.core.log.EntryCodec;
import io.tandem.core.model.Entry;
import io.tandem.core.quorum.AckLevel;
import io.tandem.sim.sim.SimNode;
import java.util.Arrays;
import java.util.List;

/**
 * What a node really holds, from the simulator's side: its disk and its keyspace, not what any message
 * claims. The checkers compare the leader's beliefs and promises with this.
 *
 * <ul>
 *   <li>received: the entry reached the node's log at some point. A crash may take a received but
 *       undurable entry back: that is what the level promises (it survives the leader's crash, not the
 *       replica's own), so having received it once counts.
 *   <li>durable: the node's durable image (what survives its crash) holds the entry.
 *   <li>applied: the node applied it to its keyspace; a node that is down counts what it will apply on
 *       restart, its durable image.
 * </ul>
 */
public final class Truth {
    private Truth() {}

    /** Are these the same entry? The simulator passes entries by reference, so == is the common case. */
    public static boolean sameEntry(Entry a, Entry b) {
        if (a == b) {
            return true;
        }
        return a.term() == b.term() && a.lsn() == b.lsn() && a.timeMillis() == b.timeMillis()
                && Arrays.equals(EntryCodec.encodePayload(a), EntryCodec.encodePayload(b));
    }

    public static boolean durablyHolds(SimNode node, Entry entry) {
        List<Entry> durable = node.disk().durableEntries();
        return durable.size() >= entry.lsn() && sameEntry(durable.get((int) entry.lsn() - 1), entry);
    }

    public static boolean holds(SimNode node, Entry entry, AckLevel level) {
        return switch (level) {
            case RECEIVED -> node.everLoggedLsn() >= entry.lsn();
            case DURABLE -> durablyHolds(node, entry);
            case APPLIED -> durablyHolds(node, entry) && (!node.isUp() || node.core().appliedLsn() >= entry.lsn());
        };
    }

    /** The node's log end now (a node that is down: its durable image). */
    public static long receivedLsn(SimNode node) {
        return node.isUp() ? node.disk().log().lastLsn() : node.disk().durableEntries().size();
    }

    public static long durableLsn(SimNode node) {
        return node.disk().durableEntries().size();
    }

    public static long appliedLsn(SimNode node) {
        return node.isUp() ? node.core().appliedLsn() : durableLsn(node);
    }

    /** "n2 log=12 durable=10 applied=9 ever=12 (down)" for failure messages. */
    public static String positions(SimNode node) {
        return node.name() + " log=" + receivedLsn(node) + " durable=" + durableLsn(node) + " applied="
                + appliedLsn(node) + " ever=" + node.everLoggedLsn() + (node.isUp() ? "" : " (down)");
    }
}
