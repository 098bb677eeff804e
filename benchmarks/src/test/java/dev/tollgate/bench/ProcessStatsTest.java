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
    void countsVoluntaryAndInvoluntaryContextSwitchesFromAThreadsStatus() {
        List<String> status = List.of("Name:\tdata-plane-kafk", "State:\tS (sleeping)",
                "voluntary_ctxt_switches:\t1200", "nonvoluntary_ctxt_switches:\t34");

        assertThat(ProcessStats.switches(status)).isEqualTo(1234);
        assertThat(ProcessStats.switches(List.of("Name:\tx", "voluntary_ctxt_switches:\t5")))
                .as("one count missing: not counted, never a partial figure").isEqualTo(-1);
    }

    @Test
    void chargesEachThreadItsContextSwitchesSinceTheFirstSampleByComponent() {
        var before = new ProcessStats.Sample(1000, 1, Map.of(
                1L, new ProcessStats.ThreadSample("data-plane-kafk", 100, 5_000),
                2L, new ProcessStats.ThreadSample("http-nio-127.0.", 50, 700)));
        var after = new ProcessStats.Sample(1400, 1, Map.of(
                1L, new ProcessStats.ThreadSample("data-plane-kafk", 300, 9_000),
                2L, new ProcessStats.ThreadSample("http-nio-127.0.", 100, 1_700),
                3L, new ProcessStats.ThreadSample("kafka-producer-", 10, 250)));

        var usage = ProcessStats.usage("system", 7, before, after, 1);
        String table = ProcessStats.table(List.of(usage), 1000);

        assertThat(usage.switches()).isEqualTo(4_000 + 1_000 + 250);
        assertThat(usage.componentSwitches()).containsEntry(ThreadComponents.BROKER, 4_000L)
                .containsEntry(ThreadComponents.INGRESS, 1_000L).containsEntry(
                        ThreadComponents.KAFKA_CLIENTS, 250L);
        assertThat(table).contains("context switches/call: 5.25 (broker 4.00, ingress 1.00,"
                + " kafka-clients 0.25)");
    }

    @Test
    void aThreadWhoseSwitchesWereNotCountedLeavesTheProcessUncounted() {
        var before = new ProcessStats.Sample(10, 1, Map.of(1L, new ProcessStats.ThreadSample(
                "data-plane-kafk", 1, 10)));
        var after = new ProcessStats.Sample(20, 1, Map.of(1L, new ProcessStats.ThreadSample(
                "data-plane-kafk", 2, 20), 2L,
                new ProcessStats.ThreadSample("decision-loop",
                        3)));

        var usage = ProcessStats.usage("system", 7, before, after, 1);

        assertThat(usage.switches()).isEqualTo(-1);
        assertThat(ProcessStats.table(List.of(usage), 10)).doesNotContain("context switches");
    }

    @Test
    void countsThisProcesssContextSwitchesFromProc() throws Exception {
        var self = java.nio.file.Path.of("/proc/thread-self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(self),
                "no /proc here: nothing to count");
        List<ProcessStats.Measured> here = List.of(new ProcessStats.Measured("this", ProcessHandle
                .current().pid()));
        long thread = ProcessStats.switches(java.nio.file.Files.readAllLines(self));
        long process = ProcessStats.totals(here).switches();

        for (int i = 0; i < 20; i++) {
            Thread.sleep(1);
        }

        assertThat(thread).isNotNegative();
        assertThat(ProcessStats.switches(java.nio.file.Files.readAllLines(self))).as("20 sleeps"
                + " are 20 voluntary switches at least").isGreaterThanOrEqualTo(thread + 20);
        assertThat(ProcessStats.totals(here).switches()).isGreaterThanOrEqualTo(process + 20);
        assertThat(ProcessStats.totals(List.of(new ProcessStats.Measured("gone",
                Long.MAX_VALUE))).switches()).isEqualTo(-1);
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
