package io.tandem.storage.wal;

import io.tandem.storage.wal.SegmentName.SegmentFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Physically removes a torn tail so that it cannot resurface: later segments are deleted newest first, the
 * directory synced, then the damaged segment is cut at the bad record (or deleted, if its header was the
 * torn part) and synced. A crash during repair leaves a state from which recovery reaches the same verdict.
 */
final class TailRepair {
    private static final System.Logger LOG = System.getLogger(TailRepair.class.getName());

    private TailRepair() {}

    /**
     * Cuts {@code segments.get(index)} at {@code offset} (removes it when {@code removeSegment}) and deletes
     * every later segment.
     */
    static TornTail cut(Path walDir, List<SegmentFile> segments, int index, long offset, String problem,
                        boolean removeSegment, String displayName) throws IOException {
        Path file = segments.get(index).path();
        long discarded = Files.size(file) - (removeSegment ? 0 : offset);
        List<Path> deleted = new ArrayList<>();
        for (int i = segments.size() - 1; i > index; i--) {
            Path later = segments.get(i).path();
            discarded += Files.size(later);
            Files.delete(later);
            deleted.add(later);
        }
        if (!deleted.isEmpty()) {
            // Before cutting: if the deletions could come back after a crash while the cut stayed, the log
            // would have a hole between the cut end and the resurrected segment.
            FileSync.directory(walDir);
        }
        if (removeSegment) {
            Files.delete(file);
            FileSync.directory(walDir);
        } else {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(offset);
                channel.force(true); // the size is metadata
            }
        }
        TornTail torn = new TornTail(file, displayName, offset, problem, discarded, deleted, removeSegment);
        String verdict = removeSegment
                ? "it holds no valid record, so the crash interrupted its creation: removed the segment"
                : "nothing after it proves it was ever synced: truncated the file there";
        LOG.log(System.Logger.Level.WARNING, "wal: torn tail in " + displayName + " at offset " + offset + ": "
                + problem + "; " + verdict + " (" + discarded + " bytes discarded"
                + (deleted.isEmpty() ? "" : ", " + deleted.size() + " later segments deleted") + ")");
        return torn;
    }
}
