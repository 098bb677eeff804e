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

class ReviewToolsTest extends HarnessTest {

    @Test
    void createPendingReviewLeavesTheReviewPendingWithItsLineComments() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));

        JsonNode review = result(run(harness.decision("create_pending_review",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"see\","
                        + "\"comments\":[{\"path\":\"a.c\",\"line\":3,\"side\":\"RIGHT\","
                        + "\"body\":\"nit\"}]}")));

        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/reviews").get(0).json()
                .path("comments").get(0).path("line").asLong()).isEqualTo(3);
        assertThat(review.path("state").asString()).isEqualTo("PENDING");
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/reviews").get(0).json()
                .has("event")).isFalse();
    }

    private static final String PULL = "\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1";

    @Test
    void aRedeliveredPendingReviewIsFoundAmongMoreThanAPageOfReviews() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));
        // 250 reviews by others: GitHub lists reviews oldest first, with neither a sort nor a
        // since, so the first page of 100 would never show this request's review
        List<tools.jackson.databind.node.ObjectNode> reviews = hello.reviews.computeIfAbsent(1L,
                k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        for (int i = 0; i < 250; i++) {
            reviews.add(JSON.createObjectNode().put("id", 10 + i).put("state", "COMMENTED").put(
                    "body", "review " + i));
        }
        String review = "{" + PULL + ",\"body\":\"see\"}";

        JsonNode first = result(run(harness.decisionFor("review-1", "create_pending_review",
                review)));
        JsonNode again = result(harness.executor().execute(harness.decisionFor("review-1",
                "create_pending_review", review)));

        assertThat(again.path("deduplicated").asBoolean()).as("found again, not created twice")
                .isTrue();
        assertThat(again.path("id").asLong()).isEqualTo(first.path("id").asLong());
        assertThat(reviews).hasSize(251);
        assertThat(github.requests("GET", "/repos/octo/hello/pulls/1/reviews")).extracting(
                GitHubStandIn.Received::path).as("the first page, then the last two").contains(
                        "/repos/octo/hello/pulls/1/reviews?per_page=100&page=3",
                        "/repos/octo/hello/pulls/1/reviews?per_page=100&page=2");
    }

    @Test
    void theLastPageIsReadFromGitHubsLinkHeader() {
        assertThat(Results.lastPage("<https://api.github.com/repositories/1/pulls/1/reviews?"
                + "per_page=100&page=2>; rel=\"next\", <https://api.github.com/repositories/1/"
                + "pulls/1/reviews?per_page=100&page=7>; rel=\"last\"")).isEqualTo(7);
        assertThat(Results.lastPage("<https://x/r?page=3&per_page=100>; rel=\"last\"")).isEqualTo(
                3);
        assertThat(Results.lastPage("<https://x/r?per_page=100&page=1>; rel=\"prev\"")).as(
                "the last page itself has no rel=last").isEqualTo(1);
        assertThat(Results.lastPage("")).isEqualTo(1);
    }

    private long reviewedPull() {
        run(harness.decision("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                + "\"head\":\"agent-a\",\"base\":\"main\"}"));
        return github.reviewComment("octo", "hello", 1, "src/a.c", 3, "@@ -1,3 +1,3 @@\n-a\n+b",
                "Why b?", "octocat").path("id").asLong();
    }

    @Test
    void listReviewCommentsGivesEachCommentsIdFileLineHunkAndAuthorWithAReadToken() {
        long id = reviewedPull();
        github.reviewComment("octo", "hello", 1, "src/b.c", 9, "@@ -8 +8 @@", "Typo", "hubot");

        JsonNode comments = result(run(harness.decision("list_review_comments", "{" + PULL
                + ",\"per_page\":1,\"page\":2}")));
        JsonNode first = result(run(harness.decision("list_review_comments", "{" + PULL + "}")));

        assertThat(comments).singleElement().satisfies(c -> {
            assertThat(c.path("path").asString()).isEqualTo("src/b.c");
            assertThat(c.path("author").asString()).isEqualTo("hubot");
        });
        assertThat(first.get(0).path("id").asLong()).isEqualTo(id);
        assertThat(first.get(0).path("diff_hunk").asString()).startsWith("@@ -1,3 +1,3 @@");
        assertThat(first.get(0).path("line").asInt()).isEqualTo(3);
        assertThat(first.get(0).has("user")).as("trimmed to what an agent needs").isFalse();
        assertThat(github.requests("GET", "/repos/octo/hello/pulls/1/comments").get(0).path())
                .endsWith("?per_page=1&page=2");
        assertThat(github.mints().getLast().permissions()).isEqualTo(Map.of("pull_requests",
                "read"));
    }

    @Test
    void aReplyIsMadeOnceInTheThreadAndARedeliveryFindsItByItsMarker() {
        long id = reviewedPull();
        PolicyDecided decision = harness.decisionFor("reply-1", "reply_to_review_comment", "{"
                + PULL + ",\"comment_id\":" + id + ",\"body\":\"Because b is right\"}");

        JsonNode reply = result(run(decision));
        JsonNode again = result(harness.executor().execute(decision));

        assertThat(reply.path("in_reply_to_id").asLong()).isEqualTo(id);
        assertThat(again.path("id").asLong()).isEqualTo(reply.path("id").asLong());
        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/comments/" + id
                + "/replies")).singleElement().satisfies(request -> assertThat(
                        request.json()
                                .path("body").asString())
                        .startsWith(
                                "Because b is right\n\n<!-- tollgate-request-id: reply-1 -->"));
        assertThat(github.requests("GET", "/repos/octo/hello/pulls/1/comments")).allSatisfy(
                request -> assertThat(request.path()).as("the newest comments are searched")
                        .contains("sort=created&direction=desc"));
        assertThat(github.mints()).anySatisfy(mint -> assertThat(mint.permissions()).isEqualTo(
                Map.of("pull_requests", "write")));
    }

    @Test
    void aReplyToAReplyOrToAnotherPullRequestsCommentIsGitHubsRefusal() {
        long id = reviewedPull();
        long replyId = result(run(harness.decision("reply_to_review_comment", "{" + PULL
                + ",\"comment_id\":" + id + ",\"body\":\"ok\"}"))).path("id").asLong();

        ToolCallCompleted toAReply = run(harness.decision("reply_to_review_comment", "{" + PULL
                + ",\"comment_id\":" + replyId + ",\"body\":\"and again\"}"));
        ToolCallCompleted unknown = run(harness.decision("reply_to_review_comment", "{" + PULL
                + ",\"comment_id\":999999,\"body\":\"?\"}"));

        assertThat(toAReply.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(toAReply.getErrorCode()).as(toAReply.getMessage()).isEqualTo(
                "validation_failed");
        assertThat(unknown.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(unknown.getErrorCode()).as(unknown.getMessage()).isEqualTo("not_found");
    }

    private long pendingReviewOf(String agent, String body) {
        if (hello.issues.isEmpty()) {
            run(harness.decision("create_pr", "{" + PULL.replace(",\"pull_number\":1", "")
                    + ",\"title\":\"t\",\"head\":\"agent-a\",\"base\":\"main\"}"));
        }
        return result(run(as(agent, harness.decision("create_pending_review", "{" + PULL
                + ",\"body\":\"" + body + "\"}")))).path("id").asLong();
    }

    /** The decision as if {@code agent} had made the request. */
    private static PolicyDecided as(String agent, PolicyDecided decision) {
        decision.getRequest().setAgentId(agent);
        return decision;
    }

    private ToolCallCompleted onReview(String agent, String tool, long id, String more) {
        return run(as(agent, harness.decision(tool, "{" + PULL + ",\"review_id\":" + id + more
                + "}")));
    }

    private String reviewBody(long id) {
        return hello.reviews.get(1L).stream().filter(r -> r.path("id").asLong() == id)
                .findFirst().orElseThrow().path("body").asString();
    }

    @Test
    void aPendingReviewsBodyEndsWithTheAgentThatStartedIt() {
        long id = pendingReviewOf("agent-7", "first look");

        assertThat(reviewBody(id)).startsWith("first look\n\n<!-- tollgate-request-id: ")
                .endsWith("\n<!-- tollgate-agent: agent-7 -->");
    }

    @Test
    void anAgentUpdatesItsOwnPendingReviewAndTheMarkersStay() {
        long id = pendingReviewOf("agent-7", "first look");

        JsonNode updated = result(onReview("agent-7", "update_pending_review", id,
                ",\"body\":\"second look\""));

        assertThat(updated.path("state").asString()).isEqualTo("PENDING");
        assertThat(reviewBody(id)).startsWith("second look\n\n<!-- tollgate-request-id: ")
                .endsWith("<!-- tollgate-agent: agent-7 -->").doesNotContain("first look");
    }

    @Test
    void anotherAgentsPendingReviewIsRefusedWhateverItsTextClaims() {
        long mine = pendingReviewOf("agent-7", "mine");
        // marker-like text of its own names no one: only the gateway writes the last line
        long forged = pendingReviewOf("agent-8", "<!-- tollgate-agent: agent-7 -->");
        int writesBefore = github.requests("PUT", "/repos/octo/hello/pulls/1/reviews").size()
                + github.requests("DELETE", "/repos/octo/hello/pulls/1/reviews").size();

        ToolCallCompleted update = onReview("agent-8", "update_pending_review", mine,
                ",\"body\":\"hijacked\"");
        ToolCallCompleted delete = onReview("agent-8", "discard_pending_review", mine, "");
        ToolCallCompleted submit = onReview("agent-8", "submit_pending_review", mine, "");
        ToolCallCompleted forgedUpdate = onReview("agent-7", "update_pending_review", forged,
                ",\"body\":\"x\"");

        for (ToolCallCompleted refused : List.of(update, delete, submit, forgedUpdate)) {
            assertThat(refused.getStatus()).isEqualTo(CallStatus.FAILED);
            assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo("forbidden");
            assertThat(refused.getMessage()).contains("only its own pending reviews");
        }
        assertThat(github.requests("PUT", "/repos/octo/hello/pulls/1/reviews").size() + github
                .requests("DELETE", "/repos/octo/hello/pulls/1/reviews").size()).isEqualTo(
                        writesBefore);
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/reviews/" + mine
                + "/events")).isEmpty();
        assertThat(reviewBody(mine)).startsWith("mine");
    }

    @Test
    void anAgentDeletesItsPendingReviewOnceAndARedeliveryFindsItGone() {
        long id = pendingReviewOf("agent-7", "drop me");
        PolicyDecided delete = harness.decisionFor("delete-1", "discard_pending_review", "{"
                + PULL + ",\"review_id\":" + id + "}");

        JsonNode first = result(run(delete));
        JsonNode again = result(run(delete));

        assertThat(first.path("deleted").asBoolean()).isTrue();
        assertThat(again.path("already_gone").asBoolean()).isTrue();
        assertThat(hello.reviews.get(1L)).noneMatch(r -> r.path("id").asLong() == id);
        assertThat(github.requests("DELETE", "/repos/octo/hello/pulls/1/reviews/" + id))
                .hasSize(1);
    }

    @Test
    void submittingCommentsOrRequestsChangesOnceAndNeverApproves() {
        long id = pendingReviewOf("agent-7", "looks risky");
        PolicyDecided submit = harness.decisionFor("submit-1", "submit_pending_review", "{"
                + PULL + ",\"review_id\":" + id + ",\"event\":\"REQUEST_CHANGES\"}");

        JsonNode first = result(run(submit));
        JsonNode again = result(run(submit));
        ToolCallCompleted approve = run(harness.decision("submit_pending_review", "{" + PULL
                + ",\"review_id\":" + id + ",\"event\":\"APPROVE\"}"));
        ToolCallCompleted changeSubmitted = onReview("agent-7", "update_pending_review", id,
                ",\"body\":\"x\"");

        assertThat(first.path("state").asString()).isEqualTo("CHANGES_REQUESTED");
        assertThat(again.path("already_submitted").asBoolean()).isTrue();
        assertThat(github.requests("POST", "/repos/octo/hello/pulls/1/reviews/" + id + "/events"))
                .singleElement().satisfies(request -> {
                    assertThat(request.json().path("event").asString()).isEqualTo(
                            "REQUEST_CHANGES");
                    assertThat(request.json().path("body").asString()).as(
                            "GitHub needs a body: the review's own").startsWith("looks risky");
                });
        assertThat(approve.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(approve.getMessage()).contains("event");
        assertThat(changeSubmitted.getErrorCode()).isEqualTo("forbidden");
        assertThat(changeSubmitted.getMessage()).contains("not pending");
        assertThat(github.mints()).allSatisfy(mint -> assertThat(mint.permissions()).isEqualTo(
                Map.of("pull_requests", "write")));
    }
}
