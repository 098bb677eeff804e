package dev.tollgate.executor;

import static dev.tollgate.executor.GitHubStandIn.serverError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.AnswerLimit;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.WritePacer;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code get_job_log}'s second hop, the signed URL on GitHub's log storage, through the chain the
 * assembly builds (OkHttp, the metrics' timing, retries, breakers and the log fetches' bulkhead)
 * against the stand-in on loopback, whose {@code /_signed/} answers stand for the store: the fetch
 * is timed apart from the API's requests, bounded by the call's deadline and the most read of one
 * answer, and a failing or hanging store pauses log fetches only, never GitHub's other calls.
 */
class JobLogStorageTest {

    private static final long JOB = 29_679_449_000L;
    private static final String LOGS = "/repos/octo/hello/actions/jobs/" + JOB + "/logs";
    private static final long MAX_RESPONSE = 256 * 1024;
    /** The call's deadline here (15 s in production): long enough for a busy machine's calls. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    private final ExecutorHarness harness = new ExecutorHarness();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ResponseBudget budget = new ResponseBudget(4 * MAX_RESPONSE, MAX_RESPONSE,
            Duration.ofSeconds(30));
    private final Bulkhead logFetches = ResilientTransport.redirectBulkhead(2);
    private final ResilientTransport transport = new ResilientTransport(ExecutorMetrics.timed(
            new OkHttpTransport(harness.github.apiUrl(), OkHttpTransport.defaultClient()
                    .newBuilder().callTimeout(CALL_TIMEOUT).build(), budget),
            registry), "stand-in", RetryPolicy.defaults(),
            ResilientTransport.breakerFor(
                    "stand-in", ExecutorHarness.OPEN_WAIT, harness.clock),
            ExecutorHarness.OPEN_WAIT, new WritePacer(Duration.ofSeconds(1), harness.clock,
                    pause -> {
                    }),
            harness.scheduler, harness.clock).fetchingRedirectsWithin(logFetches)
            .reportingRedirectRefusals(ExecutorMetrics.redirectRefusals(registry));
    private final ToolCallExecutor executor = new ToolCallExecutor(harness.installations,
            harness.tokens, transport, new InMemoryCompletionStore(100), harness.clock).limitedBy(
                    AnswerLimit.defaults(), budget);
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    {
        harness.github.repo("octo", "hello").jobLogs.put(JOB, "line 1\nline 2\nError: exit 1\n");
        harness.github.repo("octo", "hello").files.put("README.md", "hello");
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        harness.close();
    }

    private ToolCallCompleted jobLog() {
        return executor.execute(harness.decision("get_job_log", "{\"owner\":\"octo\","
                + "\"repo\":\"hello\",\"job_id\":" + JOB + ",\"tail_lines\":2}"));
    }

    private ToolCallCompleted getFile() {
        return executor.execute(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"README.md\"}"));
    }

    private List<GitHubStandIn.Received> storageRequests() {
        return harness.github.requests("GET", "/_signed/");
    }

    private static void assertSucceeded(ToolCallCompleted answer) {
        assertThat(answer.getStatus()).as(answer.getErrorCode() + ": " + answer.getMessage())
                .isEqualTo(CallStatus.SUCCEEDED);
    }

    private long redirectsTimed(String status) {
        Timer timer = registry.find(ExecutorMetrics.GITHUB_REDIRECTS).tag("status", status)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    /** A log that drips 10 bytes a second: far longer than the call's deadline. */
    private static MockResponse dripping() {
        return new MockResponse.Builder().code(200).body("x".repeat(1_000)).throttleBody(10, 1,
                TimeUnit.SECONDS).build();
    }

    @Test
    void aJobLogFetchIsTimedApartFromGitHubsApiRequests() {
        ToolCallCompleted answer = jobLog();

        assertSucceeded(answer);
        assertThat(redirectsTimed("2xx")).as("the signed URL's fetch, as "
                + ExecutorMetrics.GITHUB_REDIRECTS + ": " + registry.getMetersAsString())
                .isEqualTo(1);
        assertThat(registry.find(ExecutorMetrics.GITHUB_REQUESTS).timers()).as(
                "the API's requests: the logs URL's 302 only, not the store's answer")
                .singleElement().satisfies(api -> {
                    assertThat(api.getId().getTag("status")).isEqualTo("3xx");
                    assertThat(api.count()).isEqualTo(1);
                });
    }

    @Test
    void aLogStorageThatDripsIsCutAtTheCallsDeadlineSaidSoAndHoldsNothing() {
        harness.github.script("GET", "/_signed/", dripping());

        ToolCallCompleted answer = jobLog();

        assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo("transient");
        assertThat(answer.getRetryable()).isTrue();
        assertThat(answer.getMessage()).contains("the log storage GitHub redirected GET " + LOGS,
                "did not answer in time", "GitHub's API answered").doesNotContain("sig=");
        assertThat(redirectsTimed("io_error")).isEqualTo(1);
        assertThat(budget.held()).as("no byte of the answer kept").isZero();
        assertThat(logFetches.getMetrics().getAvailableConcurrentCalls()).as(
                "the fetch's place given back").isEqualTo(2);
        assertSucceeded(jobLog());
    }

