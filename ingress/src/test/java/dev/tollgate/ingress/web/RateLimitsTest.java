package dev.tollgate.ingress.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The write-content allowance: per agent, in KiB per period, never refusing a body forever. */
class RateLimitsTest {

    private final RateLimits limits = new RateLimits(1000, Duration.ofHours(1), 6, Duration
            .ofHours(1), 10_000, 8);

    /** Agent {@code agent} in environment ci. */
    private static AgentPrincipal p(String agent) {
        return new AgentPrincipal("ci", agent);
    }

    @Test
    void theSameAgentIdInAnotherEnvironmentHasAllowancesOfItsOwn() {
        RateLimits one = new RateLimits(1, Duration.ofHours(1), 1, Duration.ofHours(1), 1, 8);
        AgentPrincipal scratch = new AgentPrincipal("scratch", "deployer");
        AgentPrincipal prod = new AgentPrincipal("prod", "deployer");
        assertThat(one.agent(scratch)).isEmpty();
        assertThat(one.protocol(scratch)).isEmpty();
        assertThat(one.rotation(scratch)).isEmpty();
        assertThat(one.writeBytes(scratch, 8 * 1024)).isEmpty();
        assertThat(one.agent(scratch)).as("scratch's own allowance is spent").isPresent();

        assertThat(one.agent(prod)).as("prod's calls").isEmpty();
        assertThat(one.protocol(prod)).as("prod's messages").isEmpty();
        assertThat(one.rotation(prod)).as("prod's rotations").isEmpty();
        assertThat(one.writeBytes(prod, 8 * 1024)).as("prod's write content").isEmpty();
    }

    @Test
    void namesThatWouldJoinIntoTheSameTextAreStillDifferentPrincipals() {
        RateLimits one = new RateLimits(1, Duration.ofHours(1), 1, Duration.ofHours(1), 10, 8);

        assertThat(one.agent(new AgentPrincipal("a:b", "c"))).isEmpty();

        assertThat(one.agent(new AgentPrincipal("a", "b:c"))).isEmpty();
        assertThat(one.agent(new AgentPrincipal("a:b", "c"))).isPresent();
    }

    @Test
    void anAgentsWritesShareItsAllowanceAndOtherAgentsHaveTheirOwn() {
        assertThat(limits.writeBytes(p("a"), 6 * 1024)).isEmpty();
        assertThat(limits.writeBytes(p("a"), 4 * 1024)).as("6 + 4 KiB > 8 KiB").hasValueSatisfying(
                wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofHours(1)));
        assertThat(limits.writeBytes(p("a"), 1)).as("1 byte counts as 1 KiB; 2 KiB are left")
                .isEmpty();
        assertThat(limits.writeBytes(p("b"), 8 * 1024)).as("another agent").isEmpty();
    }

    @Test
    void aBodyLargerThanTheWholeAllowancePassesWhenTheAllowanceIsUntouched() {
        assertThat(limits.writeBytes(p("c"), 100 * 1024)).isEmpty();
        assertThat(limits.writeBytes(p("c"), 1)).as("the allowance is spent").isPresent();
    }

    @Test
    void anIdleAgentsLimitersAreDroppedAfterTheirPeriodAndABusyAgentsAreKeptWithTheirState() {
        AtomicLong now = new AtomicLong();
        RateLimits limits = new RateLimits(2, Duration.ofHours(1), 6, Duration.ofHours(1), 100,
                8, now::get);
        assertThat(limits.agent(p("idle"))).isEmpty();
        assertThat(limits.agent(p("busy"))).isEmpty();
        assertThat(limits.agent(p("busy"))).isEmpty();

        now.addAndGet(Duration.ofMinutes(59).toNanos());
        Optional<Duration> busyAt59 = limits.agent(p("busy"));
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        Optional<Duration> busyAt61 = limits.agent(p("busy"));

        assertThat(busyAt59).as("the busy agent has spent its 2 calls").isPresent();
        assertThat(busyAt61).as("its limiter, and so its spent allowance, is kept").isPresent();
        assertThat(limits.keeps(RateLimits.Kind.AGENT, p("idle"))).as("idle for over its period")
                .isFalse();
        assertThat(limits.keeps(RateLimits.Kind.AGENT, p("busy"))).isTrue();
        assertThat(limits.size()).isEqualTo(1);
    }

    @Test
    void limitersOfAgentsThatComeAndGoDoNotPileUp() {
        AtomicLong now = new AtomicLong();
        RateLimits timed = new RateLimits(50, Duration.ofSeconds(1), 6, Duration.ofHours(1), 500,
                8, now::get);

        for (int i = 0; i < 10_000; i++) {
            timed.agent(p("k8s:sa-" + i));
            timed.protocol(p("k8s:sa-" + i));
            now.addAndGet(Duration.ofMillis(10).toNanos()); // 100 new agents a second
        }

        assertThat(timed.size()).as("about two seconds' worth of agents, two limiters each")
                .isLessThanOrEqualTo(2 * 300);
    }
}
