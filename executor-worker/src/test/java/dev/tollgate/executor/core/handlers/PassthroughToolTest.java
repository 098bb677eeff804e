package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import dev.tollgate.executor.core.AnswerLimit;
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
    private static String issues(int count, int bodyChars) {
        tools.jackson.databind.node.ArrayNode list = JSON.createArrayNode();
        for (int i = 1; i <= count; i++) {
            list.addObject().put("number", i).put("title", "issue " + i).put("body", "\u00e9"
                    .repeat(bodyChars));
        }
        return JSON.writeValueAsString(list);
    }

    @Test
    void anAnswerLargerThanAnAnswerMayCarryIsResultTooLargeWithAPageSizeThatFits() {
        // 100 issues of 3,000 'é': 300,000 characters, but 600,000 bytes as UTF-8 JSON.
        github.script("GET", "/repos/octo/hello/issues", GitHubStandIn.json(200, issues(100,
                3000)));
        ToolCallCompleted tooLarge = harness.executor().limitedBy(new AnswerLimit(400_000), null)
                .execute(harness.decision("github_api_get",
                        "{\"path\":\"/repos/octo/hello/issues\"}"));
        java.util.regex.Matcher perPage = java.util.regex.Pattern.compile(
                "\\{\"per_page\": \"(\\d+)\"\\}").matcher(tooLarge.getMessage());
        assertThat(perPage.find()).as(tooLarge.getMessage()).isTrue();
        int fitting = Integer.parseInt(perPage.group(1));
        github.script("GET", "/repos/octo/hello/issues", GitHubStandIn.json(200, issues(fitting,
                3000)));

        ToolCallCompleted page = harness.executor().limitedBy(new AnswerLimit(400_000), null)
                .execute(harness.decision("github_api_get",
                        "{\"path\":\"/repos/octo/hello/issues\",\"query\":{\"per_page\":\""
                                + fitting + "\"}}"));

        assertThat(tooLarge.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(tooLarge.getErrorCode()).isEqualTo("result_too_large");
        assertThat(tooLarge.getMessage()).contains("GET /repos/octo/hello/issues", "lists 100"
                + " items").containsPattern("is 6\\d{5} bytes as JSON");
        assertThat(fitting).isBetween(30, 66);
        assertThat(result(page).size()).isEqualTo(fitting);
        assertThat(AnswerLimit.sizeOf(page)).isLessThanOrEqualTo(400_000);
    }
}
