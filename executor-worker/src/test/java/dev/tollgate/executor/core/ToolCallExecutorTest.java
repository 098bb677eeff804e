package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ToolCallExecutorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitHubStandIn github = harness.github;
    private final GitHubStandIn.Repo hello = github.repo("octo", "hello");

    @AfterEach
    void stop() {
        harness.close();
    }

    private ToolCallCompleted run(PolicyDecided decision) {
        return harness.executor().execute(decision);
    }

    private static JsonNode result(ToolCallCompleted completed) {
        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return JSON.readTree(completed.getResultJson());
    }

    // ---- reads -------------------------------------------------------------------------------

    @Test
    void getFileReturnsDecodedContentWithATokenForContentsReadOnThatRepositoryOnly() {
        hello.files.put("src/main.c", "int main() { return 0; }\n");

        JsonNode file = result(run(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"src/main.c\"}")));

        assertThat(file.path("content").asString()).isEqualTo("int main() { return 0; }\n");
        assertThat(file.path("path").asString()).isEqualTo("src/main.c");
        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.repositories()).containsExactly("hello");
            assertThat(mint.permissions()).isEqualTo(Map.of("contents", "read"));
        });
        GitHubStandIn.Received get = github.requests("GET", "/repos/octo/hello/contents").get(0);
        assertThat(get.headers()).containsEntry("Accept", "application/vnd.github+json")
                .containsEntry("X-GitHub-Api-Version", "2022-11-28").containsKey("User-Agent");
    }

    @Test
    void readRepoReturnsTrimmedMetadataAndTheTopLevelListing() {
        hello.files.put("README.md", "hi");

        JsonNode repo = result(run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}")));

        assertThat(repo.path("full_name").asString()).isEqualTo("octo/hello");
        assertThat(repo.path("default_branch").asString()).isEqualTo("main");
        assertThat(repo.has("node_id")).isFalse();
        assertThat(repo.path("entries").get(0).path("name").asString()).isEqualTo("README.md");
        assertThat(repo.path("entries").get(0).has("_links")).isFalse();
    }

    @Test
    void listPullRequestsPassesFiltersAndTrimsEachPullRequest() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-x\",\"base\":\"main\"}"));

        JsonNode pulls = result(run(harness.decision("list_pull_requests",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"state\":\"open\",\"base\":\"main\"}")));

        assertThat(pulls).hasSize(1);
        assertThat(pulls.get(0).path("head").asString()).isEqualTo("agent-x");
        assertThat(pulls.get(0).path("author").asString()).isEqualTo("tollgate[bot]");
        assertThat(github.requests("GET", "/repos/octo/hello/pulls?state=open")).singleElement()
                .satisfies(list -> assertThat(list.path()).contains("base=main"));
    }

    @Test
    void githubApiGetReadsUnderTheDecidedRepository() {
        JsonNode answer = result(run(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/hello/commits\",\"query\":{\"per_page\":\"5\"}}")));

        assertThat(answer.path("passthrough").asString()).isEqualTo("/commits");
        assertThat(github.requests("GET", "/repos/octo/hello/commits?per_page=5"))
                .hasSize(1);
    }

    @Test
    void githubApiGetRefusesPathsOutsideTheDecidedRepository() {
        ToolCallCompleted other = run(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/world/issues\"}"));
        ToolCallCompleted traversal = run(harness.decision("github_api_get",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"/repos/octo/hello/../world\"}"));
        ToolCallCompleted notRepos = run(harness.decision("github_api_get",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"/user/installations\"}"));

        assertThat(List.of(other, traversal, notRepos)).allSatisfy(completed -> {
            assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
            assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        });
        assertThat(github.requests().stream().filter(r -> r.path().contains("world") || r.path()
                .startsWith("/user"))).isEmpty();
    }

    // ---- writes ------------------------------------------------------------------------------

    @Test
    void createIssueCarriesAHiddenMarkerAndReturnsNumberAndUrl() {
        PolicyDecided decision = harness.decisionFor("req-issue-1", "create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"Bug\",\"body\":\"Details\","
                        + "\"labels\":[\"bug\"]}");

        JsonNode issue = result(run(decision));

        assertThat(issue.path("number").asLong()).isEqualTo(1);
        assertThat(issue.path("html_url").asString()).endsWith("/issues/1");
        assertThat(hello.plainIssues()).singleElement().satisfies(stored -> assertThat(stored
                .path("body").asString()).isEqualTo(
                        "Details\n\n<!-- tollgate-request-id: req-issue-1 -->"));
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("issues", "write")));
    }

    @Test
    void createPrOpensADraftUnlessTheAllowedRequestSaysOtherwise() {
        JsonNode draft = result(run(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\",\"head\":\"agent-a\","
                        + "\"base\":\"main\"}")));
        JsonNode ready = result(run(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\",\"head\":\"agent-b\","
                        + "\"base\":\"main\",\"draft\":false}")));

        assertThat(draft.path("draft").asBoolean()).isTrue();
        assertThat(ready.path("draft").asBoolean()).isFalse();
        assertThat(github.requests("POST", "/repos/octo/hello/pulls").get(0).json().path("draft")
                .asBoolean()).isTrue();
    }

    @Test
    void createCommentCheckRunAndPendingReview() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        JsonNode comment = result(run(harness.decision("create_pull_request_comment",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"LGTM\"}")));
        JsonNode check = result(run(harness.decisionFor("check-1", "create_check_run",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"name\":\"review\",\"head_sha\":"
                        + "\"0123456789abcdef0123456789abcdef01234567\",\"status\":\"completed\","
                        + "\"conclusion\":\"success\",\"summary\":\"ok\"}")));
        JsonNode review = result(run(harness.decision("create_pending_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"see\","
                        + "\"comments\":[{\"path\":\"a.c\",\"line\":3,\"side\":\"RIGHT\","
                        + "\"body\":\"nit\"}]}")));

        assertThat(comment.path("id").asLong()).isPositive();
        assertThat(hello.comments.get(1L)).singleElement().satisfies(c -> assertThat(c.path(
                "body").asString()).startsWith("LGTM\n\n<!-- tollgate-request-id: "));
        assertThat(check.path("conclusion").asString()).isEqualTo("success");
        assertThat(hello.checkRuns).singleElement().satisfies(run -> assertThat(run.path(
                "external_id").asString()).isEqualTo("check-1"));
        assertThat(review.path("state").asString()).isEqualTo("PENDING");
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/reviews").get(0).json()
                .has("event")).isFalse();
    }

    @Test
    void createBranchStartsFromTheDefaultBranch() {
        JsonNode branch = result(run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-fix\"}",
                "branch-not-default", "branch-not-protected")));

        assertThat(branch.path("created").asBoolean()).isTrue();
        assertThat(hello.refs).containsEntry("agent-fix", hello.refs.get("main"));
    }

    @Test
    void pushFilesBuildsOneCommitWithTheGitDataApiOnANewAgentBranch() {
        String main = hello.refs.get("main");

        JsonNode pushed = result(run(harness.decisionFor("push-1", "push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"Add files\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A\"},"
                        + "{\"path\":\"dir/b.txt\",\"content\":\"B\"}]}",
                "branch-not-default", "branch-not-protected")));

        String commit = pushed.path("commit").asString();
        assertThat(hello.refs).containsEntry("agent-work", commit);
        assertThat(hello.commits.get(commit).path("parents").get(0).path("sha").asString())
                .isEqualTo(main);
        assertThat(hello.commits.get(commit).path("message").asString()).isEqualTo(
                "Add files\n\nTollgate-Request-Id: push-1");
        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).hasSize(2);
        assertThat(github.requests("POST", "/repos/octo/hello/git/trees")).singleElement()
                .satisfies(tree -> assertThat(tree.json().path("base_tree").asString())
                        .isNotBlank());
        assertThat(pushed.path("branch_created").asBoolean()).isTrue();
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("contents", "write")));
    }

    @Test
    void pushFilesFastForwardsAnExistingAgentBranchAndNeverForces() {
        run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":"
                + "\"agent-work\",\"message\":\"one\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));
        String first = hello.refs.get("agent-work");

        JsonNode second = result(run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"two\",\"files\":[{\"path\":\"a\",\"content\":\"2\"}]}")));

        assertThat(second.path("branch_created").asBoolean()).isFalse();
        assertThat(hello.commits.get(hello.refs.get("agent-work")).path("parents").get(0).path(
                "sha").asString()).isEqualTo(first);
        assertThat(github.requests("PATCH", "/repos/octo/hello/git/refs/heads/agent-work"))
                .singleElement().satisfies(patch -> assertThat(patch.json().path("force")
                        .asBoolean()).isFalse());
        assertThat(hello.forcedUpdates).isEmpty();
    }

    @Test
    void pushFilesToABranchThatMovedIsAConflictNotAForcePush() {
        run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":"
                + "\"agent-work\",\"message\":\"one\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));
        github.script("PATCH", "/repos/octo/hello/git/refs/heads/agent-work", GitHubStandIn.json(
                422, "{\"message\":\"Update is not a fast forward\"}"));

        ToolCallCompleted completed = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"two\",\"files\":[{\"path\":\"a\",\"content\":\"2\"}]}"));

        assertThat(completed.getErrorCode()).isEqualTo("conflict");
        assertThat(completed.getMessage()).contains("nothing was force-updated");
        assertThat(hello.forcedUpdates).isEmpty();
    }

    @Test
    void branchesThatAreNotAgentBranchesAreRefusedBeforeAnyWrite() {
        ToolCallCompleted completed = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"main\",\"message\":\"x\","
                        + "\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.requests().stream().filter(r -> !r.method().equals("GET") && !r.path()
                .startsWith("/app/"))).isEmpty();
    }

    // ---- preconditions -----------------------------------------------------------------------

    @Test
    void requireForkRefusesARepositoryThatIsNotAFork() {
        ToolCallCompleted completed = run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-x\"}", "require-fork"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(completed.getMessage()).contains("require-fork", "not a fork");
        assertThat(hello.refs).doesNotContainKey("agent-x");
    }

    @Test
    void requireForkAllowsAFork() {
        hello.fork = true;

        ToolCallCompleted completed = run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-x\"}", "require-fork"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    }

    @Test
    void aProtectedOrDefaultBranchIsRefusedByThePreconditions() {
        hello.refs.put("agent-protected", hello.refs.get("main"));
        hello.protectedBranches.add("agent-protected");
        hello.defaultBranch = "agent-default";
        hello.refs.put("agent-default", hello.refs.get("main"));

        ToolCallCompleted onProtected = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-protected\",\"message\":"
                        + "\"x\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}",
                "branch-not-protected"));
        ToolCallCompleted onDefault = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-default\",\"message\":"
                        + "\"x\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}",
                "branch-not-default"));

        assertThat(onProtected.getMessage()).contains("branch-not-protected");
        assertThat(onDefault.getMessage()).contains("branch-not-default");
        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).isEmpty();
    }

    @Test
    void anUnknownPreconditionRefusesTheCall() {
        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}", "moon-is-full"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(hello.issues).isEmpty();
    }

    // ---- least privilege ---------------------------------------------------------------------

    @Test
    void aDecisionAskingForMoreThanTheActionNeedsIsRefused() {
        PolicyDecided decision = harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"a\"}");
        decision.setPermissions(Map.of("contents", "write"));

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void aCallOnARepositoryTheDecisionDidNotNameIsRefused() {
        PolicyDecided decision = harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"world\",\"path\":\"a\"}");

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void aMissingPermissionComesBackAsForbiddenWithWhatGitHubAccepts() {
        PolicyDecided decision = harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}");
        decision.setPermissions(Map.of("issues", "read"));

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getUpstreamStatus()).isEqualTo(403);
        assertThat(completed.getMessage()).contains("Resource not accessible by integration",
                "issues=write");
    }

    @Test
    void theInstallationIsDiscoveredWhenTheDecisionDoesNotNameIt() {
        PolicyDecided decision = harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}");
        decision.setInstallationId(null);

        assertThat(run(decision).getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("GET", "/repos/octo/hello/installation")).hasSize(1);
    }

    // ---- tokens in use -----------------------------------------------------------------------

    @Test
    void aTokenRefusedRightAfterUseIsRefreshedOnceAndTheCallRetriedOnce() {
        ToolCallExecutor executor = harness.executor();
        executor.execute(harness.decision("read_repo", "{\"owner\":\"octo\",\"repo\":\"hello\"}"));
        github.revokeAll();

        ToolCallCompleted completed = executor.execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.mintCount()).isEqualTo(2);
    }

    @Test
    void aTokenRefusedAgainAfterRefreshIsUnauthorized() {
        github.script("GET", "/repos/octo/hello", GitHubStandIn.json(401,
                "{\"message\":\"Bad credentials\"}"),
                GitHubStandIn.json(401,
                        "{\"message\":\"Bad credentials\"}"));

        ToolCallCompleted completed = run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("unauthorized");
        assertThat(github.mintCount()).isEqualTo(2);
        assertThat(github.requests("GET", "/repos/octo/hello")).hasSize(2);
    }

    @Test
    void manyCallsOnOneScopeMintOneToken() {
        ToolCallExecutor executor = harness.executor();
        hello.files.put("a", "x");

        for (int i = 0; i < 20; i++) {
            executor.execute(harness.decision("get_file",
                    "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"a\"}"));
        }

        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).hasSize(1);
    }

    // ---- every class comes back classified ---------------------------------------------------

    @Test
    void notFoundValidationAndRateLimitsComeBackClassified() {
        ToolCallCompleted missing = run(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"nope.txt\"}"));
        ToolCallCompleted invalid = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}".replace("\"t\"",
                        "\"x\"")));
        github.script("GET", "/repos/octo/hello", GitHubStandIn.primaryLimit(403, harness.clock
                .instant().plusSeconds(7200)));
        ToolCallCompleted limited = run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(missing.getErrorCode()).isEqualTo("not_found");
        assertThat(missing.getRetryable()).isFalse();
        assertThat(invalid.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(limited.getErrorCode()).isEqualTo("rate_limited");
        assertThat(limited.getRetryable()).isTrue();
        assertThat(limited.getRetryAt()).isEqualTo(harness.clock.instant().plusSeconds(7201));
    }

    @Test
    void githubsValidationErrorsReachTheAgent() {
        github.script("POST", "/repos/octo/hello/pulls", GitHubStandIn.json(422,
                "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"PullRequest\","
                        + "\"code\":\"custom\",\"message\":\"No commits between main and agent-x\"}]}"));

        ToolCallCompleted completed = run(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\",\"head\":\"agent-x\","
                        + "\"base\":\"main\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("validation_failed");
        assertThat(completed.getMessage()).contains("No commits between main and agent-x");
    }

    @Test
    void aWriteHitBy5xxIsReportedTransientAndNotRepeated() {
        github.script("POST", "/repos/octo/hello/issues", GitHubStandIn.serverError(502));

        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("transient");
        assertThat(completed.getRetryable()).isTrue();
        assertThat(github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
    }

    @Test
    void anUnexpectedFailureIsAnsweredAsTransientInsteadOfRedeliveredForever() {
        ToolCallExecutor executor = new ToolCallExecutor(harness.installations, harness.tokens,
                request -> {
                    throw new IllegalStateException("a bug");
                }, new InMemoryCompletionStore(10), harness.clock);

        ToolCallCompleted completed = executor.execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(completed.getErrorCode()).isEqualTo("transient");
        assertThat(completed.getMessage()).contains("IllegalStateException").doesNotContain(
                "a bug");
    }
}
