package dev.tollgate.executor.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed GitHub call again, and after how long: only retryable classes; exponential
 * backoff with jitter; never sooner than GitHub's {@code retry-after} / {@code x-ratelimit-reset};
 * never when that is further away than {@code maxWait} (the agent then gets the error and its
 * retry time); and a write is retried only when GitHub provably did not perform it.
 *
 * @param maxAttempts attempts in all, the first included
 * @param baseDelay the first backoff
 * @param maxBackoff the largest backoff
 * @param maxWait the longest wait before one retry that is worth blocking for
 * @param random jitter source in [0, 1)
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxBackoff,
        Duration maxWait, DoubleSupplier random) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration
                .ofSeconds(60), Math::random);
    }

    /**
     * The wait before the next attempt, or empty to stop.
     *
     * @param attempt the attempt that just failed, from 1
     * @param error its classification
     * @param mayHaveBeenPerformed true for a write GitHub may have carried out (an answer of 5xx, a
     *        timeout or reset after sending); such a write is never retried blindly
     * @param now the time of the failure
     */
    public Optional<Duration> delayBeforeRetry(int attempt, GitHubError error,
            boolean mayHaveBeenPerformed, Instant now) {
        if (!error.retryable() || attempt >= maxAttempts || mayHaveBeenPerformed) {
            return Optional.empty();
        }
        if (error.errorClass() == ErrorClass.UPSTREAM_UNAVAILABLE) {
            return Optional.empty(); // the breaker is open: fail fast, it decides when to try again
        }
        long exponential = Math.min(maxBackoff.toMillis(), baseDelay.toMillis() * (1L << Math.min(
                20, attempt - 1)));
        long jittered = exponential / 2 + (long) (exponential / 2.0 * random.getAsDouble());
        long told = error.retryAt().map(at -> Duration.between(now, at).toMillis()).orElse(0L);
        Duration wait = Duration.ofMillis(Math.max(jittered, told));
        return wait.compareTo(maxWait) > 0 ? Optional.empty() : Optional.of(wait);
    }
}
