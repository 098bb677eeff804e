package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The READMEs' tool, tier and error-code tables are the catalogue's: a copy that differs fails.
 * After a deliberate change, run with {@code UPDATE_DOCS=true} and review the diff.
 */
class ToolDocsTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theRootReadmesToolTableIsTheCatalogues() throws IOException {
        assertSection(ROOT.resolve("README.md"), "tools", ToolDocs.toolsTable());
    }

    @Test
    void theRootReadmesErrorCodeTableIsTheCatalogues() throws IOException {
        assertSection(ROOT.resolve("README.md"), "error-codes", ToolDocs.errorCodesTable());
    }

    @Test
    void theDecisionWorkerReadmesTierTableIsTheCatalogues() throws IOException {
        assertSection(ROOT.resolve("decision-worker/README.md"), "tiers", ToolDocs.tiersTable());
    }

    @Test
    void everyToolAppearsInTheToolTable() {
        for (Tool tool : Tool.values()) {
            assertThat(ToolDocs.toolsTable()).contains("| `" + tool.toolName() + "` |");
        }
    }

    private static void assertSection(Path file, String name, String expected)
            throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Pattern section = Pattern.compile("(<!-- " + name + ":begin[^>]*-->\\n)(.*?)(<!-- "
                + name + ":end -->)", Pattern.DOTALL);
        Matcher matcher = section.matcher(text);
        if (!matcher.find()) {
            fail(file + " has no <!-- " + name + ":begin --> ... <!-- " + name + ":end -->"
                    + " section for the generated table");
        }
        if ("true".equalsIgnoreCase(System.getenv("UPDATE_DOCS"))) {
            Files.writeString(file, text.substring(0, matcher.start(2)) + expected + text
                    .substring(matcher.end(2)), StandardCharsets.UTF_8);
            return;
        }
        assertThat(matcher.group(2)).as("the %s table in %s differs from the catalogue; rerun"
                + " with UPDATE_DOCS=true and review the diff", name, file).isEqualTo(expected);
    }
}
