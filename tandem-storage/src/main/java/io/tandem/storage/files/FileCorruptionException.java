package io.tandem.storage.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that fails verification. What the WAL and snapshots share: the message names the file (as the
 * operator should look for it), the byte offset and the problem, so that start-up can say exactly where.
 */
public abstract class FileCorruptionException extends IOException {
    private final Path file;
    private final long offset;

    protected FileCorruptionException(String displayName, Path file, long offset, String problem) {
        super(displayName + " at offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public final Path file() {
        return file;
    }

    public final long offset() {
        return offset;
    }
}
