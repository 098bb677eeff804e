package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The machine's cost of one thread waking another, and the line that prices a run with it. */
class WakeUpsTest {

    @Test
    void twoThreadsHandingATurnBackAndForthSleepAndWakeAtEachHandOff() {
        WakeUps.Cost cost = WakeUps.measure(4_000);

        assertThat(cost).isNotNull();
        assertThat(cost.handOffs()).isEqualTo(4_000);
        assertThat(cost.cpuMicros()).as("CPU per hand-off, µs").isPositive().isLessThan(10_000);
        assertThat(cost.wallMicros()).isPositive();
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/thread-self"))) {
            // each hand-off parks the thread that handed over, unless the next turn is already
            // back when it parks; on any machine most of them sleep
            assertThat(cost.switches()).as("context switches of the two threads").isGreaterThan(
                    cost.handOffs() / 4);
        }
    }

    @Test
    void pricesEachProcessesSwitchesPerCallAtTheMeasuredCost() {
        WakeUps.Cost cost = new WakeUps.Cost(40_000, 10.0, 15.0, 40_000);
        ProcessStats.Usage system = new ProcessStats.Usage("system (broker and every role)", 7,
                1, 1, 1, 3_000.0, Map.of(), 0, 40_000, Map.of());
        ProcessStats.Usage uncounted = new ProcessStats.Usage("bench", 8, 1, 1, 1, 500.0, Map
                .of(), 0);

        String line = WakeUps.line(cost, List.of(system, uncounted), 1_000);

        assertThat(cost.millisFor(40)).isEqualTo(0.4);
        assertThat(line)
                .contains("one thread waking another: 10.0 µs of the two threads' CPU per hand-off"
                        + " (40,000 hand-offs between two threads now, 1.00 context switches each)")
                .contains("system (broker and every role) 40.0 switches per call ≈ 0.400 of its"
                        + " 3.000 CPU ms")
                .doesNotContain("bench");
        assertThat(WakeUps.line(null, List.of(system), 1_000)).contains("not measured");
    }
}
