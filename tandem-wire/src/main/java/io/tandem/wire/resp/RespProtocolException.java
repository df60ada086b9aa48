package io.tandem.wire.resp;

/**
 * A client sent bytes that are not a valid request (or a server sent bytes that are not a valid reply).
 * The message is Redis's text without the "ERR " prefix, e.g. "Protocol error: invalid bulk length"; the
 * server replies {@code -ERR <message>} (see {@link #replyText()}) and closes the connection, because after
 * a framing error it can no longer tell where the next request starts.
 *
 * <p>Unchecked, so that decoders can be called from callbacks (a Netty handler) without wrapping. It
 * carries no stack trace: any client can provoke one at will, so it must be cheap, and the message alone
 * says what happened.
 */
public final class RespProtocolException extends RuntimeException {

    public RespProtocolException(String message) {
        super(message, null, false, false);
    }

    /** The text of the error reply: "ERR " followed by the message. */
    public String replyText() {
        return "ERR " + getMessage();
    }
}
