package io.tandem.wire.peer;

/** A peer frame that cannot be decoded: the connection to that peer is closed and re-established. */
public final class PeerProtocolException extends RuntimeException {
    public PeerProtocolException(String message) {
        super(message, null, false, false);
    }
}
