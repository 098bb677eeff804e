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
}
