package io.tandem.storage.wal;

import java.nio.file.Path;

/**
 * One segment of the log as the WAL tracks it: its file, the LSN its name carries, and the sparse index of
 * where its records start. Lives in the segment map (first LSN -> segment) from creation until the segment
 * is deleted; readers on other threads find it there.
 */
record Segment(Path path, long firstLsn, SparseIndex index) {}
