package io.tandem.server.agent;

import io.tandem.core.model.Membership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The membership a snapshot records, in its header's configuration bytes: the text form
 * ({@link Membership#encode}), US-ASCII. A node bootstrapped from a snapshot learns from it who the members
 * are; a node recovering from one starts from it. Snapshots written before memberships changed at run time
 * have no bytes there: they record none.
 */
public final class SnapshotMembership {
    private SnapshotMembership() {}

    public static byte[] encode(Membership membership) {
        return membership.encode().getBytes(StandardCharsets.US_ASCII);
    }

    /** The membership recorded, null when none is; an IOException naming the file when it does not parse. */
    public static Membership decode(byte[] configuration, Object file) throws IOException {
        if (configuration.length == 0) {
            return null;
        }
        try {
            return Membership.parse(new String(configuration, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IOException("snapshot " + file + ": the membership in its header does not parse: "
                    + e.getMessage(), e);
        }
    }
}
