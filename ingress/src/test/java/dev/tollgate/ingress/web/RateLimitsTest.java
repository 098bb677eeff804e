package dev.tollgate.ingress.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
