package io.tandem.core.keyspace;

import io.tandem.core.model.Reply;

/** Commands of Tandem's own, prefixed "TANDEM.". */
final class TandemCommands {
    private TandemCommands() {}

    /** TANDEM.DIGEST: a 64-bit hash of every key, type, value and expiry (expired keys not yet deleted included: the digest is of the replicated state, not of one clock's view), as 16 hex digits. */
    static Reply digest(CommandContext ctx, byte[][] args) {
        return Reply.bulk(String.format("%016x", KeyspaceDigest.of(ctx.keyspace())));
    }
}
