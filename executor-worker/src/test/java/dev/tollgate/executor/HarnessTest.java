package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tests that perform decisions with a real executor against the GitHub stand-in: a harness, the
 * stand-in and its repository {@code octo/hello}, and the helpers to run a decision and read a
 * successful answer.
 */
public abstract class HarnessTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    protected final ExecutorHarness harness = new ExecutorHarness();
    protected final GitHubStandIn github = harness.github;
    protected final GitHubStandIn.Repo hello = github.repo("octo", "hello");

    @AfterEach
    void stopHarness() {
        harness.close();
    }

    protected ToolCallCompleted run(PolicyDecided decision) {
        return harness.executor().execute(decision);
    }

    /** The result of an answer that must have succeeded. */
    protected static JsonNode result(ToolCallCompleted completed) {
        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return JSON.readTree(completed.getResultJson());
    }
}
