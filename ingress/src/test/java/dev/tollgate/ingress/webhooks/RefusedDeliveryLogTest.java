package dev.tollgate.ingress.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusedDeliveryLogTest {

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @Test
    void aFloodOfForgedDeliveriesIsOneLinePerInterval() {
        RefusedDeliveryLog log = new RefusedDeliveryLog(clock, Duration.ofMinutes(1),
                "for their signature");
        List<Boolean> written = new ArrayList<>();

        for (int i = 0; i < 1000; i++) {
            written.add(log.refused("d" + i, "signature does not match the body"));
            now = now.plusMillis(100); // 100 s in all
        }

        assertThat(written.stream().filter(w -> w)).hasSize(2);
        assertThat(written.get(0)).isTrue();
        assertThat(written.get(600)).isTrue();
    }

    @Test
    void theFirstAfterAQuietIntervalIsLoggedAtOnce() {
        RefusedDeliveryLog log = new RefusedDeliveryLog(clock, Duration.ofMinutes(1),
                "for their signature");
        log.refused("a", "reason");

        now = now.plus(Duration.ofMinutes(5));

        assertThat(log.refused("b", "reason")).isTrue();
    }
}
