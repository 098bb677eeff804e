package dev.tollgate.audit.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.tollgate.audit.core", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

    @ArchTest
    static final ArchRule coreIsFreeOfFrameworks = noClasses().that().resideInAPackage(
            "dev.tollgate.audit.core..").should().dependOnClassesThat().resideInAnyPackage(
                    "org.springframework..", "org.apache.kafka..", "java.sql..", "javax.sql..",
                    "org.postgresql..", "org.flywaydb..", "jakarta..", "dev.tollgate.schemas..")
            .because("the audit chain is plain Java; adapters translate (STYLE.md: a pure core)");

    @ArchTest
    static final ArchRule coreDoesNotReachIntoAdapters = noClasses().that().resideInAPackage(
            "dev.tollgate.audit.core..").should().dependOnClassesThat().resideInAnyPackage(
                    "dev.tollgate.audit.postgres..", "dev.tollgate.audit.embedded..",
                    "dev.tollgate.audit.kafka..", "dev.tollgate.audit.cli..");
}