    @Test
    void aLogLargerThanTheMostReadOfOneAnswerIsCutThereAndHoldsNothing() {
        harness.github.script("GET", "/_signed/", new MockResponse.Builder().chunkedBody("x"
                .repeat(4 * 1024 * 1024), 64 * 1024).build(), // no declared length
                new MockResponse.Builder().body("y".repeat(3 * 1024 * 1024)).build());

        ToolCallCompleted unknownLength = jobLog();
        ToolCallCompleted declared = jobLog();

        for (ToolCallCompleted answer : List.of(unknownLength, declared)) {
            assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo(
                    "result_too_large");
            assertThat(answer.getMessage()).contains("redirected GET " + LOGS, "larger than "
                    + MAX_RESPONSE + " bytes", "tollgate.github.max-response-bytes");
        }
        assertThat(unknownLength.getMessage()).contains("at least " + (MAX_RESPONSE + 1));
        assertThat(declared.getMessage()).contains("at least " + 3 * 1024 * 1024);
        assertThat(budget.peak()).as("never read past the limit").isLessThanOrEqualTo(
                MAX_RESPONSE + 1);
        assertThat(budget.held()).isZero();
        assertThat(redirectsTimed("too_large")).isEqualTo(2);
    }

    @Test
    void aLogStoragesErrorAnswerIsToldAsTheStoresByItsHostNotAsGitHubsAnswer() {
        String host = harness.github.apiUrl().getHost();
        harness.github.script("GET", "/_signed/", new MockResponse.Builder().code(503).addHeader(
                "Content-Type", "application/json").body(
                        "{\"message\":\"Server busy, try"
                                + " /_signed/job-logs/1?sig=leaked\"}")
                .build(),
                new MockResponse.Builder().code(403).addHeader("Content-Type", "application/xml")
                        .body("<Error><Code>AuthenticationFailed</Code></Error>").build(),
                new MockResponse.Builder().code(404).build());

        ToolCallCompleted busy = jobLog();
        ToolCallCompleted refused = jobLog();
        ToolCallCompleted gone = jobLog();

        assertThat(busy.getErrorCode()).as(busy.getMessage()).isEqualTo("transient");
        assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo("transient");
        assertThat(gone.getErrorCode()).as(gone.getMessage()).isEqualTo("not_found");
        for (ToolCallCompleted answer : List.of(busy, refused, gone)) {
            assertThat(answer.getMessage()).as("told as the store's answer, by its host")
                    .startsWith(answer.getErrorCode() + ": the log storage GitHub redirected GET "
                            + LOGS + " to (" + host + ") answered HTTP ")
                    .doesNotContain("GitHub answered", "sig=", "_signed", "Server busy");
        }
        assertThat(busy.getMessage()).contains("HTTP 503");
        assertThat(refused.getMessage()).contains("HTTP 403");
        assertThat(storageRequests()).hasSize(3);
    }

    @Test
    void aFailingLogStorageOpensItsOwnBreakerAndPausesLogFetchesOnlyNotGitHubsCalls() {
        for (int i = 0; i < 10; i++) {
            harness.github.script("GET", "/_signed/", serverError(503));
        }
        for (int i = 0; i < 10; i++) {
            ToolCallCompleted failed = jobLog();
            assertThat(failed.getErrorCode()).as(failed.getMessage()).isEqualTo("transient");
        }

        ToolCallCompleted paused = jobLog();

        assertThat(paused.getErrorCode()).as(paused.getMessage()).isEqualTo(
                "upstream_unavailable");
        assertThat(paused.getRetryable()).isTrue();
        assertThat(paused.getRetryAt()).isEqualTo(harness.clock.instant().plus(
                ExecutorHarness.OPEN_WAIT));
        assertThat(paused.getMessage()).contains("log storage", "GitHub's other calls go on");
        assertThat(storageRequests()).as("nothing sent to the store while its breaker is open")
                .hasSize(10);
        assertThat(harness.github.requests("GET", LOGS)).as("nor the logs URL asked for a"
                + " redirect that could not be followed").hasSize(10);
        assertThat(redirectsTimed("breaker_open")).as(registry.getMetersAsString()).isEqualTo(1);
        assertThat(transport.storageBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(transport.hostBreaker().getState()).as("GitHub's API breaker").isEqualTo(
                CircuitBreaker.State.CLOSED);
        assertThat(transport.breakerOf(new GitHubRequest.Caller(42, "agent-7")).getState()).as(
                "the agent's breaker").isEqualTo(CircuitBreaker.State.CLOSED);
        assertSucceeded(getFile());

        harness.clock.advance(ExecutorHarness.OPEN_WAIT.plusSeconds(1));

        assertSucceeded(jobLog());
        assertThat(storageRequests()).hasSize(11);
        assertThat(harness.github.requests("GET", LOGS)).hasSize(11);
    }

    @Test
    void logFetchesBeyondTheBulkheadAreRefusedAtOnceWhileAHangingStoreHoldsTheOthers()
            throws Exception {
        harness.github.script("GET", "/_signed/", dripping(), dripping());
        List<Future<ToolCallCompleted>> hanging = List.of(callers.submit(this::jobLog), callers
                .submit(this::jobLog));
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (storageRequests().size() < 2 && System.nanoTime() < waitUntil) {
            Thread.sleep(20);
        }
        assertThat(storageRequests()).as("both hanging fetches reached the store").hasSize(2);

        ToolCallCompleted refused = jobLog();

        assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo("transient");
        assertThat(refused.getRetryable()).isTrue();
        assertThat(refused.getMessage()).contains("already fetching 2 job logs",
                "tollgate.executor.max-in-flight");
        assertThat(storageRequests()).as("the third fetch was never sent").hasSize(2);
        assertThat(redirectsTimed("bulkhead_full")).as(registry.getMetersAsString()).isEqualTo(
                1);
        assertSucceeded(getFile());
        for (Future<ToolCallCompleted> call : hanging) {
            ToolCallCompleted cut = call.get(120, TimeUnit.SECONDS);
            assertThat(cut.getMessage()).contains("did not answer in time");
        }
        assertThat(logFetches.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
        assertSucceeded(jobLog());
    }
}
