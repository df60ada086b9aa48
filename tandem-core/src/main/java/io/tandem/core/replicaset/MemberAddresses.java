package io.tandem.core.replicaset;

import io.tandem.core.model.NodeId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The client addresses of the members ("ip:port", opaque here), as this node knows them: its own (announced by
 * the runtime), each follower's (from its Subscribe, or relayed up a chain), and the leader's directory (every
 * address the leader knows, in each of its requests). Followers' monitoring (INFO, SENTINEL REPLICAS) shows
 * them; a deposed leader names the new one's in its errors. Part of the core: no I/O.
 */
final class MemberAddresses {
    private final NodeId self;
    private final Map<NodeId, String> byMember = new TreeMap<>();
    private final Map<NodeId, String> view = Collections.unmodifiableMap(byMember);
    /** This node's own address ("" until the runtime announces it). */
    private String own = "";
    /**
     * {@link #directory()} as last built; null once an address changed. A leader puts it in every request to
     * every follower: built once per change, not once per request.
     */
    private String directory;

    MemberAddresses(NodeId self) {
        this.self = self;
    }

    /** This node's own client address, which it tells its peers. */
    void announce(String address) {
        own = address;
        put(self, address);
    }

    String own() {
        return own;
    }

    void put(NodeId member, String address) {
        String before = byMember.put(member, address);
        if (!address.equals(before)) {
            directory = null;
        }
    }

    /** The member's address, or "" if unknown. */
    String of(NodeId member) {
        return byMember.getOrDefault(member, "");
    }

    /** Every address known, by member (read-only, live). */
    Map<NodeId, String> all() {
        return view;
    }

    /** Forgets the addresses of those no longer members: clients must not be sent to them. */
    void keepOnly(Predicate<NodeId> member) {
        if (byMember.keySet().removeIf(id -> !id.equals(self) && !member.test(id))) {
            directory = null;
        }
    }

    /** "n1=ip:port,n2=ip:port": what a leader's requests tell every follower. */
    String directory() {
        if (directory == null) {
            StringBuilder sb = new StringBuilder();
            byMember.forEach((id, address) -> {
                if (!address.isEmpty()) {
                    sb.append(sb.isEmpty() ? "" : ",").append(id).append('=').append(address);
                }
            });
            directory = sb.toString();
        }
        return directory;
    }

    /** Takes the addresses of other members from a leader's directory; skips what names no member. */
    void learn(String directory, Predicate<NodeId> member) {
        if (directory.isEmpty()) {
            return;
        }
        for (String item : directory.split(",")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                try {
                    NodeId id = NodeId.of(item.substring(0, eq));
                    if (!id.equals(self) && member.test(id)) {
                        put(id, item.substring(eq + 1));
                    }
                } catch (IllegalArgumentException ignored) {
                    // a malformed entry names no member: skip it
                }
            }
        }
    }

    /**
     * Does a leader's directory miss our address, or give another (we came back on another client port)? Then
     * the leader cannot show us to clients and must be told. False while we announced nothing or the directory
     * is empty (a leader that knows no addresses yet).
     */
    boolean missingFrom(String directory) {
        if (directory.isEmpty() || own.isEmpty()) {
            return false;
        }
        String entry = self.name() + "=" + own;
        return !(directory.equals(entry) || directory.startsWith(entry + ",") || directory.endsWith("," + entry)
                || directory.contains("," + entry + ","));
    }
}
