package io.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `tandem aot` refuses before it starts anything, and that it names the cache as bin/tandem looks for it.
 * (The training itself needs the distribution jar, which the JDK's AOT cache requires as its classpath: it is
 * run by the bench scripts and measured in docs/benchmarks.md.)
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
    void theCacheIsNamedAsBinTandemLooksForIt() throws Exception {
        // Under surefire the classpath is directories and jars: no single jar to put the cache beside.
        assertNull(AotCommand.defaultCache());
        // bin/jvm-options' aot_cache names it from the JDK's release file; this JVM from Runtime.version(). A
        // cache written under one name and looked for under the other would never be used.
        Path jar = dir.resolve("tandem.jar");
        Path jvmOptions = Path.of("..", "bin", "jvm-options").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "source \"$1\" && aot_cache \"$2\"", "bash",
                jvmOptions.toString(), jar.toString()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JDK running this test
        Process bash = builder.start();
        String named = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, bash.waitFor());
        assertEquals(AotCommand.cacheFor(jar).toString(), named);
    }
}
