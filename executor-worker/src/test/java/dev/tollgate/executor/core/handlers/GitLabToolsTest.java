package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.ForgeHostSettings;
import dev.tollgate.executor.GitLabStandIn;
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
 * The GitLab tools performed by a real executor against the GitLab stand-in: a nested project
 * addressed by its encoded full path, the host's own token on every call, one commit per push,
 * drafts as GitLab marks them, approvals once, redeliveries that find their earlier write, and
 * GitLab's errors and rate limits classified for the agent.
 */
class GitLabToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String HOST = "gitlab.test";
    private static final String PROJECT = "group/sub/project";
    private static final String ENCODED = "/api/v4/projects/group%2Fsub%2Fproject";
    private static final String TOKEN = "glpat-test-" + UUID.randomUUID();

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitLabStandIn gitlab = GitLabStandIn.start(harness.clock);
    private final GitLabStandIn.Project project = gitlab.project(PROJECT).file("main",
            "src/app.py", "def add(a, b):\n    return a - b\n");

    GitLabToolsTest() {
        gitlab.token(TOKEN, "api");
    }

    @AfterEach
    void stop() {
        gitlab.close();
        harness.close();
    }

    private ForgeHosts hosts(String token) {
        return harness.forgeHost(Forge.GITLAB, HOST, gitlab.apiUrl(),
                GitHubRequest.Credential.HostToken
                        .gitlab(HOST, token));
    }

    private ToolCallExecutor executor() {
        return harness.executor(new InMemoryCompletionStore(100)).actingOn(hosts(TOKEN));
    }

    private PolicyDecided decision(String requestId, String tool, String json,
            String... preconditions) {
        PolicyDecided decision = harness.decisionFor(requestId, tool, json, preconditions);
        decision.setRepositories(new ArrayList<>(List.of(PROJECT)));
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
        return "{\"host\":\"" + HOST + "\",\"project\":\"" + PROJECT + "\"" + more + "}";
    }

    @Test
    void aTokenRotatedInItsFileIsReadAgainWhenGitLabRefusesTheOldOne(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("gitlab-token");
        java.nio.file.Files.writeString(file, TOKEN + "\n");
        java.nio.file.Files.setPosixFilePermissions(file,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ForgeHostSettings.Configured configured = ForgeHostSettings.read(
                new org.springframework.mock.env.MockEnvironment().withProperty(
                        "tollgate.gitlab.hosts[0].host", HOST).withProperty(
                                "tollgate.gitlab.hosts[0].api-url", gitlab.apiUrl().toString())
                        .withProperty("tollgate.gitlab.hosts[0].token-file", file.toString()),
                Forge.GITLAB).getFirst();
        ToolCallExecutor executor = harness.executor(new InMemoryCompletionStore(100)).actingOn(
                harness.forgeHost(Forge.GITLAB, HOST, gitlab.apiUrl(), configured.credential()));
        assertThat(executor.execute(decision(UUID.randomUUID().toString(), "gitlab_get_file",
                args(",\"path\":\"src/app.py\""))).getStatus()).isEqualTo(CallStatus.SUCCEEDED);

        String rotated = "glpat-rotated-" + UUID.randomUUID();
        gitlab.token(rotated, "api");
        gitlab.revoke(TOKEN);
        java.nio.file.Files.writeString(file, rotated + "\n");
        int before = gitlab.received().size();
        ToolCallCompleted after = executor.execute(decision(UUID.randomUUID().toString(),
                "gitlab_get_file", args(",\"path\":\"src/app.py\"")));

        assertThat(after.getStatus()).as(after.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        List<String> sent = gitlab.received().subList(before, gitlab.received().size()).stream()
                .map(GitLabStandIn.Received::authorization).toList();
        assertThat(sent.getFirst()).as("the old token, refused once").isEqualTo("Bearer "
                + TOKEN);
        assertThat(sent.subList(1, sent.size())).as("then the file's new token only")
                .isNotEmpty().containsOnly("Bearer " + rotated);

        gitlab.revoke(rotated);
        ToolCallCompleted revoked = executor.execute(decision(UUID.randomUUID().toString(),
                "gitlab_get_file", args(",\"path\":\"src/app.py\"")));
        assertThat(revoked.getErrorCode()).as("the file holds no newer token: answered as it is")
                .isEqualTo("unauthorized");
    }

    @Test
    void readsAFileOfANestedProjectWithTheHostsOwnToken() {
        JsonNode file = result(run("gitlab_get_file", args(",\"path\":\"src/app.py\"")));

        assertThat(file.path("content").asString()).isEqualTo(
                "def add(a, b):\n    return a - b\n");
        assertThat(gitlab.received()).isNotEmpty().allSatisfy(received -> {
            assertThat(received.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(received.path()).startsWith(ENCODED);
        });
        assertThat(harness.github.requests()).as("GitHub").isEmpty();
        JsonNode line = result(run("gitlab_get_file", args(
                ",\"path\":\"src/app.py\",\"start_line\":2,\"end_line\":2,\"ref\":\"main\"")));
        assertThat(line.path("content").asString()).isEqualTo("    return a - b\n");
    }

    /**
     * GitLab's files API takes the path encoded once; a path encoded twice names another file,
     * the one whose name is the path's encoding.
     */
    @Test
    void aFileIsReadAndWrittenByTheVeryPathDecidedWhateverItsCharacters() {
        project.file("main", "docs/a b+c%.txt", "the file asked for\n").file("main",
                "docs/a%20b%2Bc%25.txt", "another file\n");

        JsonNode file = result(run("gitlab_get_file", args(",\"path\":\"docs/a b+c%.txt\"")));

        assertThat(file.path("content").asString()).isEqualTo("the file asked for\n");

        JsonNode push = result(run("gitlab_push_files", args(",\"branch\":\"agent-odd\","
                + "\"message\":\"m\",\"files\":[{\"path\":\"docs/a b+c%.txt\",\"content\":"
                + "\"changed\\n\"}]")));

        assertThat(push.path("commit").asString(null)).isNotNull();
        assertThat(project.text("agent-odd", "docs/a b+c%.txt")).contains("changed\n");
        assertThat(project.text("agent-odd", "docs/a%20b%2Bc%25.txt")).contains(
                "another file\n");
    }

    @Test
    void listsMergeRequestsAndIssuesAndReadsThroughThePassthrough() {
        project.branch("agent-a", "main");
        int mr = project.mergeRequest("A change", "agent-a", "main", "body");
        project.issue("A bug", "it breaks");

        JsonNode mrs = result(run("gitlab_list_merge_requests", args("")));
        JsonNode issues = result(run("gitlab_list_issues", args("")));
        JsonNode one = result(run("gitlab_api_get", args(",\"route\":\"merge_requests/" + mr
                + "\"")));

        assertThat(mrs).singleElement().satisfies(entry -> {
            assertThat(entry.path("iid").asInt()).isEqualTo(mr);
            assertThat(entry.path("source_branch").asString()).isEqualTo("agent-a");
        });
        assertThat(issues).singleElement().satisfies(entry -> assertThat(entry.path("title")
                .asString()).isEqualTo("A bug"));
        assertThat(one.path("title").asString()).isEqualTo("A change");
    }

    @Test
    void aReleaseLinkRedirectingToAnotherProjectsVariablesIsNeverFollowedWithTheToken() {
        String elsewhere = "/api/v4/projects/other%2Fsecret/variables";
        gitlab.failNext("GET", ENCODED + "/releases/v1/downloads/x.json", 1, 302, Map.of(
                "Location", gitlab.apiUrl() + "/projects/other%2Fsecret/variables"), "");

        ToolCallCompleted answer = run("gitlab_api_get", args(
                ",\"route\":\"releases/v1/downloads/x.json\""));

        assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(answer.getErrorCode()).isEqualTo("redirect_not_followed");
        assertThat(answer.getRetryable()).isFalse();
        assertThat(answer.getMessage()).contains("HTTP 302", "does not follow");
        assertThat(gitlab.received("GET", elsewhere)).as("the redirect's target").isEmpty();
        assertThat(gitlab.received()).as("the project's lookup, then only the release link's own"
                + " route").extracting(GitLabStandIn.Received::path).satisfiesExactly(
                        lookup -> assertThat(lookup).isEqualTo(ENCODED),
                        link -> assertThat(link).startsWith(ENCODED
                                + "/releases/v1/downloads/x.json"));
    }

    /**
     * GitLab answers a moved (transferred or renamed) project's old path with the project where it
     * is now: a policy that allowed {@code team/*} must not reach what moved into
     * {@code secret/}. Every tool looks the project up first and acts only when GitLab's answer
     * is the decided project, without saying where it went.
     */
    @Test
    void aProjectMovedAwayIsNotReachedThroughItsOldPath() {
        GitLabStandIn.Project moved = gitlab.project("team/app").file("main", "plan.txt",
                "the secret plan\n").branch("agent-r", "main");
        int mr = moved.mergeRequest("Review me", "agent-r", "main", "");
        moved.issue("A bug", "details");
        moved.moveTo("secret/app");
        String old = "{\"host\":\"" + HOST + "\",\"project\":\"team/app\"";
        List<String[]> calls = List.of(
                new String[]{"gitlab_get_file", old + ",\"path\":\"plan.txt\"}"},
                new String[]{"gitlab_get_file", old + ",\"path\":\"plan.txt\",\"ref\":\"main\"}"},
                new String[]{"gitlab_list_merge_requests", old + "}"},
                new String[]{"gitlab_list_issues", old + "}"},
                new String[]{"gitlab_api_get", old + "}"},
                new String[]{"gitlab_api_get", old + ",\"route\":\"repository/tree\"}"},
                new String[]{"gitlab_push_files", old + ",\"branch\":\"agent-x\",\"message\":"
                        + "\"m\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A\"}]}"},
                new String[]{"gitlab_create_mr", old + ",\"title\":\"t\",\"source_branch\":"
                        + "\"agent-r\",\"target_branch\":\"main\"}"},
                new String[]{"gitlab_approve_mr", old + ",\"merge_request_iid\":" + mr + "}"});

        for (String[] call : calls) {
            PolicyDecided decision = harness.decisionFor(UUID.randomUUID().toString(), call[0],
                    call[1], call[0].equals("gitlab_push_files")
                            ? new String[]{"branch-not-default", "branch-not-protected"}
                            : new String[0]);
            decision.setRepositories(new ArrayList<>(List.of("team/app")));
            decision.setInstallationId(null);
            decision.setPermissions(Map.of());

            ToolCallCompleted answer = executor().execute(decision);

            assertThat(answer.getErrorCode()).as(call[0] + " " + call[1] + ": " + answer
                    .getMessage()).isEqualTo("forbidden");
            assertThat(answer.getMessage()).contains("another project").doesNotContain(
                    "secret");
        }
        assertThat(gitlab.received()).as("only the old path's lookup, each time").hasSize(calls
                .size()).allSatisfy(received -> {
                    assertThat(received.method()).isEqualTo("GET");
                    assertThat(received.path()).isEqualTo("/api/v4/projects/team%2Fapp");
                });
        assertThat(moved.approvals(mr)).isEmpty();
        assertThat(moved.head("agent-x")).isEmpty();
    }

    @Test
    void aWriteAnsweredWithARedirectIsNotSentAgainAnywhere() {
        project.branch("agent-mr", "main").file("agent-mr", "x.txt", "x");
        String json = args(",\"title\":\"Fix add\",\"source_branch\":\"agent-mr\","
                + "\"target_branch\":\"main\",\"description\":\"Fixes it\"");

        for (int status : new int[]{301, 307, 308}) {
            gitlab.failNext("POST", ENCODED + "/merge_requests", 1, status, Map.of("Location",
                    gitlab.apiUrl() + "/projects/other%2Fsecret/merge_requests"), "");
            int before = gitlab.received("POST", ENCODED + "/merge_requests").size();

            ToolCallCompleted answer = run("gitlab_create_mr", json);

            assertThat(answer.getErrorCode()).as("HTTP " + status).isEqualTo(
                    "redirect_not_followed");
            assertThat(answer.getRetryable()).isFalse();
            assertThat(gitlab.received("POST", ENCODED + "/merge_requests")).as("HTTP " + status)
                    .hasSize(before + 1);
        }
        assertThat(gitlab.received().stream().filter(r -> r.path().startsWith(
                "/api/v4/projects/other"))).as("never sent where the redirect pointed").isEmpty();
        assertThat(gitlab.received().stream().filter(r -> !r.method().equals("GET")))
                .as("no redirect turned into a GET or repeated the POST").hasSize(3);
    }

    @Test
    void pushesEveryChangeInOneCommitToANewAgentBranchThenUpdatesIt() {
        JsonNode first = result(run("gitlab_push_files", args(",\"branch\":\"agent-fix\","
                + "\"message\":\"Fix add\",\"files\":[{\"path\":\"src/app.py\",\"content\":"
                + "\"def add(a, b):\\n    return a + b\\n\"},{\"path\":\"bin/x\",\"content\":"
                + "\"AAEC\",\"encoding\":\"base64\"}]"), "branch-not-default",
                "branch-not-protected"));

        assertThat(first.path("branch_created").asBoolean()).isTrue();
        assertThat(commits()).hasSize(1);
        assertThat(project.text("agent-fix", "src/app.py")).contains(
                "def add(a, b):\n    return a + b\n");
        assertThat(project.messages("agent-fix").get(0)).startsWith("Fix add").contains(
                "Tollgate-Request-Id: ");
        assertThat(project.text("main", "src/app.py")).contains(
                "def add(a, b):\n    return a - b\n");

        result(run("gitlab_push_files", args(",\"branch\":\"agent-fix\",\"message\":\"More\","
                + "\"files\":[{\"path\":\"src/app.py\",\"delete\":true},{\"path\":\"lib/app.py\","
                + "\"previous_path\":\"bin/x\",\"content\":\"moved\"}]")));

        assertThat(project.text("agent-fix", "src/app.py")).isEmpty();
        assertThat(project.text("agent-fix", "lib/app.py")).contains("moved");
        assertThat(commits()).hasSize(2);
    }

    @Test
    void aBurstOfOneAgentsWritesToAForgeHostIsPacedLikeGitHubs() {
        ToolCallExecutor executor = executor(); // one host transport, one pacer
        for (String branch : List.of("agent-a", "agent-b", "agent-c")) {
            result(executor.execute(decision(UUID.randomUUID().toString(), "gitlab_push_files",
                    args(",\"branch\":\"" + branch + "\",\"message\":\"m\",\"files\":"
                            + "[{\"path\":\"a.txt\",\"content\":\"x\"}]"))));
        }

        assertThat(commits()).hasSize(3);
        assertThat(harness.paced).as("the first write at once, each next one a slot later (the"
                + " clock stands still)").containsExactly(java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(2));
    }

    private List<GitLabStandIn.Received> commits() {
        return gitlab.received("POST", ENCODED + "/repository/commits");
    }

    @Test
    void aRedeliveredPushFindsItsCommitAndWritesNothingMore() {
        String requestId = UUID.randomUUID().toString();
        String json = args(",\"branch\":\"agent-once\",\"message\":\"Once\",\"files\":"
                + "[{\"path\":\"a.txt\",\"content\":\"A\"}]");

        result(executor().execute(decision(requestId, "gitlab_push_files", json)));
        JsonNode again = result(executor().execute(decision(requestId, "gitlab_push_files",
                json)));

        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(commits()).hasSize(1);
    }

    @Test
    void aPushToAProtectedBranchIsRefusedBeforeAnyWrite() {
        project.branch("agent-locked", "main").protect("agent-locked");

        ToolCallCompleted refused = run("gitlab_push_files", args(",\"branch\":"
                + "\"agent-locked\",\"message\":\"m\",\"files\":[{\"path\":\"a\",\"content\":"
                + "\"x\"}]"), "branch-not-default", "branch-not-protected");

        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("agent-locked is protected");
        assertThat(commits()).isEmpty();
    }

    @Test
    void opensADraftAsGitLabMarksOneAndARedeliveryFindsIt() {
        project.branch("agent-mr", "main").file("agent-mr", "x.txt", "x");
        String requestId = UUID.randomUUID().toString();
        String json = args(",\"title\":\"Fix add\",\"source_branch\":\"agent-mr\","
                + "\"target_branch\":\"main\",\"description\":\"Fixes it\"");

        JsonNode mr = result(executor().execute(decision(requestId, "gitlab_create_mr", json)));
        JsonNode again = result(executor().execute(decision(requestId, "gitlab_create_mr",
                json)));

        assertThat(mr.path("title").asString()).isEqualTo("Draft: Fix add");
        assertThat(mr.path("draft").asBoolean()).isTrue();
        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(again.path("iid").asInt()).isEqualTo(mr.path("iid").asInt());
        assertThat(gitlab.received("POST", ENCODED + "/merge_requests")).hasSize(1);
    }

    @Test
    void approvesOnceAndAnsweresAlreadyApprovedAfter() {
        project.branch("agent-r", "main").file("agent-r", "x.txt", "x");
        int mr = project.mergeRequest("Review me", "agent-r", "main", "");

        JsonNode first = result(run("gitlab_approve_mr", args(",\"merge_request_iid\":" + mr)));
        JsonNode second = result(run("gitlab_approve_mr", args(",\"merge_request_iid\":" + mr)));

        assertThat(first.path("approved").asBoolean()).isTrue();
        assertThat(second.path("already_approved").asBoolean()).isTrue();
        assertThat(project.approvals(mr)).containsExactly(GitLabStandIn.DEFAULT_USERNAME);
        assertThat(gitlab.received("POST", ENCODED + "/merge_requests/" + mr + "/approve"))
                .hasSize(1);
    }

    @Test
    void gitLabsErrorsReachTheAgentClassified() {
        String readOnly = "glpat-ro-" + UUID.randomUUID();
        gitlab.token(readOnly, "read_api");
        ToolCallExecutor limited = harness.executor(new InMemoryCompletionStore(10)).actingOn(
                hosts(readOnly));

        ToolCallCompleted scope = limited.execute(decision(UUID.randomUUID().toString(),
                "gitlab_push_files", args(",\"branch\":\"agent-x\",\"message\":\"m\",\"files\":"
                        + "[{\"path\":\"a.txt\",\"content\":\"A\"}]")));
        ToolCallCompleted missing = run("gitlab_get_file", args(",\"path\":\"nope.txt\""));
        gitlab.failNext("GET", ENCODED, 10, 429, Map.of("Retry-After", "30", "RateLimit-Reset",
                String.valueOf(harness.clock.instant().getEpochSecond() + 30)), "Retry later");
        ToolCallCompleted rate = run("gitlab_get_file", args(",\"path\":\"src/app.py\""));

        assertThat(scope.getErrorCode()).as(scope.getMessage()).isEqualTo("forbidden");
        assertThat(scope.getMessage()).contains("insufficient_scope");
        assertThat(missing.getErrorCode()).as(missing.getMessage()).isEqualTo("not_found");
        assertThat(rate.getErrorCode()).as(rate.getMessage()).isEqualTo("rate_limited");
        assertThat(rate.getMessage()).contains(HOST);
        assertThat(rate.getRetryable()).isTrue();
    }
}
