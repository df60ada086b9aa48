package io.tandem.core.protocol;

import io.tandem.core.model.Message;
import java.util.List;

/** Everything that can happen to a protocol: the only way the world reaches the core. */
public sealed interface Input {

    /** Time passed: run timers (active expiry, heartbeats, acknowledgement timeouts). */
    record Tick() implements Input {}

    /** One command from a client, already checked for existence and arity by the session. */
    record ClientCommand(ClientRef client, long requestId, byte[][] args) implements Input {}

    /** MULTI ... EXEC: the queued commands, executed atomically as one log entry. */
    record ClientTransaction(ClientRef client, long requestId, List<byte[][]> commands) implements Input {}

    /** The local log is durable (under the fsync policy) up to and including this LSN. */
    record Persisted(long durableLsn) implements Input {}

    /** A message from another node. */
    record PeerMessage(Message message) implements Input {}

    Tick TICK = new Tick();
}
