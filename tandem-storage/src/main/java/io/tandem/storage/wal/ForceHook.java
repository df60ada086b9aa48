package io.tandem.storage.wal;

import java.io.IOException;

/** Test seam: runs just before each data fdatasync, on the syncing thread (to hold a sync in flight). */
@FunctionalInterface
interface ForceHook {
    void beforeForce() throws IOException;
}
