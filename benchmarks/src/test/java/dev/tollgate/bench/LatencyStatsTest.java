package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void computesNearestRankPercentilesInMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms .. 1 ms, unsorted
        }

        LatencyStats stats = LatencyStats.of("s", nanos, 2, 2_000_000_000L);

        assertThat(stats.p50Millis()).isEqualTo(50.0);
        assertThat(stats.p90Millis()).isEqualTo(90.0);
        assertThat(stats.p99Millis()).isEqualTo(99.0);
        assertThat(stats.maxMillis()).isEqualTo(100.0);
        assertThat(stats.callsPerSecond()).isEqualTo(50.0);
        assertThat(stats.errors()).isEqualTo(2);
        assertThat(stats.json()).contains("\"p99_ms\":99.000");
    }

    @Test
    void anEmptySeriesHasZeroes() {
        LatencyStats stats = LatencyStats.of("s", new long[0], 5, 0);

        assertThat(stats.p99Millis()).isZero();
        assertThat(stats.callsPerSecond()).isZero();
    }

    @Test
    void refusesNonsenseOptions() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--calls", "0"}))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--fast"}))
                .hasMessageContaining("unknown argument --fast");
    }
}
