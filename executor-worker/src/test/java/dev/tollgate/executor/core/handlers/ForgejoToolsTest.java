package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.ForgejoStandIn;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.tools.Forge;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Forgejo tools performed by a real executor against the Forgejo stand-in: each read and
 * write with the host's own token (never a GitHub token, never another host's), one write per
 * push, drafts as Forgejo marks them, redeliveries that find their earlier write, and Forgejo's
 * errors classified for the agent.
 */
class ForgejoToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String HOST = "codeberg.test";
    private static final String TOKEN = "forgejo-token-" + UUID.randomUUID();

    private final ExecutorHarness harness = new ExecutorHarness();
    private final ForgejoStandIn forgejo = ForgejoStandIn.start(harness.clock);
    private final ForgejoStandIn.Repo project = forgejo.repo("user", "project").file("main",
            "README.md", "# Project\nline 2\n");

    ForgejoToolsTest() {
        forgejo.token(TOKEN, "write:repository", "write:issue");
    }

    @AfterEach
    void stop() {
        forgejo.close();
        harness.close();
    }

    private ForgeHosts hosts(String token) {
        return harness.forgeHost(Forge.FORGEJO, HOST, forgejo.apiUrl(),
                GitHubRequest.Credential.HostToken
                        .forgejo(HOST, token));
    }

    private ToolCallExecutor executor() {
        return harness.executor(new InMemoryCompletionStore(100)).actingOn(hosts(TOKEN));
    }

    private PolicyDecided decision(String requestId, String tool, String json,
            String... preconditions) {
        PolicyDecided decision = harness.decisionFor(requestId, tool, json, preconditions);
        decision.setRepositories(new ArrayList<>(List.of("user/project")));
        decision.setInstallationId(null);
        decision.setPermissions(Map.of());
        return decision;
    }

    private ToolCallCompleted run(String tool, String json, String... preconditions) {
        return executor().execute(decision(UUID.randomUUID().toString(), tool, json,
                preconditions));
    }

    private static JsonNode result(ToolCallCompleted completed) {
        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return JSON.readTree(completed.getResultJson());
    }

    private static String args(String more) {
        return "{\"host\":\"" + HOST + "\",\"owner\":\"user\",\"repo\":\"project\"" + more + "}";
    }

    @Test
    void readsAFileWithTheHostsOwnTokenAndNeverTouchesGitHub() {
        JsonNode file = result(run("forgejo_get_file", args(",\"path\":\"README.md\"")));

        assertThat(file.path("content").asString()).isEqualTo("# Project\nline 2\n");
        assertThat(forgejo.received()).isNotEmpty().allSatisfy(received -> assertThat(received
                .authorization()).isEqualTo("token " + TOKEN));
        assertThat(harness.github.requests()).as("GitHub").isEmpty();
        assertThat(harness.minted).as("no GitHub token is minted for a Forgejo call").isEmpty();
        JsonNode lines = result(run("forgejo_get_file", args(
                ",\"path\":\"README.md\",\"start_line\":2,\"end_line\":2")));
        assertThat(lines.path("content").asString()).isEqualTo("line 2\n");
    }

    @Test
    void listsPullRequestsAndIssuesAndReadsThroughThePassthrough() {
        project.branch("agent-a", "main");
        int pull = project.pull("A change", "agent-a", "main", "body");
        int issue = project.issue("A bug", "it breaks");

        JsonNode pulls = result(run("forgejo_list_pull_requests", args("")));
        JsonNode issues = result(run("forgejo_list_issues", args("")));
        JsonNode comments = result(run("forgejo_api_get", "{\"host\":\"" + HOST
                + "\",\"path\":\"/repos/user/project/issues/" + issue + "\"}"));

        assertThat(pulls).singleElement().satisfies(entry -> {
            assertThat(entry.path("number").asInt()).isEqualTo(pull);
            assertThat(entry.path("head").asString()).isEqualTo("agent-a");
        });
        assertThat(issues).singleElement().satisfies(entry -> assertThat(entry.path("title")
                .asString()).isEqualTo("A bug"));
        assertThat(comments.path("title").asString()).isEqualTo("A bug");
        assertThat(forgejo.received("GET", "/api/v1/repos/user/project/issues").get(0).path())
                .contains("type=issues").contains("limit=30");
    }

    @Test
    void thePassthroughReadsAFileThroughTheContentsRoute() {
        ToolCallCompleted read = run("forgejo_api_get", "{\"host\":\"" + HOST
                + "\",\"path\":\"/repos/user/project/contents/README.md\"}");

        assertThat(result(read).path("path").asString()).isEqualTo("README.md");
    }

    /**
     * Forgejo answers a renamed or transferred repository's old path with a redirect to where it
     * is now (its API's {@code RedirectToRepo}); the executor follows none, so the policy's
     * repository is the only one read.
     */
    @Test
    void aRenamedRepositorysRedirectIsNeverFollowed() {
        String elsewhere = "/api/v1/repos/secret/vault";
        forgejo.failNext("GET", "/api/v1/repos/user/project/contents/README.md", 1, 307, Map.of(
                "Location", forgejo.apiUrl() + "/repos/secret/vault/contents/README.md"), "");

        ToolCallCompleted answer = run("forgejo_get_file", args(",\"path\":\"README.md\""));

        assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo(
                "redirect_not_followed");
        assertThat(forgejo.received("GET", elsewhere)).as("the redirect's target").isEmpty();
    }

    @Test
    void pushesEveryFileInOneCommitToANewAgentBranchThenUpdatesIt() {
        JsonNode first = result(run("forgejo_push_files", args(",\"branch\":\"agent-fix\","
                + "\"message\":\"Fix it\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A\"},"
                + "{\"path\":\"dir/b.bin\",\"content\":\"AAEC\",\"encoding\":\"base64\"}]"),
                "branch-not-default", "branch-not-protected"));

        assertThat(first.path("branch_created").asBoolean()).isTrue();
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/contents")).hasSize(1);
        assertThat(project.text("agent-fix", "a.txt")).contains("A");
        assertThat(project.messages("agent-fix").get(0)).startsWith("Fix it").contains(
                "Tollgate-Request-Id: ");
        assertThat(project.head("main")).as("main untouched").isNotEqualTo(project.head(
                "agent-fix"));

        JsonNode second = result(run("forgejo_push_files", args(",\"branch\":\"agent-fix\","
                + "\"message\":\"Again\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A2\"},"
                + "{\"path\":\"README.md\",\"delete\":true}]")));

        assertThat(second.path("branch_created").asBoolean()).isFalse();
        assertThat(project.text("agent-fix", "a.txt")).contains("A2");
        assertThat(project.text("agent-fix", "README.md")).isEmpty();
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/contents")).hasSize(2);
    }

    @Test
    void aRedeliveredPushFindsItsCommitAndWritesNothingMore() {
        String requestId = UUID.randomUUID().toString();
        String json = args(",\"branch\":\"agent-once\",\"message\":\"Once\",\"files\":"
                + "[{\"path\":\"a.txt\",\"content\":\"A\"}]");

        result(executor().execute(decision(requestId, "forgejo_push_files", json)));
        JsonNode again = result(executor().execute(decision(requestId, "forgejo_push_files",
                json)));

        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/contents")).hasSize(1);
    }

    @Test
    void aPushToAProtectedBranchIsRefusedBeforeAnyWrite() {
        project.branch("agent-locked", "main").protect("agent-locked");

        ToolCallCompleted refused = run("forgejo_push_files", args(",\"branch\":\"agent-locked\","
                + "\"message\":\"m\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A\"}]"),
                "branch-not-default", "branch-not-protected");

        assertThat(refused.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("agent-locked is protected");
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/contents")).isEmpty();
    }

    @Test
    void opensADraftAsForgejoMarksOneAndARedeliveryFindsIt() {
        project.branch("agent-pr", "main").file("agent-pr", "x.txt", "x");
        String requestId = UUID.randomUUID().toString();
        String json = args(",\"title\":\"Fix the bug\",\"head\":\"agent-pr\",\"base\":\"main\","
                + "\"body\":\"Fixes it\"");

        JsonNode pr = result(executor().execute(decision(requestId, "forgejo_create_pr", json)));
        JsonNode again = result(executor().execute(decision(requestId, "forgejo_create_pr",
                json)));

        assertThat(pr.path("title").asString()).isEqualTo("WIP: Fix the bug");
        assertThat(pr.path("draft").asBoolean()).isTrue();
        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(again.path("number").asInt()).isEqualTo(pr.path("number").asInt());
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/pulls")).hasSize(1);
        assertThat(forgejo.received("POST", "/api/v1/repos/user/project/pulls").get(0).json()
                .path("body").asString()).startsWith("Fixes it").contains(
                        "tollgate-request-id: " + requestId);
    }

    @Test
    void startsAPendingReviewWithLineComments() {
        project.branch("agent-r", "main").file("agent-r", "x.txt", "x\ny\n");
        int pull = project.pull("Review me", "agent-r", "main", "");

        JsonNode review = result(run("forgejo_create_pending_review", args(",\"pull_number\":"
                + pull + ",\"body\":\"Looks close\",\"comments\":[{\"path\":\"x.txt\","
                + "\"line\":2,\"body\":\"why?\"}]")));

        assertThat(review.path("state").asString()).isEqualTo("PENDING");
        JsonNode sent = forgejo.received("POST", "/api/v1/repos/user/project/pulls/" + pull
                + "/reviews").get(0).json();
        assertThat(sent.path("event").asString()).isEqualTo("PENDING");
        assertThat(sent.path("comments").get(0).path("new_position").asInt()).isEqualTo(2);
        assertThat(project.reviews(pull)).hasSize(1);
    }

    @Test
    void aHostWithoutACredentialHereIsRefusedNamingTheSettings() {
        ToolCallCompleted refused = run("forgejo_get_file", "{\"host\":\"gitea.example.org\","
                + "\"owner\":\"user\",\"repo\":\"project\",\"path\":\"README.md\"}");

        assertThat(refused.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage())
                .contains("no credential for user/project on Forgejo/Gitea host"
                        + " gitea.example.org")
                .contains("tollgate.forgejo.hosts[N].token-file");
        assertThat(forgejo.received()).isEmpty();
    }

    @Test
    void forgejosErrorsReachTheAgentClassified() {
        ForgejoStandIn.Repo other = forgejo.repo("user", "other");
        assertThat(other.fullName()).isEqualTo("user/other");
        String readOnly = "read-only-" + UUID.randomUUID();
        forgejo.token(readOnly, "read:repository");
        ToolCallExecutor limited = harness.executor(new InMemoryCompletionStore(10)).actingOn(
                hosts(readOnly));

        ToolCallCompleted scope = limited.execute(decision(UUID.randomUUID().toString(),
                "forgejo_push_files", args(",\"branch\":\"agent-x\",\"message\":\"m\",\"files\":"
                        + "[{\"path\":\"a.txt\",\"content\":\"A\"}]")));
        ToolCallCompleted missing = run("forgejo_get_file", args(",\"path\":\"nope.txt\""));
        forgejo.failNext("GET", "/api/v1/repos/user/project/contents", 10, 429, Map.of(
                "Retry-After", "30"), "{\"message\":\"rate limited\"}");
        ToolCallCompleted limitedRate = run("forgejo_get_file", args(",\"path\":\"README.md\""));

        assertThat(scope.getErrorCode()).as(scope.getMessage()).isEqualTo("forbidden");
        assertThat(scope.getMessage()).contains("write:repository");
        assertThat(missing.getErrorCode()).isEqualTo("not_found");
        assertThat(limitedRate.getErrorCode()).as(limitedRate.getMessage()).isEqualTo(
                "rate_limited");
        assertThat(limitedRate.getRetryable()).isTrue();
    }
}
