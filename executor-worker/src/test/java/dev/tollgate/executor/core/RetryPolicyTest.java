package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(500), Duration
            .ofSeconds(8), Duration.ofSeconds(60), () -> 1.0);

    private static GitHubError error(ErrorClass errorClass, Instant retryAt) {
        return GitHubError.of(errorClass, 500, "x", retryAt);
    }

    @Test
    void backsOffExponentiallyForTransientErrors() {
        assertThat(policy.delayBeforeRetry(1, error(ErrorClass.TRANSIENT, null), false, NOW))
                .contains(Duration.ofMillis(500));
        assertThat(policy.delayBeforeRetry(2, error(ErrorClass.TRANSIENT, null), false, NOW))
                .contains(Duration.ofMillis(1000));
        assertThat(policy.delayBeforeRetry(3, error(ErrorClass.TRANSIENT, null), false, NOW))
                .contains(Duration.ofMillis(2000));
    }

    @Test
    void jitterTakesUpToHalfTheBackoffOff() {
        RetryPolicy lowJitter = new RetryPolicy(4, Duration.ofMillis(1000), Duration.ofSeconds(8),
                Duration.ofSeconds(60), () -> 0.0);

        assertThat(lowJitter.delayBeforeRetry(1, error(ErrorClass.TRANSIENT, null), false, NOW))
                .contains(Duration.ofMillis(500));
    }

    @Test
    void stopsAfterTheLastAttempt() {
        assertThat(policy.delayBeforeRetry(4, error(ErrorClass.TRANSIENT, null), false, NOW))
                .isEmpty();
    }

    @Test
    void neverRetriesAClassThatIsNotRetryable() {
        for (ErrorClass errorClass : ErrorClass.values()) {
            if (!errorClass.retryable()) {
                assertThat(policy.delayBeforeRetry(1, error(errorClass, null), false, NOW))
                        .as(errorClass.code()).isEmpty();
            }
        }
    }

    @Test
    void waitsAtLeastUntilGitHubsRetryTime() {
        assertThat(policy.delayBeforeRetry(1, error(ErrorClass.RATE_LIMITED, NOW.plusSeconds(21)),
                false, NOW)).contains(Duration.ofSeconds(21));
    }

    @Test
    void doesNotBlockForARetryTimeBeyondTheBound() {
        assertThat(policy.delayBeforeRetry(1, error(ErrorClass.RATE_LIMITED, NOW.plusSeconds(
                3600)), false, NOW)).isEmpty();
    }

    @Test
    void neverRetriesAWriteThatMayHaveHappened() {
        assertThat(policy.delayBeforeRetry(1, error(ErrorClass.TRANSIENT, null), true, NOW))
                .isEmpty();
    }

    @Test
    void failsFastWhenTheCircuitIsOpen() {
        assertThat(policy.delayBeforeRetry(1, error(ErrorClass.UPSTREAM_UNAVAILABLE, NOW
                .plusSeconds(5)), false, NOW)).isEmpty();
    }
}
