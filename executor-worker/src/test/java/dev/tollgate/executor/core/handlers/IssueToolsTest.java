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

class IssueToolsTest extends HarnessTest {

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

    private static final String REPO = "\"owner\":\"octo\",\"repo\":\"hello\"";

    private void openIssue(String title) {
        result(run(harness.decision("create_issue", "{" + REPO + ",\"title\":\"" + title
                + "\",\"labels\":[\"bug\"]}")));
    }

    @Test
    void getIssueGivesTitleBodyLabelsAuthorAndWhetherItIsAPullRequest() {
        openIssue("Crash on start");

        JsonNode issue = result(run(harness.decision("get_issue", "{" + REPO
                + ",\"issue_number\":1}")));

        assertThat(issue.path("title").asString()).isEqualTo("Crash on start");
        assertThat(issue.path("labels")).extracting(JsonNode::asString).containsExactly("bug");
        assertThat(issue.path("author").asString()).isEqualTo("tollgate[bot]");
        assertThat(issue.path("is_pull_request").asBoolean()).isFalse();
        assertThat(issue.has("body")).isTrue();
        assertThat(github.mints().getLast().permissions()).as("the read's own token").isEqualTo(
                Map.of("issues", "read"));
    }

    @Test
    void listIssuesPassesStateLabelsAndPagingAndLeavesBodiesOut() {
        openIssue("one");
        openIssue("two");

        JsonNode issues = result(run(harness.decision("list_issues", "{" + REPO
                + ",\"state\":\"all\",\"labels\":[\"bug\",\"p1\"],\"per_page\":5}")));

        assertThat(issues).hasSize(2);
        assertThat(issues.get(0).has("body")).isFalse();
        assertThat(github.requests("GET", "/repos/octo/hello/issues?state=all&labels="))
                .singleElement().satisfies(request -> assertThat(request.path()).contains(
                        "labels=bug%2Cp1", "sort=updated", "per_page=5", "page=1"));
    }

    @Test
    void commentOnIssueCarriesAMarkerAndARedeliveryFindsItInsteadOfCommentingAgain() {
        openIssue("needs a reply");
        String comment = "{" + REPO + ",\"issue_number\":1,\"body\":\"Looking into it\"}";

        JsonNode first = result(run(harness.decisionFor("comment-1", "comment_on_issue",
                comment)));
        JsonNode again = result(harness.executor().execute(harness.decisionFor("comment-1",
                "comment_on_issue", comment)));
        JsonNode listed = result(run(harness.decision("list_issue_comments", "{" + REPO
                + ",\"issue_number\":1}")));

        assertThat(first.path("id").asLong()).isPositive();
        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(hello.comments.get(1L)).hasSize(1);
        assertThat(listed).singleElement().satisfies(c -> assertThat(c.path("body").asString())
                .startsWith("Looking into it\n\n<!-- tollgate-request-id: comment-1 -->"));
        assertThat(github.mints()).anySatisfy(mint -> assertThat(mint.permissions()).isEqualTo(
                Map.of("issues", "write")));
    }

    @Test
    void updateIssueSendsOnlyWhatIsGivenAndReplacesLabels() {
        openIssue("old title");

        JsonNode updated = result(run(harness.decision("update_issue", "{" + REPO
                + ",\"issue_number\":1,\"state\":\"closed\",\"labels\":[\"done\"]}")));
        ToolCallCompleted nothing = run(harness.decision("update_issue", "{" + REPO
                + ",\"issue_number\":1}"));

        assertThat(updated.path("state").asString()).isEqualTo("closed");
        assertThat(updated.path("title").asString()).isEqualTo("old title");
        assertThat(updated.path("labels")).extracting(JsonNode::asString).containsExactly(
                "done");
        assertThat(github.requests("PATCH", "/repos/octo/hello/issues/1")).singleElement()
                .satisfies(request -> assertThat(request.json().has("title")).isFalse());
        assertThat(nothing.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(nothing.getMessage()).contains("changes nothing");
    }
}
