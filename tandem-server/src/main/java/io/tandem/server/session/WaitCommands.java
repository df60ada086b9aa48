package io.tandem.server.session;

import io.tandem.core.model.Reply;
import io.tandem.core.protocol.Input;
import io.tandem.core.util.Ascii;
import io.tandem.server.net.ClientConnection;

/**
 * The commands about this connection's writes and the replicas: WAIT (Redis), TANDEM.LSN,
 * TANDEM.WAITLSN and TANDEM.MAXSTALENESS. The two that block are parsed here into core inputs; bad
 * arguments are answered at once.
 */
final class WaitCommands {
    private WaitCommands() {}

    /** Reply of a command that does not block; null when {@link #parse} is the one to use. */
    static Reply immediate(ClientConnection conn, String name, byte[][] args) {
        return switch (name) {
            case "tandem.lsn" -> conn.lastWriteLsn == 0 ? Reply.NULL
                    : Reply.bulk(conn.lastWriteTerm + ":" + conn.lastWriteLsn);
            case "tandem.maxstaleness" -> {
                long[] millis = new long[1];
                if (!Ascii.parseLong(args[1], millis) || millis[0] < 0) {
                    yield Reply.error("ERR staleness bound must be a non-negative integer of milliseconds");
                }
                conn.maxStalenessMillis = millis[0];
                yield Reply.OK;
            }
            default -> null;
        };
    }

    /**
     * WAIT numreplicas timeout and TANDEM.WAITLSN token timeout as core inputs; a reply with the error when
     * the arguments are bad is given to the connection directly (and null returned).
     */
    static Input parse(ClientConnection conn, String name, byte[][] args) {
        switch (name) {
            case "wait" -> {
                long[] n = new long[1];
                if (!Ascii.parseLong(args[1], n) || n[0] < Integer.MIN_VALUE || n[0] > Integer.MAX_VALUE) {
                    conn.reply(Reply.error("ERR value is not an integer or out of range"));
                    return null;
                }
                long[] timeout = new long[1];
                if (!Ascii.parseLong(args[2], timeout)) {
                    conn.reply(Reply.error("ERR timeout is not an integer or out of range"));
                    return null;
                }
                if (timeout[0] < 0) {
                    conn.reply(Reply.error("ERR timeout is negative"));
                    return null;
                }
                return new Input.Wait(conn, conn.id, conn.lastWriteLsn, (int) n[0], timeout[0]);
            }
            case "tandem.waitlsn" -> {
                String token = Ascii.string(args[1]);
                int colon = token.indexOf(':');
                long[] term = new long[1];
                long[] lsn = new long[1];
                long[] timeout = new long[1];
                if (colon < 0 || !Ascii.parseLong(Ascii.bytes(token.substring(0, colon)), term)
                        || !Ascii.parseLong(Ascii.bytes(token.substring(colon + 1)), lsn) || term[0] < 0 || lsn[0] < 0) {
                    conn.reply(Reply.error("ERR invalid token '" + token + "': expected term:lsn as TANDEM.LSN returns"));
                    return null;
                }
                if (!Ascii.parseLong(args[2], timeout) || timeout[0] < 0) {
                    conn.reply(Reply.error("ERR timeout must be a non-negative integer of milliseconds"));
                    return null;
                }
                return new Input.WaitLsn(conn, conn.id, term[0], lsn[0], timeout[0]);
            }
            default -> {
                return null;
            }
        }
    }
}
