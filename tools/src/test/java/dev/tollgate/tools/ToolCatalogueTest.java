package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

class ToolCatalogueTest {

    private final ToolCatalogue catalogue = ToolCatalogue.standard();

    @Test
    void hasExactlyOneToolPerConstantInDeclarationOrder() {
        assertThat(catalogue.names()).containsExactlyElementsOf(Arrays.stream(Tool.values())
                .map(Tool::toolName).toList());
    }

    @Test
    void stillOffersEveryToolUsersWereToldAbout() {
        // shipped tools are kept stable: new tools are added, none is removed or renamed
        assertThat(catalogue.names()).contains("status", "read_repo",
                "get_file", "list_pull_requests", "github_api_get", "create_issue", "create_pr",
                "create_pull_request_comment", "create_check_run", "create_pending_review",
                "create_branch", "push_files", "get_request_status");
    }

    @Test
    void aNameNoToolHasFindsNoTool() {
        // names arrive from agents and from records on the wire: none may find a tool by accident
        assertThat(Tool.byToolName(null)).isEmpty();
        assertThat(Tool.byToolName("")).isEmpty();
        assertThat(Tool.byToolName("GET_FILE")).isEmpty();
        assertThat(Tool.byToolName("get_file ")).isEmpty();
        assertThat(Tool.byToolName("get_file")).contains(Tool.GET_FILE);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyToolHasConsistentMetadata() {
        SoftAssertions softly = new SoftAssertions();
        for (ToolDefinition tool : catalogue.tools()) {
            String name = tool.name();
            Tool action = tool.tool();
            softly.assertThat(name).as("%s name", name).matches("[a-z][a-z_]{1,63}");
            softly.assertThat(Tool.byToolName(name)).as("%s action", name)
                    .contains(action);
            softly.assertThat(tool.title()).as("%s title", name).isNotBlank();
            softly.assertThat(tool.description()).as("%s description", name).isNotBlank()
                    .hasSizeLessThan(400);
            softly.assertThat(tool.permissions()).as("%s permissions", name)
                    .isEqualTo(action.permissions());
            switch (action.kind()) {
                case LOCAL -> {
                    softly.assertThat(tool.permissions()).as("%s local: no permissions", name)
                            .isEmpty();
                    softly.assertThat(tool.readOnly()).as("%s local: read-only", name).isTrue();
                    softly.assertThat(tool.openWorld()).as("%s local: closed world", name)
                            .isFalse();
                }
                case READ -> {
                    softly.assertThat(tool.readOnly()).as("%s read: readOnlyHint", name)
                            .isTrue();
                    softly.assertThat(tool.destructive()).as("%s read: not destructive", name)
                            .isFalse();
                    softly.assertThat(tool.idempotent()).as("%s read: idempotent", name)
                            .isTrue();
                    softly.assertThat(tool.permissions().values()).as("%s read: read only",
                            name).containsOnly("read");
                }
                case WRITE -> {
                    softly.assertThat(tool.readOnly()).as("%s write: not read-only", name)
                            .isFalse();
                    softly.assertThat(tool.permissions()).as("%s write: some permission", name)
                            .containsValue("write");
                }
            }
            if (!tool.local()) {
                softly.assertThat(tool.openWorld()).as("%s reaches GitHub", name).isTrue();
            }
            Map<String, Object> schema = tool.inputSchema();
            softly.assertThat(schema).as("%s schema", name).containsEntry("type", "object")
                    .containsEntry("additionalProperties", false);
            Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
            List<String> required = (List<String>) schema.get("required");
            softly.assertThat(properties.keySet()).as("%s required ⊆ properties", name)
                    .containsAll(required);
            properties.forEach((property, propertySchema) -> softly.assertThat(
                    ((Map<String, Object>) propertySchema).get("description"))
                    .as("%s.%s description", name, property).isNotNull());
            boolean targetsRepository = action.kind() != Tool.Kind.LOCAL
                    && action != Tool.GITHUB_API_GET && action != Tool.FORGEJO_API_GET
                    && action.forge() != Forge.GITLAB && action.forge() != Forge.JIRA;
            if (targetsRepository) {
                softly.assertThat(required).as("%s names its repository", name)
                        .contains("owner", "repo");
            }
            if (action.forge() == Forge.GITLAB) {
                softly.assertThat(required).as("%s names its GitLab project", name).contains(
                        "project");
                softly.assertThat(properties).as("%s takes a host", name).containsKey("host");
                softly.assertThat(name).as("%s is named for its forge", name).startsWith(
                        "gitlab_");
                softly.assertThat(tool.meta()).as("%s meta", name).containsEntry(
                        "dev.tollgate/forge", "gitlab");
            }
            if (action.forge() == Forge.JIRA) {
                softly.assertThat(required).as("%s names its JIRA project or issue", name)
                        .containsAnyOf("project", "issue_key");
                softly.assertThat(properties).as("%s takes no host: one JIRA site", name)
                        .doesNotContainKey("host");
                softly.assertThat(name).as("%s is named for its forge", name).startsWith(
                        "jira_");
                softly.assertThat(tool.meta()).as("%s meta", name).containsEntry(
                        "dev.tollgate/forge", "jira");
            }
            if (action.forge() == Forge.FORGEJO) {
                softly.assertThat(required).as("%s names its Forgejo host", name).contains(
                        "host");
                softly.assertThat(name).as("%s is named for its forge", name).startsWith(
                        "forgejo_");
                softly.assertThat(tool.meta()).as("%s meta", name).containsEntry(
                        "dev.tollgate/forge", "forgejo");
            }
            softly.assertThat(tool.descriptor()).as("%s descriptor", name)
                    .containsKeys("name", "title", "description", "inputSchema", "annotations",
                            "_meta");
        }
        softly.assertAll();
    }

    @Test
    void noDestructiveRepositoryActionIsATool() {
        // "merge_request(s)" is GitLab's name for a pull request, not a merge
        assertThat(catalogue.names()).noneMatch(name -> name.startsWith("delete") || name
                .replace("merge_request", "").contains("merge") || name.contains("force"));
    }

    @Test
    void everyToolMatchesItsCommittedSnapshot() {
        for (ToolDefinition tool : catalogue.tools()) {
            ToolSnapshots.assertMatches(tool.name(), tool.descriptor());
        }
    }

    @Test
    void everySnapshotBelongsToATool() throws IOException {
        try (Stream<Path> files = Files.list(ToolSnapshots.DIRECTORY)) {
            List<String> snapshotted = files.map(path -> path.getFileName().toString())
                    .map(file -> file.replace(".snap.json", "")).toList();

            assertThat(catalogue.names()).containsExactlyInAnyOrderElementsOf(snapshotted);
        }
    }
}
