package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `tandem aot` refuses before it starts anything. (The training itself needs the distribution jar, which
 * the JDK's AOT cache requires as its classpath: it is run by the bench scripts and measured in
 * docs/benchmarks.md.)
 */
class AotCommandTest {
    @TempDir
    Path dir;

    @Test
    void refusesBadInputBeforeStartingAnyNode() {
        CliRun run = new CliRun();
        assertEquals(2, run.tandem("aot", "--writes", "0", "--out", dir.resolve("x.aot").toString()));
        String err = run.err.toString();
        if (Runtime.version().feature() >= AotCommand.MIN_JDK) {
            assertTrue(err.contains("--writes must be 1..10000000, got 0"), err);
        } else {
            assertTrue(err.contains("needs JDK 25 or newer"), err);
        }

        CliRun nowhere = new CliRun();
        assertEquals(2, nowhere.tandem("aot", "--out", dir.resolve("missing").resolve("x.aot").toString()));
        assertTrue(nowhere.err.toString().contains(Runtime.version().feature() >= AotCommand.MIN_JDK
                ? "cannot write the cache into" : "needs JDK 25"), nowhere.err.toString());
    }

    @Test
    void theDefaultCacheIsBesideTheJarNamedAfterTheJdkAsBinTandemLooksForIt() {
        // Under surefire the classpath is directories and jars: no single jar to put the cache beside.
        assertNull(AotCommand.defaultCache());
        String version = AotCommand.jdkVersion();
        assertTrue(version.matches("\\d+(\\.\\d+)*"), version);
        assertTrue(version.startsWith(Integer.toString(Runtime.version().feature())), version);
    }
}
