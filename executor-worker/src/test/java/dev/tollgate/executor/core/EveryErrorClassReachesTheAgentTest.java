package dev.tollgate.executor.core;

import static dev.tollgate.executor.GitHubStandIn.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each error class, scripted at the GitHub stand-in, comes back to the agent as a classified,
 * readable answer with the right retryable flag (retries exhausted or not worth waiting for).
 */
class EveryErrorClassReachesTheAgentTest {

    /** Retries that give up at once, so each scripted answer is the final one. */
    private final ExecutorHarness harness = new ExecutorHarness(new RetryPolicy(1, Duration
            .ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1), () -> 1.0));

    @AfterEach
    void stop() {
        harness.close();
    }

    static Stream<Arguments> classes() {
        long inAnHour = java.time.Instant.parse("2026-11-21T13:00:00Z").getEpochSecond();
        return Stream.of(
                Arguments.of("rate_limited", true, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", GitHubStandIn.primaryLimit(403, java.time.Instant
                                .ofEpochSecond(inAnHour))),
                        "API rate limit exceeded"),
                Arguments.of("secondary_rate_limited", true, (Consumer<GitHubStandIn>) g -> g
                        .script("GET", "/repos/octo/hello", GitHubStandIn.secondaryLimit(429,
                                120L)),
                        "secondary rate limit"),
                Arguments.of("forbidden", false, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", new MockResponse.Builder(json(403,
                                "{\"message\":\"Resource not accessible by integration\"}"))
                                .addHeader("X-Accepted-GitHub-Permissions", "metadata=read")
                                .build()),
                        "metadata=read"),
                Arguments.of("not_found", false, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", json(404, "{\"message\":\"Not Found\"}")),
                        "Not Found"),
                Arguments.of("validation_failed", false, (Consumer<GitHubStandIn>) g -> g.script(
                        "GET", "/repos/octo/hello", json(422,
                                "{\"message\":\"Validation Failed\",\"errors\":[{\"code\":\"invalid\",\"field\":\"q\"}]}")),
                        "q invalid"),
                Arguments.of("conflict", false, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", json(409,
                                "{\"message\":\"Git Repository is empty.\"}")),
                        "Git Repository is empty."),
                Arguments.of("unauthorized", false, (Consumer<GitHubStandIn>) g -> g.script(
                        "GET", "/repos/octo/hello", json(401, "{\"message\":\"Bad credentials\"}"),
                        json(401, "{\"message\":\"Bad credentials\"}")), "Bad credentials"),
                Arguments.of("transient", true, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", GitHubStandIn.serverError(502)), "HTTP 502"),
                Arguments.of("transient", true, (Consumer<GitHubStandIn>) g -> g.script("GET",
                        "/repos/octo/hello", GitHubStandIn.dropConnection()), "GitHub"));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("classes")
    void comesBackClassified(String code, boolean retryable, Consumer<GitHubStandIn> script,
            String wording) {
        script.accept(harness.github);

        ToolCallCompleted completed = harness.executor().execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(completed.getErrorCode()).isEqualTo(code);
        assertThat(completed.getRetryable()).isEqualTo(retryable);
        assertThat(completed.getMessage()).startsWith(code + ": ").contains(wording);
        assertThat(completed.getAttempts()).isPositive();
    }

    @org.junit.jupiter.api.Test
    void anOpenCircuitIsUpstreamUnavailableWithoutCallingGitHub() {
        harness.breaker.transitionToOpenState();
        ToolCallExecutor executor = harness.executor();

        ToolCallCompleted completed = executor.execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("upstream_unavailable");
        assertThat(completed.getRetryable()).isTrue();
        assertThat(completed.getRetryAt()).isNotNull();
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).isEmpty();
    }
}
