package dev.tollgate.executor.resilience;

import static dev.tollgate.executor.GitHubStandIn.dropConnection;
import static dev.tollgate.executor.GitHubStandIn.primaryLimit;
import static dev.tollgate.executor.GitHubStandIn.secondaryLimit;
import static dev.tollgate.executor.GitHubStandIn.serverError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.ErrorClassifier;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.MintContext;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.TokenScope;
import dev.tollgate.testsupport.MutableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResilientTransportTest {

    private static final RetryPolicy NO_JITTER = new RetryPolicy(4, Duration.ofMillis(500),
            Duration.ofSeconds(8), Duration.ofSeconds(60), () -> 1.0);

    private ExecutorHarness harness = new ExecutorHarness(NO_JITTER);

    @AfterEach
    void stop() {
        harness.close();
    }

    private GitHubRequest.Credential token(String permission, String level) {
        return new GitHubRequest.Credential.Token(harness.tokens.get(TokenScope.of(42, List.of(
                "octo/hello"), Map.of(permission, level)), MintContext.none()));
    }

    private GitHubResponse getRepo() throws IOException {
        return harness.transport.send(GitHubRequest.get("/repos/octo/hello", token("metadata",
                "read")));
    }

    private GitHubResponse createIssue() throws IOException {
        return harness.transport.send(GitHubRequest.post("/repos/octo/hello/issues", token(
                "issues", "write"), "{\"title\":\"t\"}"));
    }

    @Test
    void retriesAServerErrorReadWithExponentialBackoff() throws Exception {
        harness.github.script("GET", "/repos/octo/hello", serverError(502), serverError(503),
                serverError(500));

        GitHubResponse response = getRepo();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.attempts()).isEqualTo(4);
        assertThat(harness.scheduler.delays()).containsExactly(Duration.ofMillis(500), Duration
                .ofMillis(1000), Duration.ofMillis(2000));
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).hasSize(4);
    }

    @Test
    void aServerErrorStormEndsAsTransientAfterTheLastAttempt() throws Exception {
        harness.github.script("GET", "/repos/octo/hello", serverError(502), serverError(502),
                serverError(502), serverError(502), serverError(502));

        GitHubResponse response = getRepo();

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.attempts()).isEqualTo(4);
        assertThat(ErrorClassifier.classify(response.status(), response.headers(), response
                .body(), harness.clock.instant()).errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    }

    @Test
    void aPrimaryLimitOn403WaitsUntilResetPlusOneSecond() throws Exception {
        Instant reset = harness.clock.instant().plusSeconds(20);
        harness.github.script("GET", "/repos/octo/hello", primaryLimit(403, reset));

        GitHubResponse response = getRepo();

        assertThat(response.status()).isEqualTo(200);
        assertThat(harness.scheduler.delays()).containsExactly(Duration.ofSeconds(21));
    }

    @Test
    void aPrimaryLimitOn429WaitsUntilResetPlusOneSecond() throws Exception {
        Instant reset = harness.clock.instant().plusSeconds(5);
        harness.github.script("GET", "/repos/octo/hello", primaryLimit(429, reset));

        assertThat(getRepo().status()).isEqualTo(200);
        assertThat(harness.scheduler.delays()).containsExactly(Duration.ofSeconds(6));
    }

    @Test
    void aSecondaryLimitWaitsAsToldByRetryAfter() throws Exception {
        harness.github.script("GET", "/repos/octo/hello", secondaryLimit(403, 30L));

        assertThat(getRepo().status()).isEqualTo(200);
        assertThat(harness.scheduler.delays()).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void aSecondaryLimitWithoutRetryAfterWaitsAtLeastAMinute() throws Exception {
        harness.github.script("GET", "/repos/octo/hello", secondaryLimit(429, null));

        assertThat(getRepo().status()).isEqualTo(200);
        assertThat(harness.scheduler.delays()).containsExactly(Duration.ofSeconds(60));
    }

    @Test
    void aLimitResettingBeyondTheBoundIsReturnedWithItsRetryTimeNotWaitedFor() throws Exception {
        Instant reset = harness.clock.instant().plusSeconds(3600);
        harness.github.script("GET", "/repos/octo/hello", primaryLimit(403, reset));

        GitHubResponse response = getRepo();

        assertThat(response.status()).isEqualTo(403);
        assertThat(harness.scheduler.delays()).isEmpty();
        assertThat(ErrorClassifier.classify(403, response.headers(), response.body(),
                harness.clock.instant()).retryAt()).contains(reset.plusSeconds(1));
    }

    @Test
    void aDroppedConnectionOnAReadIsRetried() throws Exception {
        harness.github.script("GET", "/repos/octo/hello", dropConnection());

        assertThat(getRepo().status()).isEqualTo(200);
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).hasSizeGreaterThanOrEqualTo(
                1);
        assertThat(harness.scheduler.delays()).hasSize(1);
    }

    @Test
    void aWriteWhoseConnectionDropsAfterSendingIsReportedNotRepeated() {
        harness.github.script("POST", "/repos/octo/hello/issues", dropConnection());

        assertThatThrownBy(this::createIssue).isInstanceOf(IOException.class);

        assertThat(harness.github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
        assertThat(harness.github.repo("octo", "hello").plainIssues()).isEmpty();
        assertThat(harness.scheduler.delays()).isEmpty();
    }

    @Test
    void aWriteAnsweredWithAServerErrorIsNotRepeated() throws Exception {
        harness.github.script("POST", "/repos/octo/hello/issues", serverError(502));

        GitHubResponse response = createIssue();

        assertThat(response.status()).isEqualTo(502);
        assertThat(harness.github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
        assertThat(harness.scheduler.delays()).isEmpty();
    }

    @Test
    void aWriteRefusedByASecondaryLimitIsRetriedBecauseGitHubDidNothing() throws Exception {
        harness.github.script("POST", "/repos/octo/hello/issues", secondaryLimit(403, 5L));

        GitHubResponse response = createIssue();

        assertThat(response.status()).isEqualTo(201);
        assertThat(harness.github.requests("POST", "/repos/octo/hello/issues")).hasSize(2);
        assertThat(harness.github.repo("octo", "hello").plainIssues()).hasSize(1);
    }

    @Test
    void theCircuitOpensAfterAStormAndFailsFastUntilItsWaitIsOver() throws Exception {
        harness.close();
        harness = new ExecutorHarness(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(
                1), Duration.ofSeconds(60), () -> 1.0));
        GitHubRequest.Credential credential = token("metadata", "read");
        List<MockCall> storm = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            harness.github.script("GET", "/repos/octo/hello", serverError(503));
            storm.add(new MockCall());
        }
        for (MockCall ignored : storm) {
            harness.transport.send(GitHubRequest.get("/repos/octo/hello", credential));
        }
        int sent = harness.github.requests("GET", "/repos/octo/hello").size();

        assertThatThrownBy(() -> harness.transport.send(GitHubRequest.get("/repos/octo/hello",
                credential))).isInstanceOfSatisfying(GitHubCallException.class, e -> {
                    assertThat(e.error().errorClass()).isEqualTo(ErrorClass.UPSTREAM_UNAVAILABLE);
                    assertThat(e.error().retryAt()).isPresent();
                });
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).hasSize(sent);

        harness.clock.advance(ExecutorHarness.OPEN_WAIT.plusSeconds(1));
        assertThat(harness.transport.send(GitHubRequest.get("/repos/octo/hello", credential))
                .status()).isEqualTo(200);
    }

    private record MockCall() {
    }

    private GitHubResponse getRepoAs(String agent) throws IOException {
        return getRepoAs(42, agent);
    }

    private GitHubResponse getRepoAs(long installation, String agent) throws IOException {
        return harness.transport.send(new GitHubRequest("GET", "/repos/octo/hello", token(
                "metadata", "read"), Optional.empty(),
                new GitHubRequest.Caller(installation,
                        agent)));
    }

    @Test
    void oneAgentsServerErrorsPauseOnlyThatAgentsCalls() throws Exception {
        harness.close();
        harness = new ExecutorHarness(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(
                1), Duration.ofSeconds(60), () -> 1.0));
        for (int i = 0; i < 10; i++) {
            harness.github.script("GET", "/repos/octo/hello", serverError(503));
            getRepoAs("noisy");
        }
        int sent = harness.github.requests("GET", "/repos/octo/hello").size();

        assertThatThrownBy(() -> getRepoAs("noisy")).isInstanceOfSatisfying(
                GitHubCallException.class, e -> {
                    assertThat(e.error().errorClass()).isEqualTo(ErrorClass.UPSTREAM_UNAVAILABLE);
                    assertThat(e.error().message()).contains("agent noisy");
                });
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).hasSize(sent);
        assertThat(getRepoAs("quiet").status()).as("another agent of the installation")
                .isEqualTo(200);
        assertThat(getRepoAs(43, "elsewhere").status()).as(
                "another agent on another installation").isEqualTo(200);
        assertThat(harness.github.requests("GET", "/repos/octo/hello")).as(
                "the two other callers' reads reached GitHub").hasSize(sent + 2);
        assertThat(harness.transport.hostBreaker().getState()).isEqualTo(
                CircuitBreaker.State.CLOSED);
        assertThat(harness.transport.breakerOf(new GitHubRequest.Caller(42, "noisy"))
                .getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(harness.transport.breakerOf(new GitHubRequest.Caller(43, "elsewhere"))
                .getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void gitHubUnreachablePausesEveryCallerThroughTheHostsBreaker() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ResilientTransport transport = new ResilientTransport(GitHubTransport.sendOnly(
                request -> {
                    attempts.incrementAndGet();
                    throw new ConnectException("Connection refused");
                }), "stand-in",
                new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration
                        .ofSeconds(60), () -> 1.0),
                ResilientTransport.breakerFor("stand-in",
                        ExecutorHarness.OPEN_WAIT, harness.clock),
                ExecutorHarness.OPEN_WAIT, new WritePacer(Duration.ZERO, harness.clock,
                        harness.paced::add),
                harness.scheduler, harness.clock);
        GitHubRequest.Credential credential = token("metadata", "read");
        for (int i = 0; i < 10; i++) {
            GitHubRequest request = new GitHubRequest("GET", "/repos/octo/hello", credential,
                    Optional.empty(), new GitHubRequest.Caller(42, "agent-" + i));
            assertThatThrownBy(() -> transport.send(request)).isInstanceOf(
                    ConnectException.class);
        }

        GitHubRequest fresh = new GitHubRequest("GET", "/repos/octo/hello", credential, Optional
                .empty(), new GitHubRequest.Caller(77, "newcomer"));
        assertThatThrownBy(() -> transport.send(fresh)).isInstanceOfSatisfying(
                GitHubCallException.class, e -> assertThat(e.error().errorClass()).isEqualTo(
                        ErrorClass.UPSTREAM_UNAVAILABLE));
        assertThat(attempts).as("calls that reached the transport").hasValue(10);
        assertThat(transport.hostBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void writesArePacedPerInstallation() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
        List<Duration> waits = new ArrayList<>();
        WritePacer pacer = new WritePacer(Duration.ofSeconds(1), clock, waits::add);

        pacer.acquire(42, "bot");
        pacer.acquire(42, "bot");
        pacer.acquire(42, "other");
        pacer.acquire(77, "bot");
        clock.advance(Duration.ofSeconds(5));
        pacer.acquire(42, "bot");

        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void writesThroughTheTransportTakeAPacingSlot() throws Exception {
        createIssue();
        createIssue();

        assertThat(harness.paced).containsExactly(Duration.ofSeconds(1));
        assertThat(Optional.of(harness.github.repo("octo", "hello").plainIssues().size()))
                .contains(2);
    }
}
