package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MintLimitsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final MintLimits limits = new MintLimits(2, 3, Duration.ofMinutes(1), clock);

    @Test
    void anInstallationOverItsLimitWaitsUntilTheOldestMintLeavesTheWindow() {
        assertThat(limits.acquire(1, "a")).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limits.acquire(1, "b")).isEmpty();

        GitHubError refused = limits.acquire(1, "c").orElseThrow();

        assertThat(refused.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(refused.retryAt()).contains(Instant.parse("2026-11-21T12:01:00Z"));
        clock.advance(Duration.ofSeconds(50));
        assertThat(limits.acquire(1, "c")).isEmpty();
    }

    @Test
    void anAgentIsLimitedAcrossInstallations() {
        assertThat(limits.acquire(1, "bot")).isEmpty();
        assertThat(limits.acquire(2, "bot")).isEmpty();
        assertThat(limits.acquire(3, "bot")).isEmpty();

        GitHubError refused = limits.acquire(4, "bot").orElseThrow();

        assertThat(refused.message()).contains("agent bot", "per-agent");
        assertThat(limits.acquire(4, "other")).isEmpty();
    }

    @Test
    void aRefusedMintDoesNotUseUpTheOtherLimit() {
        limits.acquire(1, "bot");
        limits.acquire(1, "bot");

        limits.acquire(1, "bot"); // refused for the installation

        assertThat(limits.acquire(2, "bot")).isEmpty(); // the agent has used 3 of 3 only now
        assertThat(limits.acquire(3, "bot")).isPresent();
    }
}
