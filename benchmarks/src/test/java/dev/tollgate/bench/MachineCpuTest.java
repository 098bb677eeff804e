package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The machine's CPU shares over a series, from /proc/stat. */
class MachineCpuTest {

    private static String stat(long user, long nice, long system, long idle, long iowait,
            long irq, long softirq, long steal) {
        return String.format("cpu  %d %d %d %d %d %d %d %d 0 0%ncpu0 1 2 3 4 5 6 7 8 0 0%n"
                + "cpu1 1 2 3 4 5 6 7 8 0 0%nintr 12345 0 0%nctxt 999%n", user, nice, system,
                idle, iowait, irq, softirq, steal);
    }

    @Test
    void splitsTheTicksBetweenTwoSamplesIntoShares() {
        MachineCpu.Sample before = MachineCpu.parse(stat(1000, 0, 100, 5000, 10, 0, 20, 0));
        MachineCpu.Sample after = MachineCpu.parse(stat(1700, 50, 250, 5100, 10, 5, 45, 40));

        MachineCpu.Shares shares = MachineCpu.between(before, after);

        // 1,000 ticks passed: user+nice 750, system 150, idle 100, irq+softirq 30, steal 40 ...
        // ... minus nothing: 750 + 150 + 100 + 0 + 30 + 40 = 1,070
        assertThat(shares.cpus()).isEqualTo(2);
        assertThat(shares.user()).isCloseTo(750 / 1070.0, within(1e-9));
        assertThat(shares.system()).isCloseTo(150 / 1070.0, within(1e-9));
        assertThat(shares.interrupts()).isCloseTo(30 / 1070.0, within(1e-9));
        assertThat(shares.steal()).isCloseTo(40 / 1070.0, within(1e-9));
        assertThat(shares.busy() + shares.idle() + shares.iowait() + shares.steal()).isCloseTo(1,
                within(1e-9));
        assertThat(shares.line()).contains("the machine's 2 CPUs over the series: busy 87%"
                + " (programs 70%, kernel 14%, interrupts 3%), idle 9%, waiting for I/O 0%,"
                + " stolen by the host 3.7%");
    }

    @Test
    void saysNothingWithoutTwoSamplesOrWithoutTimePassing() {
        MachineCpu.Sample one = MachineCpu.parse(stat(1, 0, 1, 1, 0, 0, 0, 0));

        assertThat(MachineCpu.parse("intr 1 2 3\n")).isNull();
        assertThat(MachineCpu.between(null, one)).isNull();
        assertThat(MachineCpu.between(one, one)).isNull();
    }

    @Test
    void readsThisMachinesProcStat() {
        MachineCpu.Sample sample = MachineCpu.sample();

        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
            assertThat(sample.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(sample.total()).isPositive();
        } else {
            assertThat(sample).isNull();
        }
    }
}
