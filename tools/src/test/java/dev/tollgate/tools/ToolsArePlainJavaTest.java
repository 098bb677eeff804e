package dev.tollgate.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The tool definitions are read by every role: plain Java, nothing else. */
@AnalyzeClasses(packages = "dev.tollgate.tools", importOptions = ImportOption.DoNotIncludeTests.class)
class ToolsArePlainJavaTest {

    @ArchTest
    static final ArchRule onlyJavaAndItself = classes().that().resideInAPackage(
            "dev.tollgate.tools..").should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "dev.tollgate.tools..")
            .because("every role reads the one definition of each tool; it must not drag a"
                    + " framework into any of them");
}
