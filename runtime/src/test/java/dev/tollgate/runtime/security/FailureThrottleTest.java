package dev.tollgate.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));

    @Test
    void anAddressOverItsLimitWaitsForItsWindowToEndAndIsToldOnce() {
        FailureThrottle throttle = new FailureThrottle(2, Duration.ofMinutes(1), 10, clock);

        var first = throttle.failure("a");
        var second = throttle.failure("a");
        clock.advance(Duration.ofSeconds(15));
        var third = throttle.failure("a");
        var fourth = throttle.failure("a");
        clock.advance(Duration.ofSeconds(45));
        var afterTheWindow = throttle.failure("a");

        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(third).hasValueSatisfying(t -> {
            assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(45));
            assertThat(t.first()).isTrue();
        });
        assertThat(fourth).hasValueSatisfying(t -> assertThat(t.first()).isFalse());
        assertThat(afterTheWindow).isEmpty();
    }

    @Test
    void aMillionAddressesNeverGrowTheTableBeyondItsCapacity() {
        FailureThrottle throttle = new FailureThrottle(1, Duration.ofHours(1), 1000, clock);

        int maxTracked = 0;
        for (int i = 0; i < 1_000_000; i++) {
            throttle.failure("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff));
            if ((i & 0xfff) == 0) {
                maxTracked = Math.max(maxTracked, throttle.tracked());
            }
        }
        throttle.failure("192.0.2.1");
        var stillThrottled = throttle.failure("192.0.2.1");

        assertThat(maxTracked).isLessThanOrEqualTo(1000);
        assertThat(throttle.tracked()).isEqualTo(1000);
        assertThat(stillThrottled).as("a fresh address is still counted after the flood")
                .isPresent();
    }
}
