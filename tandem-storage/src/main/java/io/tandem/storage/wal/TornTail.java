package io.tandem.storage.wal;

import java.nio.file.Path;
import java.util.List;

/**
 * A torn tail that recovery cut off: the first bad record was at {@code offset} in {@code file} and nothing
 * after it proved it had ever been synced.
 *
 * @param displayName the file relative to the data directory, e.g. {@code wal/00000000000000000001.seg}
 * @param problem what was wrong with the record at {@code offset}
 * @param bytesDiscarded bytes cut from {@code file} plus the sizes of the deleted later segments
 * @param deletedSegments later segments removed with the tail (they held only unsynced records)
 * @param segmentRemoved whether {@code file} itself was removed (a creation the crash interrupted)
 */
public record TornTail(Path file, String displayName, long offset, String problem, long bytesDiscarded,
                       List<Path> deletedSegments, boolean segmentRemoved) {
    public TornTail {
        deletedSegments = List.copyOf(deletedSegments);
    }
}
