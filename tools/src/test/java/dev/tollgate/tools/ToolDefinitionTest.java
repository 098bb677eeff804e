package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolDefinitionTest {

    private final ToolCatalogue catalogue = ToolCatalogue.standard();

    private ToolDefinition tool(String name) {
        return catalogue.byName(name).orElseThrow();
    }

    @Test
    void normalizesOwnerAndRepoAndParsesTheTarget() {
        ValidatedCall call = tool("get_file").validate(Map.of("owner", "Octo-Org", "repo",
                "Hello.World", "path", "src/App.java", "ref", "main"));

        assertThat(call.arguments()).containsEntry("owner", "octo-org")
                .containsEntry("repo", "hello.world");
        Target target = call.requireTarget();
        assertThat(target.repository()).isEqualTo("octo-org/hello.world");
        assertThat(target.paths()).isEqualTo(Scope.of(List.of("src/App.java")));
        assertThat(target.refs()).isEqualTo(Scope.of(List.of("main")));
        assertThat(target.numbers().isNone()).isTrue();
        assertThat(call.argumentsJson()).isEqualTo(
                "{\"owner\":\"octo-org\",\"path\":\"src/App.java\",\"ref\":\"main\","
                        + "\"repo\":\"hello.world\"}");
    }

    @Test
    void fillsInDefaults() {
        ValidatedCall call = tool("list_pull_requests").validate(Map.of("owner", "o", "repo",
                "r"));

        assertThat(call.arguments()).containsEntry("state", "open").containsEntry("per_page", 30L)
                .containsEntry("page", 1L);
    }

    @Test
    void createPrIsADraftByDefault() {
        ValidatedCall call = tool("create_pr").validate(Map.of("owner", "o", "repo", "r",
                "title", "t", "head", "agent-x", "base", "main"));

        assertThat(call.arguments()).containsEntry("draft", true);
        assertThat(call.requireTarget().base()).isEqualTo("main");
        assertThat(call.requireTarget().head()).isEqualTo(new Target.Head("o", "r", "agent-x"));
        assertThat(call.requireTarget().draft()).isTrue();
    }

    @Test
    void getFileTakesALineRangeThatDoesNotChangeItsTargetAndRefusesOneThatEndsBeforeItStarts() {
        ValidatedCall ranged = tool("get_file").validate(Map.of("owner", "o", "repo", "r",
                "path", "big.log", "start_line", 100, "end_line", 200));
        ValidatedCall whole = tool("get_file").validate(Map.of("owner", "o", "repo", "r",
                "path", "big.log"));

        assertThat(ranged.arguments()).containsEntry("start_line", 100L).containsEntry(
                "end_line", 200L);
        assertThat(ranged.requireTarget()).isEqualTo(whole.requireTarget());
        assertThat(whole.arguments()).doesNotContainKeys("start_line", "end_line");
        assertThatThrownBy(() -> tool("get_file").validate(Map.of("owner", "o", "repo", "r",
                "path", "a", "start_line", 5, "end_line", 4)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("'end_line' must not be before start_line (5), got 4");
        assertThatThrownBy(() -> tool("get_file").validate(Map.of("owner", "o", "repo", "r",
                "path", "a", "start_line", 0)))
                .hasMessageStartingWith("'start_line' must be between 1 and");
    }

    @Test
    void missingRequiredArgumentNamesTheField() {
        assertThatThrownBy(() -> tool("get_file").validate(Map.of("owner", "o", "repo", "r")))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("'path' is required")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo("path");
    }

    @Test
    void wrongTypeNamesTheFieldAndTheTypes() {
        assertThatThrownBy(() -> tool("get_file").validate(Map.of("owner", 42, "repo", "r",
                "path", "a")))
                .hasMessage("'owner' must be a string, got number");
        assertThatThrownBy(() -> tool("create_pull_request_comment").validate(Map.of("owner",
                "o", "repo", "r", "pull_number", "7", "body", "hi")))
                .hasMessage("'pull_number' must be an integer, got string");
        assertThatThrownBy(() -> tool("create_pr").validate(Map.of("owner", "o", "repo", "r",
                "title", "t", "head", "h", "base", "b", "draft", "yes")))
                .hasMessage("'draft' must be true or false, got string");
        assertThatThrownBy(() -> tool("push_files").validate(Map.of("owner", "o", "repo", "r",
                "branch", "agent-x", "message", "m", "files", Map.of())))
                .hasMessage("'files' must be an array, got object");
    }

    @Test
    void unknownArgumentIsRefusedByName() {
        assertThatThrownBy(() -> tool("read_repo").validate(Map.of("owner", "o", "repo", "r",
                "token", "x")))
                .hasMessage("'token' is not an argument of this tool; expected [owner, repo]");
    }

    @Test
    void integersAreRangeChecked() {
        assertThatThrownBy(() -> tool("list_pull_requests").validate(Map.of("owner", "o",
                "repo", "r", "per_page", 1000)))
                .hasMessage("'per_page' must be between 1 and 100, got 1000");
        assertThatThrownBy(() -> tool("list_pull_requests").validate(Map.of("owner", "o",
                "repo", "r", "per_page", 2.5)))
                .hasMessage("'per_page' must be a whole number between 1 and 100");
    }

    @Test
    void integralNumbersInAnyJsonFormAreAccepted() {
        assertThat(tool("list_pull_requests").validate(Map.of("owner", "o", "repo", "r",
                "per_page", 50.0)).arguments()).containsEntry("per_page", 50L);
        assertThat(tool("list_pull_requests").validate(Map.of("owner", "o", "repo", "r",
                "per_page", new BigDecimal("50"))).arguments()).containsEntry("per_page", 50L);
    }

    @Test
    void enumsListTheAllowedValues() {
        assertThatThrownBy(() -> tool("list_pull_requests").validate(Map.of("owner", "o",
                "repo", "r", "state", "merged")))
                .hasMessage("'state' must be one of [open, closed, all]");
    }

    @Test
    void nestedFieldsAreNamedWithTheirPath() {
        Map<String, Object> args = Map.of("owner", "o", "repo", "r", "branch", "agent-x",
                "message", "m", "files", List.of(Map.of("path", "ok.txt", "content", "x"),
                        Map.of("path", "../escape", "content", "x")));

        assertThatThrownBy(() -> tool("push_files").validate(args))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("'files[1].path' must not contain '.' or '..' segments "
                        + "(no path traversal)");
    }

    @Test
    void nestedUnknownFieldsAreNamedWithTheirPath() {
        Map<String, Object> args = Map.of("owner", "o", "repo", "r", "pull_number", 3,
                "comments", List.of(Map.of("path", "a", "line", 1, "body", "b", "mode", "x")));

        assertThatThrownBy(() -> tool("create_pending_review").validate(args))
                .hasMessageStartingWith("'comments[0].mode' is not an argument of comments[0]");
    }

    @Test
    void nullArrayItemsAreRefused() {
        Map<String, Object> args = new HashMap<>(Map.of("owner", "o", "repo", "r", "title",
                "t"));
        List<Object> labels = new java.util.ArrayList<>();
        labels.add(null);
        args.put("labels", labels);

        assertThatThrownBy(() -> tool("create_issue").validate(args))
                .hasMessage("'labels[0]' must not be null");
    }

    @Test
    void pushFilesOnlyWritesAgentBranches() {
        assertThatThrownBy(() -> tool("push_files").validate(Map.of("owner", "o", "repo", "r",
                "branch", "main", "message", "m", "files", List.of(Map.of("path", "a",
                        "content", "x")))))
                .hasMessageStartingWith("'branch' must name a branch starting with 'agent-'");
    }

    @Test
    void checkRunCompletedNeedsAConclusion() {
        assertThatThrownBy(() -> tool("create_check_run").validate(Map.of("owner", "o", "repo",
                "r", "name", "lint", "head_sha", "a".repeat(40))))
                .hasMessage("'conclusion' is required when status is completed");
    }

    @Test
    void apiPassthroughTargetsTheRepositoryOfItsPath() {
        ValidatedCall call = tool("github_api_get").validate(Map.of("path",
                "/repos/Octo/Hello/pulls/3/files", "query", Map.of("per_page", 100)));

        assertThat(call.requireTarget().repository()).isEqualTo("octo/hello");
        assertThat(call.requireTarget().numbers().named()).containsExactly(3L);
        assertThat(call.requireTarget().paths().isEvery()).isTrue();
        assertThat(call.arguments()).containsEntry("query", Map.of("per_page", "100"));
    }

    @Test
    void statusTakesNoArgumentsAndTargetsNothing() {
        ValidatedCall call = tool("status").validate(null);

        assertThat(call.arguments()).isEmpty();
        assertThat(call.target()).isEmpty();
        assertThatThrownBy(() -> tool("status").validate(Map.of("x", 1)))
                .hasMessage("'x' is not an argument of this tool; expected []");
    }

    @Test
    void overlongTextIsRefusedWithItsLength() {
        assertThatThrownBy(() -> tool("create_issue").validate(Map.of("owner", "o", "repo", "r",
                "title", "t".repeat(300))))
                .hasMessage("'title' must be at most 256 characters, got 300");
    }

    @Test
    void emptyRequiredTextIsRefused() {
        assertThatThrownBy(() -> tool("create_issue").validate(Map.of("owner", "o", "repo", "r",
                "title", "")))
                .hasMessage("'title' must not be empty");
    }

    @Test
    void aCallsPermissionsAreTheToolsUnlessItsDefinitionNarrowsThem() {
        ValidatedCall file = tool("get_file").validate(Map.of("owner", "o", "repo", "r", "path",
                "a"));
        ValidatedCall issues = tool("github_api_get").validate(Map.of("path",
                "/repos/o/r/issues"));

        assertThat(file.permissions()).isEqualTo(Tool.GET_FILE.permissions());
        assertThat(issues.permissions()).containsOnlyKeys("issues", "pull_requests");
    }

    @Test
    void aDefinitionAskingACallForMoreThanItsPermissionsIsABug() {
        ToolDefinition greedy = ToolDefinition.read("greedy", Tier.READ).title("t").description(
                "d").permission("contents", "read").permissionsPerCall(
                        args -> Map.of("contents",
                                "write"))
                .reveals(Reveals.values()).target(args -> Target.in("o", "r")
                        .build())
                .build(Tool.GET_FILE);
        ToolDefinition other = ToolDefinition.read("other", Tier.READ).title("t").description(
                "d").permission("contents", "read").permissionsPerCall(
                        args -> Map.of("issues",
                                "read"))
                .reveals(Reveals.values()).target(args -> Target.in("o", "r")
                        .build())
                .build(Tool.GET_FILE);

        assertThatThrownBy(() -> greedy.permissionsFor(Map.of())).isInstanceOf(
                IllegalStateException.class).hasMessageContaining("contents:write");
        assertThatThrownBy(() -> other.permissionsFor(Map.of())).isInstanceOf(
                IllegalStateException.class).hasMessageContaining("issues:read");
    }
}
