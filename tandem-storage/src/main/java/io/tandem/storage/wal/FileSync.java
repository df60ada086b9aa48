package io.tandem.storage.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fsync of a directory. Creating, renaming, truncating or deleting a file changes the directory or the
 * inode; fdatasync of the file's data does not make a new name durable, so after such a change the
 * directory itself is synced (on Linux, opening it read-only and calling fsync works).
 */
final class FileSync {
    private FileSync() {}

    static void directory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
