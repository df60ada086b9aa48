package io.tandem.core.log;

/** An encoded entry that cannot be decoded; {@code offset} is the byte offset within the payload. */
public final class CorruptEntryException extends RuntimeException {
    private final int offset;

    public CorruptEntryException(String message, int offset) {
        super(message + " at payload offset " + offset);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
