package io.tandem.core.replicaset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.core.model.NodeId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The members' client addresses: the leader's directory, what a follower learns from it, and what it misses. */
class MemberAddressesTest {
    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final NodeId N3 = NodeId.of("n3");

    @Test
    void directoryListsKnownAddressesAndFollowsEveryChange() {
        MemberAddresses addresses = new MemberAddresses(N1);
        assertEquals("", addresses.directory());
        addresses.announce("10.0.0.1:7001");
        addresses.put(N3, "10.0.0.3:7003");
        addresses.put(N2, ""); // subscribed before its runtime knew its port: not listed
        assertEquals("n1=10.0.0.1:7001,n3=10.0.0.3:7003", addresses.directory());
        addresses.put(N2, "10.0.0.2:7002");
        assertEquals("n1=10.0.0.1:7001,n2=10.0.0.2:7002,n3=10.0.0.3:7003", addresses.directory());
        addresses.put(N3, "10.0.0.3:7333"); // came back on another port
        assertEquals("n1=10.0.0.1:7001,n2=10.0.0.2:7002,n3=10.0.0.3:7333", addresses.directory());
        addresses.keepOnly(id -> !id.equals(N2)); // n2 removed from the members
        assertEquals("n1=10.0.0.1:7001,n3=10.0.0.3:7333", addresses.directory());
        addresses.keepOnly(id -> false); // our own address stays, member or not
        assertEquals("n1=10.0.0.1:7001", addresses.directory());
    }

    @Test
    void followerLearnsOtherMembersOnlyAndSkipsMalformedItems() {
        MemberAddresses addresses = new MemberAddresses(N2);
        addresses.announce("10.0.0.2:7002");
        addresses.learn("n1=10.0.0.1:7001,n2=10.0.0.9:9999,n9=10.0.0.9:7009,=x,n!=bad,n3=10.0.0.3:7003",
                Set.of(N1, N2, N3)::contains);
        assertEquals(Map.of(N1, "10.0.0.1:7001", N2, "10.0.0.2:7002", N3, "10.0.0.3:7003"), addresses.all());
        assertEquals("", addresses.of(NodeId.of("n9")));
    }

    @Test
    void missingFromSaysWhenTheLeaderMustBeToldOurAddress() {
        MemberAddresses addresses = new MemberAddresses(N2);
        assertFalse(addresses.missingFrom("n1=a:1"), "nothing announced yet: nothing to tell");
        addresses.announce("10.0.0.2:7002");
        assertFalse(addresses.missingFrom(""), "a leader that lists no one yet");
        assertFalse(addresses.missingFrom("n2=10.0.0.2:7002"));
        assertFalse(addresses.missingFrom("n1=a:1,n2=10.0.0.2:7002"));
        assertFalse(addresses.missingFrom("n2=10.0.0.2:7002,n3=c:3"));
        assertFalse(addresses.missingFrom("n1=a:1,n2=10.0.0.2:7002,n3=c:3"));
        assertTrue(addresses.missingFrom("n1=a:1,n3=c:3"));
        assertTrue(addresses.missingFrom("n1=a:1,n2=10.0.0.2:70021"), "another port that starts like ours");
        assertTrue(addresses.missingFrom("n22=10.0.0.2:7002"), "another member whose name ends like ours");
    }
}
