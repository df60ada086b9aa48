package io.tandem.storage.wal;

import io.tandem.storage.files.FileCorruptionException;
import java.nio.file.Path;

/**
 * The log holds damage that cannot be a torn write: data that had been synced was changed afterwards, a
 * segment is missing, or records contradict each other. Start-up must stop; serving past this point would
 * silently drop or invent acknowledged writes. The message names the file, the byte offset and the problem.
 */
public final class WalCorruptionException extends FileCorruptionException {
    public WalCorruptionException(String displayName, Path file, long offset, String problem) {
        super(displayName, file, offset, problem);
    }
}
