package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.MutableClock;
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

    @Test
    void oneAgentMintingAsFastAsItMayLeavesMintsForTheInstallationsOtherAgents() {
        // the shipped defaults: 30 per installation, a third of them per agent, 30 per agent
        MintLimits shipped = new MintLimits(30, MintLimits.defaultShare(30), 30, Duration
                .ofMinutes(1), clock);
        int greedy = 0;
        while (shipped.acquire(42, "greedy").isEmpty()) {
            greedy++;
        }
        GitHubError refused = shipped.acquire(42, "greedy").orElseThrow();

        int others = 0;
        for (int i = 0; i < 40; i++) {
            others += shipped.acquire(42, "agent-" + (i % 4)).isEmpty() ? 1 : 0;
        }

        assertThat(greedy).isEqualTo(10);
        assertThat(others).as("mints left for the installation's other agents").isEqualTo(20);
        assertThat(refused.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(refused.message()).contains("per-agent-per-installation");
        assertThat(refused.retryAt()).contains(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(shipped.acquire(77, "greedy")).as("another installation's budget").isEmpty();
    }

    @Test
    void aShareLargerThanTheInstallationsBudgetIsRefusedNamingTheKeys() {
        assertThatThrownBy(() -> new MintLimits(10, 11, 30, Duration.ofMinutes(1), clock))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "tollgate.executor.mint-limit.per-agent-per-installation")
                .hasMessageContaining("tollgate.executor.mint-limit.per-installation");
    }
}
