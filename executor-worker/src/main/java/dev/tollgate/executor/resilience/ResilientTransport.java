package dev.tollgate.executor.resilience;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.ErrorClassifier;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.RetryPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Retries, a circuit breaker per GitHub host and write pacing per installation, around the plain
 * transport. Retries (Resilience4j {@link Retry}) happen only for retryable classes, waiting as
 * {@link RetryPolicy} says; the waits run on an injected scheduler, so tests record them instead of
 * sleeping. A write is retried only when GitHub provably did not perform it (a rate limit refusal,
 * a connection never made); a write that may have happened is reported, not repeated.
 */
public final class ResilientTransport implements GitHubTransport {

    private final GitHubTransport delegate;
    private final String host;
    private final RetryPolicy policy;
    private final CircuitBreaker breaker;
    private final WritePacer pacer;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration openWait;

    public ResilientTransport(GitHubTransport delegate, String host, RetryPolicy policy,
            CircuitBreaker breaker, Duration openWait, WritePacer pacer,
            ScheduledExecutorService scheduler, Clock clock) {
        this.delegate = delegate;
        this.host = host;
        this.policy = policy;
        this.breaker = breaker;
        this.openWait = openWait;
        this.pacer = pacer;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** A breaker for one GitHub host: opens at 50% failures over 20 calls, for {@code openWait}. */
    public static CircuitBreaker breakerFor(String host, Duration openWait, Clock clock) {
        return CircuitBreaker.of("github-" + host, CircuitBreakerConfig.custom().clock(clock)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20).minimumNumberOfCalls(10).failureRateThreshold(50)
                .waitDurationInOpenState(openWait).permittedNumberOfCallsInHalfOpenState(2)
                .build());
    }

    /** One attempt's outcome; never thrown, so the retry decides on results alone. */
    private record Attempt(GitHubResponse response, IOException failure, GitHubError refused,
            Optional<Duration> retryAfter) {
    }

    @Override
    public GitHubResponse send(GitHubRequest request) throws IOException {
        AtomicInteger count = new AtomicInteger();
        Retry retry = Retry.of("github-" + host, RetryConfig.<Attempt>custom().maxAttempts(Math
                .max(1, policy.maxAttempts())).retryOnResult(
                        attempt -> attempt.retryAfter()
                                .isPresent())
                .intervalBiFunction((n, either) -> either.isRight()
                        ? either.get().retryAfter().orElse(Duration.ZERO).toMillis()
                        : 0L)
                .failAfterMaxAttempts(false).build());
        CompletableFuture<Attempt> result = retry.executeCompletionStage(scheduler,
                () -> CompletableFuture.completedFuture(attempt(request, count.incrementAndGet())))
                .toCompletableFuture();
        Attempt last;
        try {
            last = result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while retrying a GitHub call");
        } catch (ExecutionException e) {
            throw new IOException("GitHub call failed: " + e.getCause(), e.getCause());
        }
        if (last.refused() != null) {
            throw new GitHubCallException(last.refused());
        }
        if (last.failure() != null) {
            throw last.failure();
        }
        return last.response().withAttempts(count.get());
    }

    private Attempt attempt(GitHubRequest request, int number) {
        if (request.isWrite() && request.credential() instanceof GitHubRequest.Credential.Token t) {
            try {
                pacer.acquire(t.token().scope().installationId());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Attempt(null, new InterruptedIOException("interrupted while pacing"),
                        null, Optional.empty());
            }
        }
        if (!breaker.tryAcquirePermission()) {
            return new Attempt(null, null, ErrorClassifier.circuitOpen(host, clock.instant().plus(
                    openWait)), Optional.empty());
        }
        long start = System.nanoTime();
        try {
            GitHubResponse response = delegate.send(request);
            long elapsed = System.nanoTime() - start;
            if (response.isSuccess()) {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                return new Attempt(response, null, null, Optional.empty());
            }
            Instant now = clock.instant();
            GitHubError error = ErrorClassifier.classify(response.status(), response.headers(),
                    response.body(), now);
            if (error.errorClass() == ErrorClass.TRANSIENT) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + response
                        .status()));
            } else {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            }
            // A rate-limit refusal means GitHub did nothing; a 5xx on a write may hide a success
            // (a token mint is safe to repeat: see GitHubRequest.safeToRepeat).
            boolean mayHaveHappened = !request.safeToRepeat() && error
                    .errorClass() == ErrorClass.TRANSIENT;
            return new Attempt(response, null, null, policy.delayBeforeRetry(number, error,
                    mayHaveHappened, now));
        } catch (GitHubCallException e) {
            // The executor's own refusal (no room to read the answer): not GitHub's failure, so
            // the breaker neither counts it nor keeps the permission; answered as classified.
            breaker.releasePermission();
            return new Attempt(null, null, e.error(), Optional.empty());
        } catch (IOException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            boolean neverSent = e instanceof ConnectException || e instanceof UnknownHostException;
            return new Attempt(null, e, null, policy.delayBeforeRetry(number, ErrorClassifier
                    .classifyFailure(e), !request.safeToRepeat() && !neverSent, clock.instant()));
        }
    }
}
