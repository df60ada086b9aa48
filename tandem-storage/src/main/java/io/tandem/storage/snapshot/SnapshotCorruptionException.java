package io.tandem.storage.snapshot;

import io.tandem.storage.files.FileCorruptionException;
import java.nio.file.Path;

/** A snapshot file that fails verification; the message names the file, the byte offset and the problem. */
public final class SnapshotCorruptionException extends FileCorruptionException {
    public SnapshotCorruptionException(Path file, long offset, String problem) {
        super(file.toString(), file, offset, problem);
    }
}
