package dev.tollgate.installations;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class CoreIsFrameworkFreeTest {

    @Test
    void theInstallationCoreUsesNeitherKafkaNorSpring() {
        var classes = new ClassFileImporter().withImportOption(
                ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(
                        "dev.tollgate.installations");

        noClasses().that().resideInAPackage("dev.tollgate.installations")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                        "org.springframework..", "okhttp3..")
                .check(classes);
    }
}
