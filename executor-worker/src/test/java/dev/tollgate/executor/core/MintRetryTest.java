package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.WritePacer;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The App's token mint and installation discovery go through the same retry and circuit breaker
 * as every GitHub call (wired as in {@code ExecutorAssembly}), against the stand-in: transient
 * failures and rate limits are retried, refusals are not, and one scope still gets one mint.
 */
class MintRetryTest {

    private static final String MINT = "/app/installations/42/access_tokens";

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitHubStandIn github = harness.github;
    private final MintContext context = new MintContext("req-1", "agent-7", "ci");
    private final TokenScope scope = TokenScope.of(42, List.of("octo/hello"), Map.of("contents",
            "read"));

    @AfterEach
    void stop() {
        harness.close();
    }

    /** The token cache as the assembly builds it: the App's calls through the resilient transport. */
    private InstallationTokens tokens(GitHubTransport resilient) {
        return new InstallationTokens(TestApp.APP_ID, new AppAuthenticator(new AppJwtSigner(
                TestApp.APP_ID, TestApp.privateKey(), harness.clock), resilient, harness.clock),
                harness.clock, harness.minted::add, Optional.empty());
    }

    @Test
    void aMintAnswered502IsRetriedAndMintsOneToken() {
        github.script("POST", MINT, GitHubStandIn.serverError(502));

        InstallationToken token = tokens(harness.transport).get(scope, context);

        assertThat(token.staticFallback()).isFalse();
        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).singleElement().satisfies(event -> assertThat(event
                .toString()).doesNotContain(token.value()));
        assertThat(harness.scheduler.delays()).singleElement().satisfies(wait -> assertThat(wait)
                .isBetween(Duration.ofMillis(250), Duration.ofMillis(500)));
        // the 502 is the installation's and agent's, not the host's (GitHub answered)
        var callers = harness.transport.breakerOf(new GitHubRequest.Caller(42, context
                .agentId())).getMetrics();
        assertThat(callers.getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(callers.getNumberOfSuccessfulCalls()).isEqualTo(1);
        assertThat(harness.breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(harness.breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
    }

    @Test
    void aRateLimitedMintWaitsForRetryAfterThenMintsWithAFreshJwt() {
        github.script("POST", MINT, GitHubStandIn.secondaryLimit(429, 7L));

        tokens(harness.transport).get(scope, context);

        List<GitHubStandIn.Received> attempts = github.requests("POST", MINT);
        assertThat(attempts).hasSize(2);
        assertThat(harness.scheduler.delays()).singleElement().satisfies(wait -> assertThat(wait)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(7)));
        assertThat(attempts.get(1).authorization()).as("signed again for the retry").isNotEqualTo(
                attempts.get(0).authorization());
        assertThat(github.jwtRejections()).isEmpty();
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).hasSize(1);
    }

    @Test
    void aPrimaryRateLimitOnTheMintIsRetriedAfterTheReset() {
        github.script("POST", MINT, GitHubStandIn.primaryLimit(403, harness.clock.instant()
                .plusSeconds(20)));

        tokens(harness.transport).get(scope, context);

        assertThat(harness.scheduler.delays()).singleElement().satisfies(wait -> assertThat(wait)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(20)));
        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(github.mintCount()).isEqualTo(1);
    }

    @Test
    void aConnectionResetDuringTheMintIsRetried() {
        github.script("POST", MINT, GitHubStandIn.dropConnection());

        tokens(harness.transport).get(scope, context);

        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).hasSize(1);
    }

    @Test
    void aMintRefusedNotFoundOrForbiddenIsNotRetried() {
        github.script("POST", MINT, GitHubStandIn.json(404, "{\"message\":\"Not Found\"}"),
                GitHubStandIn.json(403, "{\"message\":\"Resource not accessible by"
                        + " integration\"}"));
        InstallationTokens tokens = tokens(harness.transport);

        GitHubCallException notFound = catchThrowableOfType(GitHubCallException.class,
                () -> tokens.get(scope, context));
        GitHubCallException forbidden = catchThrowableOfType(GitHubCallException.class,
                () -> tokens.get(scope, context));

        assertThat(notFound.error().errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
        assertThat(forbidden.error().errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(harness.scheduler.delays()).isEmpty();
        assertThat(github.mintCount()).isZero();
        assertThat(harness.minted).isEmpty();
    }

    @Test
    void aMintFailingEveryAttemptStopsAfterFourAndIsTransient() {
        for (int i = 0; i < 4; i++) {
            github.script("POST", MINT, GitHubStandIn.serverError(503));
        }

        GitHubCallException failure = catchThrowableOfType(GitHubCallException.class,
                () -> tokens(harness.transport).get(scope, context));

        assertThat(failure.error().errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(failure.error().retryable()).isTrue();
        assertThat(github.requests("POST", MINT)).hasSize(4);
        assertThat(harness.scheduler.delays()).hasSize(3);
        assertThat(harness.minted).isEmpty();
    }

    @Test
    void installationDiscoveryIsRetriedAfterA503() {
        github.script("GET", "/repos/octo/hello/installation", GitHubStandIn.serverError(503));
        InstallationResolver resolver = new InstallationResolver(new AppAuthenticator(
                new AppJwtSigner(TestApp.APP_ID, TestApp.privateKey(), harness.clock),
                harness.transport, harness.clock), harness.clock);

        long installation = resolver.installationFor("octo", "hello");

        assertThat(installation).isEqualTo(42);
        assertThat(github.requests("GET", "/repos/octo/hello/installation")).hasSize(2);
    }

    @Test
    void concurrentCallersDuringARetriedMintShareOneMint() throws Exception {
        github.script("POST", MINT, GitHubStandIn.serverError(502));
        CountDownLatch firstAttemptSent = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        GitHubTransport real = new OkHttpTransport(github.apiUrl(), OkHttpTransport
                .defaultClient());
        GitHubTransport gated = new ForwardingTransport(real) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws java.io.IOException {
                if (request.path().endsWith("/access_tokens") && attempts
                        .incrementAndGet() == 1) {
                    firstAttemptSent.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                    }
                }
                return super.send(request);
            }
        };
        InstallationTokens tokens = tokens(new ResilientTransport(gated, "stand-in",
                RetryPolicy.defaults(), ResilientTransport.breakerFor("stand-in",
                        ExecutorHarness.OPEN_WAIT, harness.clock),
                ExecutorHarness.OPEN_WAIT, new WritePacer(Duration.ZERO, harness.clock,
                        harness.paced::add),
                harness.scheduler, harness.clock));
        ConcurrentCallers.eightShareOneMint(tokens, scope, context, firstAttemptSent, release);

        assertThat(github.requests("POST", MINT)).as("the 502, then the retry").hasSize(2);
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).hasSize(1);
    }
}
