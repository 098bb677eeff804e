package dev.tollgate.ingress.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The write-content allowance: per agent, in KiB per period, never refusing a body forever. */
class RateLimitsTest {

    private final RateLimits limits = new RateLimits(1000, Duration.ofHours(1), 6, Duration
            .ofHours(1), 10_000, 8);

    @Test
    void anAgentsWritesShareItsAllowanceAndOtherAgentsHaveTheirOwn() {
        assertThat(limits.writeBytes("a", 6 * 1024)).isEmpty();
        assertThat(limits.writeBytes("a", 4 * 1024)).as("6 + 4 KiB > 8 KiB").hasValueSatisfying(
                wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofHours(1)));
        assertThat(limits.writeBytes("a", 1)).as("1 byte counts as 1 KiB; 2 KiB are left")
                .isEmpty();
        assertThat(limits.writeBytes("b", 8 * 1024)).as("another agent").isEmpty();
    }

    @Test
    void aBodyLargerThanTheWholeAllowancePassesWhenTheAllowanceIsUntouched() {
        assertThat(limits.writeBytes("c", 100 * 1024)).isEmpty();
        assertThat(limits.writeBytes("c", 1)).as("the allowance is spent").isPresent();
    }

    @Test
    void anIdleAgentsLimitersAreDroppedAfterTheirPeriodAndABusyAgentsAreKeptWithTheirState() {
        AtomicLong now = new AtomicLong();
        RateLimits limits = new RateLimits(2, Duration.ofHours(1), 6, Duration.ofHours(1), 100,
                8, now::get);
        assertThat(limits.agent("idle")).isEmpty();
        assertThat(limits.agent("busy")).isEmpty();
        assertThat(limits.agent("busy")).isEmpty();

        now.addAndGet(Duration.ofMinutes(59).toNanos());
        Optional<Duration> busyAt59 = limits.agent("busy");
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        Optional<Duration> busyAt61 = limits.agent("busy");

        assertThat(busyAt59).as("the busy agent has spent its 2 calls").isPresent();
        assertThat(busyAt61).as("its limiter, and so its spent allowance, is kept").isPresent();
        assertThat(limits.keeps("agent:idle")).as("idle for over its period").isFalse();
        assertThat(limits.keeps("agent:busy")).isTrue();
        assertThat(limits.size()).isEqualTo(1);
    }

    @Test
    void limitersOfAgentsThatComeAndGoDoNotPileUp() {
        AtomicLong now = new AtomicLong();
        RateLimits timed = new RateLimits(50, Duration.ofSeconds(1), 6, Duration.ofHours(1), 500,
                8, now::get);

        for (int i = 0; i < 10_000; i++) {
            timed.agent("k8s:sa-" + i);
            timed.protocol("k8s:sa-" + i);
            now.addAndGet(Duration.ofMillis(10).toNanos()); // 100 new agents a second
        }

        assertThat(timed.size()).as("about two seconds' worth of agents, two limiters each")
                .isLessThanOrEqualTo(2 * 300);
    }
}
