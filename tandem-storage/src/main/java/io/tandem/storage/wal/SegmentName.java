package io.tandem.storage.wal;

import io.tandem.storage.files.LsnFileName;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Segment file names: {@code <first LSN, 20 digits zero-padded>.seg}, e.g. {@code 00000000000000000001.seg}.
 * Twenty digits hold any u64 below 10^20 (Long.MAX_VALUE has 19), so names sort by LSN as strings too.
 * Preallocated spares, not yet part of the log, are named {@code spare-<n>.prealloc}.
 */
final class SegmentName {
    private SegmentName() {}

    static final String WAL_DIRECTORY = "wal";
    static final String SEGMENT_SUFFIX = ".seg";
    static final String SPARE_SUFFIX = ".prealloc";
    private static final LsnFileName SEGMENT = new LsnFileName("", SEGMENT_SUFFIX);

    static String of(long firstLsn) {
        return SEGMENT.of(firstLsn);
    }

    /** The first LSN in a segment file name, or -1 if the name is not a segment's. */
    static long firstLsnOf(String fileName) {
        return SEGMENT.lsnOf(fileName);
    }

    /** How messages name a segment: relative to the data directory, e.g. {@code wal/00000000000000000001.seg}. */
    static String display(Path file) {
        return WAL_DIRECTORY + "/" + file.getFileName();
    }

    /** A segment file and the first LSN in its name. */
    record SegmentFile(Path path, long firstLsn) {}

    /** The segments in {@code walDir}, by first LSN; other files are returned in {@code others}. */
    static List<SegmentFile> list(Path walDir, List<Path> others) throws IOException {
        List<SegmentFile> segments = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(walDir)) {
            for (Path file : files) {
                long firstLsn = firstLsnOf(file.getFileName().toString());
                if (firstLsn >= 0 && Files.isRegularFile(file)) {
                    segments.add(new SegmentFile(file, firstLsn));
                } else {
                    others.add(file);
                }
            }
        }
        segments.sort(Comparator.comparingLong(SegmentFile::firstLsn));
        return segments;
    }
}
