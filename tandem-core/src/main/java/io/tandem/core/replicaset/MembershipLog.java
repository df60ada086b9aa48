package io.tandem.core.replicaset;

import io.tandem.core.log.LogView;
import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memberships a node's log has held: the one it starts from ({@code base}, at {@code baseLsn}: the
 * static configuration at LSN 0, or a snapshot's) and every {@link Effect.Reconfigure} entry after it, by
 * LSN. The node uses the latest, committed or not; when a divergent suffix is dropped the membership goes
 * back with it ({@link #truncateAfter}); a snapshot needs the one in force at its LSN ({@link #at}).
 *
 * <p>Changes are operator actions, one at a time, each waiting for the previous to commit: the map stays
 * small. Recovery builds one by {@link #observe}-ing every entry it replays (or with {@link #scan}).
 */
public final class MembershipLog {
    private Membership base;
    private long baseLsn;
    private final TreeMap<Long, Membership> changes = new TreeMap<>();

    public MembershipLog(Membership base, long baseLsn) {
        this.base = base;
        this.baseLsn = baseLsn;
    }

    /** The memberships from {@code base} at {@code baseLsn} and every change in {@code log} after it. */
    public static MembershipLog scan(Membership base, long baseLsn, LogView log) {
        MembershipLog memberships = new MembershipLog(base, baseLsn);
        long next = Math.max(baseLsn + 1, log.firstLsn());
        while (next <= log.lastLsn()) {
            List<Entry> batch = log.entries(next, 1 << 20);
            if (batch.isEmpty()) {
                break;
            }
            for (Entry entry : batch) {
                memberships.observe(entry);
            }
            next = batch.get(batch.size() - 1).lsn() + 1;
        }
        return memberships;
    }

    /** The membership an entry sets, or null if it changes none. */
    public static Membership changedBy(Entry entry) {
        Membership changed = null;
        for (Effect effect : entry.effects()) {
            if (effect instanceof Effect.Reconfigure reconfigure) {
                changed = reconfigure.membership();
            }
        }
        return changed;
    }

    /** An entry joined the log (appended, or replayed by recovery): does it change the membership? */
    public boolean observe(Entry entry) {
        Membership changed = changedBy(entry);
        if (changed == null || entry.lsn() <= baseLsn) {
            return false;
        }
        changes.put(entry.lsn(), changed);
        return true;
    }

    /** The membership in force now: the last change in the log, or the base. */
    public Membership latest() {
        return changes.isEmpty() ? base : changes.lastEntry().getValue();
    }

    /** The LSN of the latest change (the base's LSN when the log holds none). */
    public long latestLsn() {
        return changes.isEmpty() ? baseLsn : changes.lastKey();
    }

    /**
     * Since which LSN {@code id} has been a member without a break, by the latest membership: the change that
     * added it (the base's LSN if the base names it already), or -1 if the latest does not name it.
     */
    public long memberSinceLsn(NodeId id) {
        long since = -1;
        for (Map.Entry<Long, Membership> change : changes.descendingMap().entrySet()) {
            if (!change.getValue().contains(id)) {
                return since;
            }
            since = change.getKey();
        }
        return base.contains(id) ? baseLsn : since;
    }

    /** The membership in force once the entry at {@code lsn} was applied (for a snapshot taken there). */
    public Membership at(long lsn) {
        Map.Entry<Long, Membership> change = changes.floorEntry(lsn);
        return change == null ? base : change.getValue();
    }

    /** Entries after {@code lsn} left the log: so did their changes. Returns whether the latest changed. */
    public boolean truncateAfter(long lsn) {
        Membership before = latest();
        changes.tailMap(lsn, false).clear();
        return !latest().equals(before);
    }

    /**
     * The log now starts after a snapshot at {@code lsn} holding {@code membership} (installed from the
     * leader): nothing older is known any more. Returns whether the latest changed.
     */
    public boolean reset(long lsn, Membership membership) {
        Membership before = latest();
        base = membership;
        baseLsn = lsn;
        changes.clear();
        return !latest().equals(before);
    }

    /**
     * The log was rebuilt from {@code base} at {@code baseLsn} (a rewind went back to a snapshot, or to the
     * start): the memberships are {@code base} and the changes {@code log} holds after it, up to {@code lastLsn}.
     * Returns whether the latest changed.
     */
    public boolean rebuild(Membership base, long baseLsn, LogView log, long lastLsn) {
        Membership before = latest();
        MembershipLog rebuilt = scan(base, baseLsn, log);
        this.base = rebuilt.base;
        this.baseLsn = rebuilt.baseLsn;
        changes.clear();
        changes.putAll(rebuilt.changes.headMap(lastLsn, true));
        return !latest().equals(before);
    }

    /** The base's address for {@code id}, when it was not known at start (the runtime binds its port later). */
    public void baseAddressIfUnknown(NodeId id, String peerAddress) {
        base = base.withAddressIfUnknown(id, peerAddress);
    }
}
