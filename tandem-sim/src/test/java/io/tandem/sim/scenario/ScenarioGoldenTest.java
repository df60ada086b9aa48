package io.tandem.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scenario's transcript equals its golden file, src/test/resources/scenarios/NAME.txt, exactly: a change
 * to the protocol or to the timeline shows up here as a diff a reviewer can read. When the change is meant,
 * {@code -Dtandem.rewrite=true} writes the files anew (and the test says which), to be reviewed in the commit.
 */
class ScenarioGoldenTest {
    /** Read and written in the source tree (surefire runs in the module directory), not on the class path. */
    private static final Path GOLDEN_DIR = Path.of("src", "test", "resources", "scenarios");

    @TestFactory
    Stream<DynamicTest> everyScenarioMatchesItsGoldenTranscript() {
        boolean rewrite = Boolean.getBoolean("tandem.rewrite");
        return Scenarios.all().stream().map(scenario -> DynamicTest.dynamicTest(scenario.name(), () -> {
            String actual = Transcript.of(scenario, ScenarioRunner.run(scenario));
            Path golden = GOLDEN_DIR.resolve(scenario.name() + ".txt");
            if (rewrite) {
                Files.createDirectories(GOLDEN_DIR);
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
                System.out.println("tandem.rewrite=true: rewrote " + golden.toAbsolutePath());
                return;
            }
            if (!Files.exists(golden)) {
                fail("no golden transcript " + golden + "; write it with -Dtandem.rewrite=true and review it");
            }
            String expected = Files.readString(golden, StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                fail("scenario " + scenario.name() + " differs from " + golden
                        + " (if the change is meant: -Dtandem.rewrite=true, then review the diff)\n"
                        + LineDiff.of(expected, actual));
            }
        }));
    }

    /** No golden file without a scenario: a renamed scenario must not leave its old transcript behind. */
    @Test
    void everyGoldenFileHasAScenario() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN_DIR)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
                assertEquals(true, Scenarios.named(name).isPresent(), file + " belongs to no scenario");
            }
        }
    }

    @Test
    void aScenarioRunsTheSameTwice() {
        for (Scenario scenario : Scenarios.all()) {
            assertEquals(Transcript.of(scenario, ScenarioRunner.run(scenario)),
                    Transcript.of(scenario, ScenarioRunner.run(scenario)), scenario.name());
        }
    }
}
