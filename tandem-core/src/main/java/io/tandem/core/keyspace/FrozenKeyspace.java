package io.tandem.core.keyspace;

import java.util.function.Consumer;

/**
 * Every key of a keyspace as it was when {@link Keyspace#freeze()} was called. Nothing in it changes
 * afterwards, so another thread may iterate it (the snapshot writer) while the owner keeps writing.
 */
public final class FrozenKeyspace {
    private final KeyTable.Frozen frozen;

    FrozenKeyspace(KeyTable.Frozen frozen) {
        this.frozen = frozen;
    }

    public int size() {
        return frozen.size();
    }

    public void forEach(Consumer<KeyEntry> action) {
        frozen.forEach(action);
    }

    /** Every key, pulled one at a time (the snapshot writer encodes as it goes). */
    public java.util.Iterator<KeyEntry> iterator() {
        return frozen.iterator();
    }
}
