package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.testsupport.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code get_job_log} through the transport chain {@link ExecutorAssembly} builds (OkHttp, the
 * metrics' timing, retries and breakers, and the decorator a test or a deployment adds on top):
 * GitHub's 302 to the log's signed URL is followed once, without the token, whatever decorates the
 * chain, so no wrapper can silently turn it into {@code redirect_not_followed}.
 */
class AssembledJobLogTest {

    private static final long JOB = 29_679_449_000L;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            clock);
    private final RecordingScheduler scheduler = new RecordingScheduler(clock);
    private final ExecutorHarness decisions = new ExecutorHarness();

    {
        github.repository("octo", "hello", 42).jobLogs.put(JOB, "line 1\nline 2\nError: exit 1\n");
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        github.close();
        decisions.close();
    }

    private ToolCallExecutor executor(UnaryOperator<GitHubTransport> decorator) {
        GitHubAppConfig app = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        return new ExecutorAssembly(app, clock, minted -> {
        }, new InMemoryCompletionStore(100), RetryPolicy.defaults(), Duration.ZERO, scheduler,
                decorator, Map.of()).build();
    }

    private PolicyDecided jobLog() {
        PolicyDecided decision = decisions.decision("get_job_log",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"job_id\":" + JOB + ",\"tail_lines\":2}");
        decision.getMeta().setOccurredAt(clock.instant()); // the harness's clock is days behind
        return decision;
    }

    private void assertTheLogWasFetchedOnceWithoutTheToken(ToolCallCompleted answer) {
        assertThat(answer.getStatus()).as(answer.getErrorCode() + ": " + answer.getMessage())
                .isEqualTo(CallStatus.SUCCEEDED);
        assertThat(JsonMapper.builder().build().readTree(answer.getResultJson()).path("content")
                .asString()).isEqualTo("line 2\nError: exit 1\n");
        assertThat(github.requests("GET", "/_signed/job-logs/")).as("the signed URL, once")
                .singleElement().satisfies(signed -> assertThat(signed.authorization()).as(
                        "no token to the log's host").isEmpty());
        assertThat(github.requests("GET", "/repos/octo/hello/actions/jobs/")).singleElement()
                .satisfies(logs -> assertThat(logs.authorization()).startsWith("Bearer "));
    }

    @Test
    void theProductionChainFollowsTheJobLogRedirectWithoutTheToken() {
        ToolCallCompleted answer = executor(UnaryOperator.identity()).execute(jobLog());

        assertTheLogWasFetchedOnceWithoutTheToken(answer);
    }

    @Test
    void aFaultInjectingDecoratorOnTheChainStillLetsTheJobLogRedirectThrough() {
        List<String> seen = new CopyOnWriteArrayList<>();
        UnaryOperator<GitHubTransport> counting = transport -> new ForwardingTransport(
                transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                seen.add(request.method() + " " + request.path());
                return super.send(request);
            }
        };

        ToolCallCompleted answer = executor(counting).execute(jobLog());

        assertTheLogWasFetchedOnceWithoutTheToken(answer);
        assertThat(seen).as("the decorator saw the API call, not the signed URL").containsExactly(
                "GET /repos/octo/hello/actions/jobs/" + JOB + "/logs");
    }

    @Test
    void aLogRedirectToALocalAddressIsStillRefusedThroughTheDecoratedChain() {
        github.script("GET", "/repos/octo/hello/actions/jobs/" + JOB + "/logs",
                new mockwebserver3.MockResponse.Builder().code(302).addHeader("Location",
                        "https://169.254.169.254/latest/meta-data/").build());
        UnaryOperator<GitHubTransport> passThrough = transport -> new ForwardingTransport(
                transport) {
        };

        ToolCallCompleted answer = executor(passThrough).execute(jobLog());

        assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo(
                "redirect_not_followed");
        assertThat(github.requests()).as("nothing but the mint and the logs URL").allSatisfy(
                received -> assertThat(received.path()).doesNotContain("meta-data",
                        "_signed"));
    }
}
