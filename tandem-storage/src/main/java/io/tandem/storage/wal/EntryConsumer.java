package io.tandem.storage.wal;

import io.tandem.core.model.Entry;

/** Receives the entries recovery replays, in LSN order; an exception it throws aborts recovery. */
@FunctionalInterface
public interface EntryConsumer {
    void accept(Entry entry);
}
