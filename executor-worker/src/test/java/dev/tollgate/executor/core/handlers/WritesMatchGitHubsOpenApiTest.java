package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import dev.tollgate.testsupport.NodeScripts;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every write tool performed once against the stand-in, and every request the executor sent with
 * a body (token mints included) checked against GitHub's published OpenAPI description
 * ({@code @octokit/openapi}, pinned in executor-worker/src/test/openapi-validator): each must be
 * an operation of GitHub's REST API, and its body must satisfy that operation's request schema.
 * The stand-in accepts what the executor sends; this is what says GitHub would too. GraphQL
 * ({@code mark_ready_for_review}) is not in the REST description and is left out, said below.
 */
class WritesMatchGitHubsOpenApiTest extends HarnessTest {

    private static final String REPO = "\"owner\":\"octo\",\"repo\":\"hello\"";

    private final Set<Tool> performed = EnumSet.noneOf(Tool.class);

    private JsonNode write(String tool, String arguments, String... preconditions) {
        performed.add(Tool.byToolName(tool).orElseThrow());
        ToolCallCompleted answer = run(harness.decision(tool, "{" + REPO + "," + arguments + "}",
                preconditions));
        assertThat(answer.getStatus()).as(tool + ": " + answer.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return result(answer);
    }

    @Test
    void everyWriteTheExecutorSendsIsAnOperationOfGitHubsRestApiWithAValidBody()
            throws Exception {
        hello.files.put("old.txt", "to be renamed");
        hello.files.put("gone.txt", "to be deleted");
        String[] branch = {"branch-not-default", "branch-not-protected"};

        write("create_issue", "\"title\":\"Crash\",\"body\":\"It crashes\",\"labels\":[\"bug\"]");
        write("comment_on_issue", "\"issue_number\":1,\"body\":\"Seen it\"");
        write("update_issue", "\"issue_number\":1,\"title\":\"Crash on start\",\"state\":"
                + "\"closed\",\"labels\":[\"bug\",\"p1\"],\"assignees\":[\"octocat\"]");
        write("create_branch", "\"branch\":\"agent-fix\"", branch);
        write("push_files", "\"branch\":\"agent-fix\",\"message\":\"Fix\",\"files\":["
                + "{\"path\":\"src/a.txt\",\"content\":\"A\"},"
                + "{\"path\":\"bin/run\",\"content\":\"IyEvYmluL3NoCg==\",\"encoding\":\"base64\","
                + "\"executable\":true},"
                + "{\"path\":\"new.txt\",\"content\":\"moved\",\"previous_path\":\"old.txt\"},"
                + "{\"path\":\"gone.txt\",\"delete\":true}]", branch);
        write("create_pr", "\"title\":\"Fix the crash\",\"body\":\"Fixes #1\",\"head\":"
                + "\"agent-fix\",\"base\":\"main\"");
        write("create_pull_request_comment", "\"pull_number\":2,\"body\":\"CI is green\"");
        write("request_reviewers", "\"pull_number\":2,\"reviewers\":[\"octocat\"]");
        long comment = github.reviewComment("octo", "hello", 2, "src/a.txt", 1, "@@ -0,0 +1 @@",
                "Why A?", "octocat").path("id").asLong();
        write("reply_to_review_comment", "\"pull_number\":2,\"comment_id\":" + comment
                + ",\"body\":\"Because\"");
        long review = write("create_pending_review", "\"pull_number\":2,\"body\":\"A look\","
                + "\"comments\":[{\"path\":\"src/a.txt\",\"line\":1,\"side\":\"RIGHT\","
                + "\"body\":\"nit\"}]").path("id").asLong();
        write("update_pending_review", "\"pull_number\":2,\"review_id\":" + review
                + ",\"body\":\"A second look\"");
        write("submit_pending_review", "\"pull_number\":2,\"review_id\":" + review
                + ",\"event\":\"REQUEST_CHANGES\"");
        long draft = write("create_pending_review", "\"pull_number\":2,\"body\":\"Scrap\"")
                .path("id").asLong();
        write("discard_pending_review", "\"pull_number\":2,\"review_id\":" + draft);
        write("create_check_run", "\"name\":\"review-bot\",\"head_sha\":\"" + hello.refs.get(
                "agent-fix") + "\",\"conclusion\":\"success\",\"title\":\"OK\",\"summary\":"
                + "\"All good\"");
        write("mark_ready_for_review", "\"pull_number\":2");
        String fixHead = hello.refs.get("agent-fix");
        String landed = GitHubStandIn.sha("landed-on-main");
        ObjectNode onMain = JSON.createObjectNode().put("sha", landed).put("message", "landed");
        onMain.putObject("tree").put("sha", GitHubStandIn.sha("tree-landed"));
        onMain.putArray("parents").addObject().put("sha", hello.refs.get("main"));
        hello.commits.put(landed, onMain);
        hello.refs.put("main", landed);
        write("update_pull_request_branch", "\"pull_number\":2,\"branch\":\"agent-fix\","
                + "\"base\":\"main\",\"expected_head_sha\":\"" + fixHead + "\"", branch);

        Set<Tool> writes = EnumSet.noneOf(Tool.class);
        for (Tool tool : Tool.values()) {
            // Forgejo's writes are checked against its stand-in (ForgejoToolsTest): no package
            // on the registries here ships Forgejo's OpenAPI description.
            if (tool.kind() == Tool.Kind.WRITE && tool.forge() == Forge.GITHUB) {
                writes.add(tool);
            }
        }
        assertThat(performed).as("every GitHub write tool is performed here").isEqualTo(writes);

        List<Map<String, Object>> sent = new ArrayList<>();
        List<String> graphQl = new ArrayList<>();
        for (GitHubStandIn.Received request : github.requests()) {
            if (request.method().equals("GET")) {
                continue;
            }
            if (request.path().equals("/graphql")) {
                graphQl.add(request.body());
                continue;
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("method", request.method());
            one.put("path", request.path());
            one.put("body", request.body() == null || request.body().isEmpty()
                    ? null
                    : JSON.readValue(request.body(), Object.class));
            sent.add(one);
        }
        JsonNode results = validate(sent);

        assertThat(graphQl).as("mark_ready_for_review goes to GraphQL only").singleElement()
                .satisfies(body -> assertThat(body).contains("markPullRequestReadyForReview"));
        assertThat(results).hasSize(sent.size());
        List<String> operations = new ArrayList<>();
        for (JsonNode result : results) {
            String request = result.path("method").asString() + " " + result.path("path")
                    .asString();
            assertThat(result.path("operation").isString()).as(request + ": " + result.path(
                    "errors")).isTrue();
            assertThat(result.path("errors")).as(request + " against " + result.path(
                    "operation").asString()).isEmpty();
            operations.add(result.path("operation").asString());
        }
        assertThat(operations).contains("apps/create-installation-access-token", "issues/create",
                "issues/update", "git/create-tree", "git/create-commit", "pulls/create",
                "pulls/request-reviewers", "pulls/create-review", "pulls/update-review",
                "pulls/submit-review", "pulls/delete-pending-review", "checks/create",
                "pulls/update-branch");
    }

    private static JsonNode validate(List<Map<String, Object>> requests) throws Exception {
        Path module = Path.of("").toAbsolutePath();
        NodeScripts validator = NodeScripts.install(module.resolve(
                "src/test/openapi-validator"), module.resolve("target/openapi-validator"),
                List
                        .of("validate.mjs"));
        Path input = Files.createTempFile(validator.work(), "requests", ".json");
        try {
            JSON.writeValue(input.toFile(), requests);
            return JSON.readTree(validator.node(300, "validate.mjs", input.getFileName()
                    .toString()));
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
