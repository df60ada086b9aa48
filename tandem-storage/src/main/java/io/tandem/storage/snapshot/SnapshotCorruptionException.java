package io.tandem.storage.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file that fails verification; the message names the file, the byte offset and the problem. */
public final class SnapshotCorruptionException extends IOException {
    private final Path file;
    private final long offset;

    public SnapshotCorruptionException(Path file, long offset, String problem) {
        super(file + " at offset " + offset + ": " + problem);
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
