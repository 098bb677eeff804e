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
    void aRedeliveryFindsItsCommentInAConversationLongerThanOnePage() {
        openIssue("a long discussion");
        // 150 comments from the day before: GitHub lists a conversation oldest first, so the
        // first page of 100 would never show this request's comment
        java.util.List<tools.jackson.databind.node.ObjectNode> thread = hello.comments
                .computeIfAbsent(1L, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        String yesterday = harness.clock.instant().minus(java.time.Duration.ofDays(1)).toString();
        for (int i = 0; i < 150; i++) {
            thread.add(JSON.createObjectNode().put("id", 10 + i).put("body", "older " + i).put(
                    "created_at", yesterday).put("updated_at", yesterday));
        }
        String comment = "{" + REPO + ",\"issue_number\":1,\"body\":\"Done in #2\"}";

        JsonNode first = result(run(harness.decisionFor("long-1", "comment_on_issue", comment)));
        JsonNode again = result(harness.executor().execute(harness.decisionFor("long-1",
                "comment_on_issue", comment)));

        assertThat(again.path("deduplicated").asBoolean()).as("found again, not posted twice")
                .isTrue();
        assertThat(again.path("id").asLong()).isEqualTo(first.path("id").asLong());
        assertThat(thread).hasSize(151);
        assertThat(github.requests("GET", "/repos/octo/hello/issues/1/comments")).allSatisfy(
                request -> assertThat(request.path()).contains("per_page=100", "&since="));
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
