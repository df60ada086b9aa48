package io.tandem.server.session;

import io.tandem.server.metrics.ServerStats;
import io.tandem.server.net.ClientConnection;
import java.util.List;

/** Hands keyspace commands to the node's core; implemented by the agent. */
public interface CoreSubmitter {
    void submitCommand(ClientConnection conn, byte[][] args, ServerStats.CommandCounter counter);

    /** WAIT / TANDEM.WAITLSN: answered by the core when the condition holds or the timeout passes. */
    void submitWait(ClientConnection conn, io.tandem.core.protocol.Input input, ServerStats.CommandCounter counter);

    /** How far this node's reads may lag its leader (0 on a leader), for TANDEM.MAXSTALENESS. */
    long stalenessMillis();

    boolean leads();

    /**
     * Submits MULTI/EXEC: {@code coreCommands} run atomically in the core; {@code sessionPositions} and
     * {@code sessionReplies} place the replies of session commands (answered now) in the final array.
     */
    void submitTransaction(ClientConnection conn, List<byte[][]> coreCommands, int size, int[] sessionPositions,
            io.tandem.core.model.Reply[] sessionReplies, ServerStats.CommandCounter counter);
}
