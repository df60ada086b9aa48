package io.tandem.storage.wal;

import java.io.IOException;

/**
 * The WAL failed to write or sync earlier and refuses all further work; the cause is the original error.
 * It is not retryable: the node must stop and recover from what is on disk.
 */
public final class WalFailedException extends IOException {
    public WalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
