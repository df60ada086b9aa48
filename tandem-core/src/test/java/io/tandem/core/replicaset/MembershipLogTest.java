package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.Effect;
import io.tandem.core.model.Entry;
import io.tandem.core.model.Membership;
import io.tandem.core.model.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memberships a log holds: where each is in force, and how they go back with the log. */
class MembershipLogTest {
    static final Membership THREE = Membership.parse("n1=,n2=,n3=");
    static final Membership FOUR = Membership.parse("n1=,n2=,n3=,n4=");
    static final Membership NO_N2 = Membership.parse("n1=,n3=,n4=");

    private static Entry change(long lsn, Membership to) {
        return new Entry(1, lsn, 0, List.of(new Effect.Reconfigure(to)));
    }

    private static Entry write(long lsn) {
        return new Entry(1, lsn, 0, List.of());
    }

    @Test
    void aChangeIsInForceFromItsEntryOnAndGoesWithATruncatedSuffix() {
        MemoryLog log = new MemoryLog();
        log.append(write(1));
        log.append(change(2, FOUR));
        log.append(write(3));
        log.append(change(4, NO_N2));
        MembershipLog memberships = MembershipLog.scan(THREE, 0, log);
        assertEquals(NO_N2, memberships.latest());
        assertEquals(THREE, memberships.at(1));
        assertEquals(FOUR, memberships.at(3));
        assertEquals(2, memberships.memberSinceLsn(NodeId.of("n4")));
        assertEquals(0, memberships.memberSinceLsn(NodeId.of("n1")));
        assertEquals(-1, memberships.memberSinceLsn(NodeId.of("n2")));
        assertTrue(memberships.truncateAfter(3));
        assertEquals(FOUR, memberships.latest());
    }

    /**
     * Found by the simulator (seeds 2004103, 2040747): a node started from a snapshot at 31 was rewound to 0
     * (its snapshot held a deposed leader's entries). Cut after 0, its memberships kept the snapshot's at 31,
     * and changes the leader sent again at lower LSNs were ignored as older than the base. Rebuilt from where
     * the runtime rebuilt the keys (here the start), they are read again from the log.
     */
    @Test
    void aRewindPastTheSnapshotTheMembershipsStartFromReadsThemAgainFromTheRebuiltLog() {
        MemoryLog empty = new MemoryLog();
        empty.restartAfter(31, 1);
        MembershipLog memberships = MembershipLog.scan(NO_N2, 31, empty);
        MemoryLog rebuilt = new MemoryLog();
        assertTrue(memberships.rebuild(THREE, 0, rebuilt, 0));
        assertEquals(THREE, memberships.latest());
        rebuilt.append(write(1));
        rebuilt.append(change(2, FOUR));
        assertTrue(memberships.observe(rebuilt.entries.get(1)), "LSN 2 is after the base now");
        assertEquals(FOUR, memberships.latest());
    }
}
