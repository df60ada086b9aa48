package io.tandem.server.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set size, read from /proc (Linux); 0 where that is not available. */
public final class ProcessMemory {
    private ProcessMemory() {}

    private static final long PAGE_BYTES = 4096;

    public static long residentBytes() {
        try {
            String statm = Files.readString(Path.of("/proc/self/statm"));
            String[] fields = statm.trim().split("\\s+");
            return Long.parseLong(fields[1]) * PAGE_BYTES;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
