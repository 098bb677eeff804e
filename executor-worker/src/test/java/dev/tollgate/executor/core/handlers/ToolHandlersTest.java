package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.tools.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry walks the whole catalogue: one handler per tool that reaches GitHub, no more. */
class ToolHandlersTest {

    @Test
    void everyToolThatReachesGitHubHasExactlyOneHandlerAndNoOtherToolHasOne() {
        for (Tool tool : Tool.values()) {
            assertThat(ToolHandlers.of(tool).isPresent()).as(tool.toolName()).isEqualTo(tool
                    .reachesGitHub());
        }
        assertThat(ToolHandlers.all().keySet()).allMatch(Tool::reachesGitHub);
    }

    @Test
    void aToolRegisteredByTwoAreasIsRefused() {
        ToolHandler one = call -> null;

        assertThatThrownBy(() -> ToolHandlers.register(List.of(Map.of(Tool.GET_FILE, one), Map
                .of(Tool.GET_FILE, one)))).isInstanceOf(IllegalStateException.class)
                .hasMessage("get_file has two handlers");
    }

    @Test
    void theReadmesToolTableDescribesExactlyTheHandledTools() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("## Tools"));
        section = section.substring(0, section.indexOf("\n## ", 3) < 0
                ? section.length()
                : section.indexOf("\n## ", 3));
        Matcher rows = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(section);
        Set<String> described = new TreeSet<>();
        while (rows.find()) {
            described.add(rows.group(1));
        }

        assertThat(described).as("tools in executor-worker/README.md's Tools table").isEqualTo(
                new TreeSet<>(ToolHandlers.all().keySet().stream().map(Tool::toolName).toList()));
    }
}
