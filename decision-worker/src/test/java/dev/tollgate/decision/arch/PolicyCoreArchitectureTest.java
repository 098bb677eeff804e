package dev.tollgate.decision.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The policy core is plain Java: no Spring, Kafka, Jackson or Avro types. */
class PolicyCoreArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter().withImportOption(
            ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.tollgate.decision");

    @Test
    void thePolicyCoreUsesNoFrameworks() {
        noClasses().that().resideInAPackage("dev.tollgate.decision.policy").should()
                .dependOnClassesThat().resideInAnyPackage("org.springframework..",
                        "org.apache.kafka..", "tools.jackson..", "com.fasterxml..",
                        "org.apache.avro..", "dev.tollgate.events..", "org.slf4j..")
                .check(classes);
    }

    @Test
    void thePolicyCoreDoesNotDependOnItsAdapters() {
        noClasses().that().resideInAPackage("dev.tollgate.decision.policy").should()
                .dependOnClassesThat().resideInAnyPackage("dev.tollgate.decision.policy.load..",
                        "dev.tollgate.decision.kafka..")
                .check(classes);
    }

    @Test
    void theLoaderUsesNoSpringOrKafka() {
        noClasses().that().resideInAPackage("dev.tollgate.decision.policy.load..").should()
                .dependOnClassesThat().resideInAnyPackage("org.springframework..",
                        "org.apache.kafka..")
                .allowEmptyShould(true).check(classes);
    }
}
