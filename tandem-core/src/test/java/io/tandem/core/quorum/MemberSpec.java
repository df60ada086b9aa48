package io.tandem.core.quorum;

import io.tandem.core.model.NodeId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Member sets written as one line, so that a table row shows a whole cluster:
 * <pre>
 *   "a=5 b=9/7/3 c=4~ d=6! e=2~!"
 * </pre>
 * {@code name=LSN} is a connected voter with LSN at every level; {@code name=R/D/A} gives the received,
 * durable and applied LSNs; a trailing {@code ~} makes it non-voting, a trailing {@code !} disconnected.
 * The empty string is no member.
 */
final class MemberSpec {
    private MemberSpec() {}

    static Map<NodeId, Member> members(String spec) {
        Map<NodeId, Member> members = new LinkedHashMap<>();
        for (String item : spec.trim().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String name = item.substring(0, eq);
            String rest = item.substring(eq + 1);
            boolean voting = true;
            boolean connected = true;
            while (rest.endsWith("~") || rest.endsWith("!")) {
                if (rest.endsWith("~")) {
                    voting = false;
                } else {
                    connected = false;
                }
                rest = rest.substring(0, rest.length() - 1);
            }
            String[] lsns = rest.split("/");
            long received = Long.parseLong(lsns[0]);
            long durable = lsns.length == 3 ? Long.parseLong(lsns[1]) : received;
            long applied = lsns.length == 3 ? Long.parseLong(lsns[2]) : received;
            Member previous = members.put(NodeId.of(name), new Member(voting, connected, received, durable, applied));
            if (previous != null) {
                throw new IllegalArgumentException("member " + name + " twice in " + spec);
            }
        }
        return members;
    }

    /** The same notation back, for failure messages of generated cases. */
    static String show(Map<NodeId, Member> members) {
        StringBuilder out = new StringBuilder();
        members.forEach((id, m) -> {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(id).append('=').append(m.receivedLsn()).append('/').append(m.durableLsn()).append('/')
                    .append(m.appliedLsn()).append(m.voting() ? "" : "~").append(m.connected() ? "" : "!");
        });
        return out.toString();
    }
}
