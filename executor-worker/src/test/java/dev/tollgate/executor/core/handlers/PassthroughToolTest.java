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

class PassthroughToolTest extends HarnessTest {

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
}
