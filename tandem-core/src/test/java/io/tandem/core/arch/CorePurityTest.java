package io.tandem.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * tandem-core must stay deterministic: equal state and equal inputs give equal outputs, so the simulator
 * can replay a seed exactly. It may therefore not touch files, sockets, threads, clocks, randomness
 * that it was not handed, or logging. These rules fail the build when its main code does.
 */
class CorePurityTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tandem.core");

    @Test
    void coreDoesNoIo() {
        ArchRule rule = noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("java.io..", "java.nio.file..", "java.nio.channels..", "java.net..",
                        "io.netty..", "org.slf4j..", "java.util.logging..", "java.lang.System$Logger")
                .because("the core is pure; the runtime does I/O for it");
        rule.check(CORE);
    }

    @Test
    void coreStartsNoThreadsAndTakesNoLocks() {
        ArchRule rule = noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("java.util.concurrent..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(ThreadLocal.class)
                .because("the core is single-threaded; the runtime owns threads");
        rule.check(CORE);
    }

    @Test
    void coreReadsNoClockAndNoHiddenRandomness() {
        ArchRule rule = noClasses().should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
                .orShould().callConstructor(java.util.Random.class)
                .orShould().callConstructor(java.security.SecureRandom.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.UUID.class)
                .because("time comes in as nowMillis and randomness from a seeded generator handed in");
        rule.check(CORE);
    }
}
