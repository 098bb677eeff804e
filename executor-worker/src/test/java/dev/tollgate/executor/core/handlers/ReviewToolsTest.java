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
}
