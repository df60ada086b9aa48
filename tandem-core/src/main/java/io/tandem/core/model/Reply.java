package io.tandem.core.model;

import io.tandem.core.util.Ascii;
import java.util.List;

/**
 * A reply to a client, independent of the protocol version. The encoder writes each variant as RESP2 or
 * RESP3: a {@link MapReply} is a flat array in RESP2 and a map in RESP3, {@link NullBulk} is {@code $-1}
 * in RESP2 and {@code _} in RESP3, and so on.
 */
public sealed interface Reply {

    /** {@code +text}. */
    record Simple(String text) implements Reply {}

    /** {@code -text}; the text starts with Redis's error code, e.g. "ERR ...", "WRONGTYPE ...". */
    record Error(String text) implements Reply {}

    /** {@code :value}. */
    record Int(long value) implements Reply {}

    /** {@code $len bytes}. The array is not copied: stored values are immutable. */
    record Bulk(byte[] bytes) implements Reply {}

    /** A missing value: {@code $-1} in RESP2, {@code _} in RESP3. */
    record NullBulk() implements Reply {}

    /** A missing aggregate: {@code *-1} in RESP2, {@code _} in RESP3 (e.g. EXEC aborted). */
    record NullArray() implements Reply {}

    /** {@code *n ...}. */
    record Array(List<Reply> items) implements Reply {}

    /** Alternating keys and values: a map in RESP3, a flat array in RESP2. */
    record MapReply(List<Reply> keysAndValues) implements Reply {}

    /** A set in RESP3, an array in RESP2. */
    record SetReply(List<Reply> items) implements Reply {}

    /** A double in RESP3, a bulk string in RESP2. */
    record Double(double value) implements Reply {}

    /** A boolean in RESP3, the integer 1 or 0 in RESP2. */
    record Bool(boolean value) implements Reply {}

    /** A verbatim string ({@code =len txt:...}) in RESP3, a bulk string in RESP2 (INFO uses this). */
    record Verbatim(String format, byte[] text) implements Reply {}

    /**
     * Out-of-band data the server sends on its own (pub/sub messages and subscription confirmations): a push
     * ({@code >n}) in RESP3, an array in RESP2, where a client in subscribed mode reads it as Redis sends it.
     */
    record Push(List<Reply> items) implements Reply {}

    Reply OK = new Simple("OK");
    Reply QUEUED = new Simple("QUEUED");
    Reply PONG = new Simple("PONG");
    Reply NULL = new NullBulk();
    Reply NULL_ARRAY = new NullArray();
    Reply ZERO = new Int(0);
    Reply ONE = new Int(1);
    Reply EMPTY_ARRAY = new Array(List.of());

    static Reply integer(long value) {
        return value == 0 ? ZERO : value == 1 ? ONE : new Int(value);
    }

    static Reply bulk(byte[] bytes) {
        return bytes == null ? NULL : new Bulk(bytes);
    }

    static Reply bulk(String text) {
        return new Bulk(Ascii.bytes(text));
    }

    static Reply error(String text) {
        return new Error(text);
    }
}
