package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The log holds damage that cannot be a torn write: data that had been synced was changed afterwards, a
 * segment is missing, or records contradict each other. Start-up must stop; serving past this point would
 * silently drop or invent acknowledged writes. The message names the file, the byte offset and the problem.
 */
public final class WalCorruptionException extends IOException {
    private final Path file;
    private final long offset;

    public WalCorruptionException(String displayName, Path file, long offset, String problem) {
        super(displayName + " at offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
