package dev.tollgate.ingress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The core (tool catalogue, validation, tokens, reply book) is plain Java. */
@AnalyzeClasses(packages = "dev.tollgate.ingress", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreIsFreeOfFrameworks = noClasses().that()
            .resideInAPackage("dev.tollgate.ingress.core..").should().dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "org.apache.kafka..",
                    "io.modelcontextprotocol..", "jakarta.servlet..", "tools.jackson..",
                    "com.fasterxml.jackson..", "reactor..", "okhttp3..",
                    "io.github.resilience4j..")
            .because("the core is plain Java, tested directly; adapters translate");

    @ArchTest
    static final ArchRule coreDoesNotDependOnAdapters = noClasses().that()
            .resideInAPackage("dev.tollgate.ingress.core..").should().dependOnClassesThat()
            .resideInAnyPackage("dev.tollgate.ingress.mcp..", "dev.tollgate.ingress.kafka..",
                    "dev.tollgate.ingress.web..", "dev.tollgate.ingress.config..");
}
