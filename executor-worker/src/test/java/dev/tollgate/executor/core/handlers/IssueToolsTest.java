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
}
