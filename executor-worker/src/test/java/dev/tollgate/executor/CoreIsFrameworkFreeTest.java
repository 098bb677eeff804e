package dev.tollgate.executor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core (classification, auth, token cache, actions) is plain Java: adapters translate. */
class CoreIsFrameworkFreeTest {

    private final JavaClasses classes = new ClassFileImporter().withImportOption(
            ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.tollgate.executor");

    @Test
    void coreUsesNoSpringKafkaOkHttpOrResilience4j() {
        noClasses().that().resideInAPackage("dev.tollgate.executor.core..").should()
                .dependOnClassesThat().resideInAnyPackage("org.springframework..",
                        "org.apache.kafka..", "okhttp3..", "okio..", "io.github.resilience4j..")
                .check(classes);
    }

    @Test
    void coreDoesNotReachIntoAdapters() {
        noClasses().that().resideInAPackage("dev.tollgate.executor.core..").should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.executor.http..",
                        "dev.tollgate.executor.resilience..",
                        "dev.tollgate.executor.kafka..")
                .check(classes);
    }
}
