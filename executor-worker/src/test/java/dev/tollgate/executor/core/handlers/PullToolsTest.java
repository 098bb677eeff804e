package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class PullToolsTest extends HarnessTest {

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
    void createPullRequestCommentCarriesAHiddenMarker() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        JsonNode comment = result(run(harness.decision("create_pull_request_comment",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"LGTM\"}")));

        assertThat(comment.path("id").asLong()).isPositive();
        assertThat(hello.comments.get(1L)).singleElement().satisfies(c -> assertThat(c.path(
                "body").asString()).startsWith("LGTM\n\n<!-- tollgate-request-id: "));
    }

    @Test
    void requestReviewersAsksOnceWithOneCallAndARedeliveryChangesNothing() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));
        PolicyDecided decision = harness.decisionFor("reviewers-1", "request_reviewers",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,"
                        + "\"reviewers\":[\"octocat\",\"hubot\"]}");

        JsonNode asked = result(run(decision));
        ToolCallCompleted again = harness.executor().execute(harness.decisionFor("reviewers-2",
                "request_reviewers", "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,"
                        + "\"reviewers\":[\"octocat\"]}"));
        ToolCallCompleted notALogin = run(harness.decision("request_reviewers",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,"
                        + "\"reviewers\":[\"tollgate[bot]\"]}"));

        assertThat(asked.path("requested_reviewers")).extracting(JsonNode::asString)
                .containsExactly("octocat", "hubot");
        assertThat(result(again).path("requested_reviewers")).hasSize(2);
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/requested_reviewers"))
                .as("one call each, no marker search; a name that is no login never reaches"
                        + " GitHub")
                .hasSize(2);
        assertThat(github.requests("GET", "/repos/octo/hello/pulls/1")).isEmpty();
        assertThat(notALogin.getStatus()).isEqualTo(CallStatus.FAILED);
        // the executor holds a decision to the tool's definition again (the ingress refuses such
        // a call before, invalid_arguments): arguments it refuses are never performed
        assertThat(notALogin.getErrorCode()).isEqualTo("forbidden");
    }

    @Test
    void getPullRequestGivesHeadBaseAndSizes() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        JsonNode pull = result(run(harness.decision("get_pull_request",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}")));

        assertThat(pull.path("number").asLong()).isEqualTo(1);
        assertThat(pull.path("head").path("ref").asString()).isEqualTo("agent-a");
        assertThat(pull.path("base").path("ref").asString()).isEqualTo("main");
        assertThat(pull.path("draft").asBoolean()).isTrue();
    }

    @Test
    void aNumberThatIsAnIssueIsNotFoundAsAPullRequest() {
        run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        ToolCallCompleted answer = run(harness.decision("get_pull_request",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}"));

        assertThat(answer.getErrorCode()).isEqualTo("not_found");
    }

    @Test
    void listPullRequestFilesGivesEachFilesStatusAndPatch() {
        github.script("GET", "/repos/octo/hello/pulls/7/files", GitHubStandIn.json(200, JSON
                .readTree(
                        """
                                [{"sha": "bbcd538c8e72b8c175046e27cc8f907076331401",
                                  "filename": "src/App.java", "status": "modified", "additions": 2,
                                  "deletions": 1, "changes": 3,
                                  "blob_url": "https://github.com/octo/hello/blob/x/src/App.java",
                                  "raw_url": "https://github.com/octo/hello/raw/x/src/App.java",
                                  "contents_url": "https://api.github.com/repos/octo/hello/contents/src/App.java?ref=x",
                                  "patch": "@@ -1 +1,2 @@\\n-old\\n+new\\n+more"}]
                                """)));

        JsonNode files = result(run(harness.decision("list_pull_request_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":7,\"per_page\":100}")));

        assertThat(files).singleElement().satisfies(file -> {
            assertThat(file.path("filename").asString()).isEqualTo("src/App.java");
            assertThat(file.path("patch").asString()).startsWith("@@ -1 +1,2 @@");
            assertThat(file.has("raw_url")).isFalse();
        });
        assertThat(github.requests("GET", "/repos/octo/hello/pulls/7/files")).singleElement()
                .satisfies(request -> assertThat(request.path()).endsWith("per_page=100&page=1"));
    }
    @Test
    void aPullRequestFromAForkNamesTheForksOwnerAndTheRepositoryThePolicyGranted() {
        JsonNode opened = result(run(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"Fix\","
                        + "\"head\":\"Contributor:agent-fix\",\"base\":\"main\"}")));

        assertThat(opened.path("draft").asBoolean()).isTrue();
        assertThat(github.requests("POST", "/repos/octo/hello/pulls")).singleElement()
                .satisfies(request -> {
                    assertThat(request.json().path("head").asString()).isEqualTo(
                            "contributor:agent-fix");
                    assertThat(request.json().path("head_repo").asString()).isEqualTo("hello");
                });
        JsonNode pull = result(run(harness.decision("get_pull_request",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}")));
        assertThat(pull.path("head").path("repository").asString()).isEqualTo(
                "contributor/hello");
    }

    @Test
    void aPullRequestFromThisRepositorySendsThePlainBranch() {
        result(run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\","
                + "\"title\":\"t\",\"head\":\"agent-y\",\"base\":\"main\"}")));

        assertThat(github.requests("POST", "/repos/octo/hello/pulls")).singleElement()
                .satisfies(request -> {
                    assertThat(request.json().path("head").asString()).isEqualTo("agent-y");
                    assertThat(request.json().has("head_repo")).isFalse();
                });
    }

    @Test
    void markReadyForReviewTakesADraftOutOfDraftThroughGraphQlOnce() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\",\"draft\":true}"));
        PolicyDecided decision = harness.decisionFor("ready-1", "mark_ready_for_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}");

        ToolCallCompleted completed = run(decision);
        ToolCallCompleted again = harness.executor().execute(harness.decisionFor("ready-1",
                "mark_ready_for_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}"));

        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(result(completed).path("draft").asBoolean(true)).isFalse();
        assertThat(hello.pulls().get(0).path("draft").asBoolean(true)).isFalse();
        assertThat(result(again).path("already_ready").asBoolean()).as(
                "a redelivery finds it ready").isTrue();
        assertThat(github.requests("POST", "/graphql")).as("one mutation").singleElement()
                .satisfies(request -> {
                    assertThat(request.json().path("query").asString()).contains(
                            "markPullRequestReadyForReview");
                    assertThat(request.json().path("variables").path("id").asString())
                            .isEqualTo(hello.pulls().get(0).path("node_id").asString());
                });
        assertThat(github.mints()).allSatisfy(mint -> assertThat(mint.permissions()).isEqualTo(
                Map.of("pull_requests", "write")));
    }

    @Test
    void graphQlRefusalsAreClassifiedLikeRestOnes() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\",\"draft\":true}"));
        github.script("POST", "/graphql", GitHubStandIn.json(200, "{\"data\":null,\"errors\":[{"
                + "\"type\":\"FORBIDDEN\",\"message\":\"Resource not accessible by integration\""
                + "}]}"));

        ToolCallCompleted refused = run(harness.decision("mark_ready_for_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1}"));
        ToolCallCompleted missing = run(harness.decision("mark_ready_for_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":9}"));

        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("Resource not accessible by integration");
        assertThat(missing.getErrorCode()).isEqualTo("not_found");
        assertThat(PullTools.graphQlError(JSON.readTree("{\"type\":\"NOT_FOUND\","
                + "\"message\":\"x\"}")).errorClass().code()).isEqualTo("not_found");
        assertThat(PullTools.graphQlError(JSON.readTree("{\"message\":\"odd\"}")).errorClass()
                .code()).isEqualTo("validation_failed");
    }

    /** A new commit on {@code branch} of the stand-in's hello repository; its SHA. */
    private String commitOn(String branch) {
        String parent = hello.refs.get(branch);
        String sha = GitHubStandIn.sha("on-" + branch + "-" + parent);
        ObjectNode commit = JSON.createObjectNode().put("sha", sha).put("message", "work");
        commit.putObject("tree").put("sha", GitHubStandIn.sha("tree-" + sha));
        commit.putArray("parents").addObject().put("sha", parent);
        hello.commits.put(sha, commit);
        hello.refs.put(branch, sha);
        return sha;
    }

    private static final String UPDATE = "{\"owner\":\"octo\",\"repo\":\"hello\","
            + "\"pull_number\":1,\"branch\":\"%s\",\"base\":\"main\","
            + "\"expected_head_sha\":\"%s\"}";

    @Test
    void updatePullRequestBranchMergesTheBaseIntoTheHeadOnceAndARedeliveryWritesNothing() {
        hello.refs.put("agent-a", hello.refs.get("main"));
        String head = commitOn("agent-a");
        String base = commitOn("main");
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));
        String arguments = UPDATE.formatted("agent-a", head);

        ToolCallCompleted completed = run(harness.decisionFor("update-1",
                "update_pull_request_branch", arguments));
        ToolCallCompleted again = harness.executor().execute(harness.decisionFor("update-1",
                "update_pull_request_branch", arguments));

        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        JsonNode merge = hello.commits.get(hello.refs.get("agent-a"));
        assertThat(merge.path("parents").findValuesAsString("sha")).containsExactly(head, base);
        assertThat(result(completed).path("updated_from").asString()).isEqualTo(head);
        assertThat(again.getStatus()).as(again.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(result(again).path("already_updated").asBoolean()).as(
                "a redelivery finds the head already merged from the commit named").isTrue();
        assertThat(github.requests("PUT", "/repos/octo/hello/pulls/1/update-branch")).as(
                "one update").singleElement().satisfies(
                        request -> assertThat(request.json()
                                .path("expected_head_sha").asString()).isEqualTo(head));
        assertThat(hello.forcedUpdates).isEmpty();
        assertThat(github.mints()).filteredOn(mint -> mint.permissions().containsKey(
                "contents")).isNotEmpty().allSatisfy(mint -> assertThat(mint.permissions())
                        .isEqualTo(Map.of("contents", "write", "pull_requests", "write")));
    }

    @Test
    void updatePullRequestBranchChangesNothingWhenTheHeadMovedOrIsNotTheBranchNamed() {
        hello.refs.put("agent-a", hello.refs.get("main"));
        String head = commitOn("agent-a");
        commitOn("main");
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));
        String stale = hello.refs.get("main");

        ToolCallCompleted moved = run(harness.decision("update_pull_request_branch", UPDATE
                .formatted("agent-a", stale)));
        ToolCallCompleted otherBranch = run(harness.decision("update_pull_request_branch",
                UPDATE.formatted("agent-b", head)));

        assertThat(moved.getErrorCode()).isEqualTo("conflict");
        assertThat(moved.getMessage()).contains("pull request #1's head is " + head + ", not "
                + stale);
        assertThat(otherBranch.getErrorCode()).isEqualTo("forbidden");
        assertThat(otherBranch.getMessage()).contains(
                "pull request #1's head branch is 'agent-a', not 'agent-b'");
        assertThat(github.requests("PUT", "/repos/octo/hello/pulls/1/update-branch")).isEmpty();
        assertThat(hello.refs.get("agent-a")).isEqualTo(head);
    }

    @Test
    void updatePullRequestBranchChangesNothingWhenTheBaseIsNotTheBranchDecidedOn() {
        hello.refs.put("agent-a", hello.refs.get("main"));
        String head = commitOn("agent-a");
        commitOn("main");
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        ToolCallCompleted refused = run(harness.decision("update_pull_request_branch", UPDATE
                .formatted("agent-a", head).replace("\"base\":\"main\"",
                        "\"base\":\"release\"")));

        assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains(
                "pull request #1's base branch is 'main', not 'release'");
        assertThat(github.requests("PUT", "/repos/octo/hello/pulls/1/update-branch")).isEmpty();
        assertThat(hello.refs.get("agent-a")).isEqualTo(head);
    }

    @Test
    void updatePullRequestBranchLeavesAForksHeadToTheForksOwnGrant() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"someone:agent-a\",\"base\":\"main\"}"));

        ToolCallCompleted refused = run(harness.decision("update_pull_request_branch", UPDATE
                .formatted("agent-a", "a".repeat(40))));

        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("head is in someone/hello, not octo/hello",
                "the pull request's own repository only");
        assertThat(github.requests("PUT", "/repos/octo/hello/pulls/1/update-branch")).isEmpty();
    }

    @Test
    void updatePullRequestBranchPassesOnGitHubsRefusalOfAHeadThatHoldsItsBaseAlready() {
        hello.refs.put("agent-a", hello.refs.get("main"));
        String head = commitOn("agent-a");
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        ToolCallCompleted refused = run(harness.decision("update_pull_request_branch", UPDATE
                .formatted("agent-a", head)));

        assertThat(refused.getErrorCode()).isEqualTo("validation_failed");
        assertThat(refused.getMessage()).contains("There are no new commits on the base branch");
        assertThat(hello.refs.get("agent-a")).isEqualTo(head);
    }
}
