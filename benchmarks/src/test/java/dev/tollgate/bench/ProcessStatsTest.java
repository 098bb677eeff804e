package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessStatsTest {

    @Test
    void readsUserPlusSystemTicksEvenWhenTheThreadNameHoldsSpacesAndParentheses() {
        String stat = "4242 (C2 (Compiler) T) S 1 4242 4242 0 -1 4194624 100 0 0 0 250 37 0 0 20"
                + " 0 30 0 1234 5000000 2000 18446744073709551615";

        assertThat(ProcessStats.ticks(stat)).isEqualTo(287);
    }

    @Test
    void chargesEachThreadItsCpuSinceTheFirstSampleByComponent() {
        var before = new ProcessStats.Sample(1000, 500_000, Map.of(
                1L, new ProcessStats.ThreadSample("data-plane-kafk", 100),
                2L, new ProcessStats.ThreadSample("decision-loop-0", 50),
                3L, new ProcessStats.ThreadSample("worker-gone", 30)));
        var after = new ProcessStats.Sample(1400, 600_000, Map.of(
                1L, new ProcessStats.ThreadSample("data-plane-kafk", 300),
                2L, new ProcessStats.ThreadSample("decision-loop-0", 100),
                4L, new ProcessStats.ThreadSample("GC Thread#3", 40)));

        var usage = ProcessStats.usage("system", 7, before, after, 700_000);

        assertThat(usage.cpuMillis()).isEqualTo(4000.0);
        assertThat(usage.componentMillis()).containsEntry(ThreadComponents.BROKER, 2000.0)
                .containsEntry(ThreadComponents.DECISION, 500.0).containsEntry(
                        ThreadComponents.GC, 400.0)
                .containsEntry(ThreadComponents.OTHER, 0.0);
        assertThat(usage.exitedMillis()).isEqualTo(1100.0);
        assertThat(usage.rssBeforeKib()).isEqualTo(500_000);
        assertThat(usage.peakRssKib()).isEqualTo(700_000);
    }

    @Test
    void printsCpuPerCallPerProcessAndSaysNotMeasuredWithoutProc() {
        var usage = new ProcessStats.Usage("ingress", 11, 300 * 1024, 200 * 1024, 250 * 1024,
                1000.0, Map.of(ThreadComponents.INGRESS, 800.0), 200.0);

        String table = ProcessStats.table(List.of(usage), 500);

        assertThat(table).contains("ingress").contains("2.000").contains("ingress 1.600")
                .contains("exited threads 0.400").contains("300 MiB");
        assertThat(ProcessStats.table(List.of(), 500)).contains("not measured");
    }

    @Test
    void samplesThisProcessFromProc() {
        var sample = ProcessStats.sample(ProcessHandle.current().pid());

        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertThat(sample).isPresent();
            assertThat(sample.get().threads()).isNotEmpty();
            assertThat(sample.get().rssKib()).isPositive();
        } else {
            assertThat(sample).isEmpty();
        }
    }
}
