package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    private static ProcessStats.Usage usage(String name, double cpu, double jit) {
        return new ProcessStats.Usage(name, 1, 0, 0, 0, cpu, Map.of(ThreadComponents.JIT, jit,
                ThreadComponents.BROKER, cpu - jit), 0);
    }

    @Test
    void theJitShareIsTheCompilersCpuOverAllProcessesCpu() {
        double share = WarmUp.jitShare(List.of(usage("system", 3000, 900), usage("bench", 1000,
                100)));

        assertThat(share).isEqualTo(0.25);
        assertThat(WarmUp.jitShare(List.of())).isNaN();
    }

    @Test
    void steadyAtOrUnderTheThresholdOrWhereNothingCanBeMeasured() {
        assertThat(WarmUp.steady(0.10, 0.10)).isTrue();
        assertThat(WarmUp.steady(0.11, 0.10)).isFalse();
        assertThat(WarmUp.steady(Double.NaN, 0.10)).isTrue();
    }

    @Test
    void aRoundLastsAboutTenSecondsAtThePreviousPaceWithinBounds() {
        assertThat(WarmUp.nextRoundCalls(1000, 2.0)).isEqualTo(5000);
        assertThat(WarmUp.nextRoundCalls(1000, 0)).isEqualTo(WarmUp.FIRST_ROUND_CALLS);
        assertThat(WarmUp.nextRoundCalls(100, 100)).isEqualTo(100);
        assertThat(WarmUp.nextRoundCalls(50_000, 1)).isEqualTo(WarmUp.MAX_ROUND_CALLS);
    }

    @Test
    void roundsStopAtOnceWhereTheJitCannotBeMeasuredAndEveryCallIsMade() throws Exception {
        AtomicInteger made = new AtomicInteger();
        var printed = new java.io.ByteArrayOutputStream();

        // No process to measure: the share is unknown, so one round is enough.
        WarmUp.Summary summary = WarmUp.run(List.of(), 4, slot -> () -> made.incrementAndGet() > 0,
                0.10, 60, new java.io.PrintStream(printed, true));

        assertThat(summary.rounds()).isEqualTo(1);
        assertThat(summary.calls()).isEqualTo(WarmUp.FIRST_ROUND_CALLS);
        assertThat(made.get()).isEqualTo(WarmUp.FIRST_ROUND_CALLS);
        assertThat(summary.settled()).isTrue();
        assertThat(printed.toString()).contains("warm-up round 1: 1000 calls");
        assertThat(summary.line()).contains("1000 calls").contains("reached 10.0%");
    }

    @Test
    void roundsMeasureThisJvmAndStopAtTheTimeLimitWhenNeverSteady() throws Exception {
        AtomicInteger made = new AtomicInteger();
        var self = new ProcessStats.Measured("bench", ProcessHandle.current().pid());

        // A threshold of 0 is never reached by a JVM that compiles anything; the limit ends it.
        // Each call spins 100 µs, so the round uses CPU the clock ticks of /proc can see.
        WarmUp.Summary summary = WarmUp.run(List.of(self), 2, slot -> () -> {
            long until = System.nanoTime() + 100_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            made.incrementAndGet();
            return true;
        }, -1, 0, new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));

        assertThat(summary.rounds()).isEqualTo(1);
        assertThat(made.get()).isEqualTo(WarmUp.FIRST_ROUND_CALLS);
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertThat(summary.settled()).isFalse();
            assertThat(summary.line()).contains("did NOT reach");
        }
    }

    @Test
    void theOptionsTurnItOnByDefaultAndCheckTheirValues() {
        Bench.Options defaults = Bench.Options.parse(new String[]{});
        Bench.Options off = Bench.Options.parse(new String[]{"--warmup-jit", "0",
                "--warmup-max-s", "30"});

        assertThat(defaults.warmupJitPercent()).isEqualTo(10.0);
        assertThat(defaults.warmupMaxSeconds()).isEqualTo(240.0);
        assertThat(off.warmupJitPercent()).isZero();
        assertThat(off.warmupMaxSeconds()).isEqualTo(30.0);
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--warmup-jit", "150"}))
                .hasMessageContaining("percentage");
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--warmup-jit", "lots"}))
                .hasMessageContaining("takes a number");
        assertThat(WarmUp.Summary.none().line()).contains("off");
    }

    @Test
    void theTypeScriptSeriesWarmUpWithTheCallsTheyMeasureAtMostFiveThousand() {
        Bench.Options defaults = Bench.Options.parse(new String[]{});
        Bench.Options few = Bench.Options.parse(new String[]{"--calls", "300"});
        Bench.Options many = Bench.Options.parse(new String[]{"--calls", "20000"});
        Bench.Options none = Bench.Options.parse(new String[]{"--ts-warmup", "0"});

        assertThat(defaults.tsWarmup()).isEqualTo(defaults.calls());
        assertThat(few.tsWarmup()).isEqualTo(300);
        assertThat(few.warmup()).as("the gateway's own warm-up is unchanged").isEqualTo(60);
        assertThat(many.tsWarmup()).isEqualTo(5000);
        assertThat(none.tsWarmup()).isZero();
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--ts-warmup", "-1"}))
                .hasMessageContaining("--ts-warmup must not be negative");
    }

    @Test
    void roundsGoOnWhileTheJitIsAboveTheThresholdEachSizedByThePreviousPace() throws Exception {
        List<Integer> sizes = new java.util.ArrayList<>();
        double[] shares = {0.40, 0.20, 0.08, 0.01};
        var printed = new java.io.ByteArrayOutputStream();

        // each round runs at 500 calls/s; the third is the first at or under 10 %
        WarmUp.Summary summary = WarmUp.rounds((number, calls) -> {
            sizes.add(calls);
            return new WarmUp.RoundResult(calls, calls / 500.0, number == 2 ? 3 : 0,
                    shares[number - 1]);
        }, "TypeScript warm-up", "the system's JIT", 0.10, 600, new java.io.PrintStream(printed,
                true));

        assertThat(sizes).containsExactly(WarmUp.FIRST_ROUND_CALLS, 5000, 5000);
        assertThat(summary.rounds()).isEqualTo(3);
        assertThat(summary.calls()).isEqualTo(11_000);
        assertThat(summary.jitShare()).isEqualTo(0.08);
        assertThat(summary.settled()).isTrue();
        assertThat(printed.toString()).contains("[bench] TypeScript warm-up round 1: 1000 calls,"
                + " 500 calls/s, 0 errors; the system's JIT used 40.0% of the CPU").contains(
                        "round 2: 5000 calls, 500 calls/s, 3 errors")
                .doesNotContain("round 4");
        assertThat(summary.line("TypeScript warm-up until steady (get_file)",
                "the system's JIT's share of its CPU")).isEqualTo("TypeScript warm-up until"
                        + " steady (get_file): 11000 calls in " + Math.round(summary.seconds())
                        + " s (3 rounds); the system's JIT's share of its CPU in the last round"
                        + " 8.0% (reached 10.0%)\n");
    }

    @Test
    void roundsThatNeverSettleEndAtTheTimeLimitAndSaySo() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        var printed = new java.io.ByteArrayOutputStream();

        WarmUp.Summary summary = WarmUp.rounds((number, calls) -> {
            rounds.incrementAndGet();
            Thread.sleep(20);
            return new WarmUp.RoundResult(calls, 0.02, 0, 0.5);
        }, "TypeScript warm-up", "the system's JIT", 0.10, 0.05, new java.io.PrintStream(
                printed, true));

        assertThat(summary.settled()).isFalse();
        assertThat(rounds.get()).isBetween(2, 4);
        assertThat(summary.rounds()).isEqualTo(rounds.get());
        assertThat(printed.toString()).contains("[bench] TypeScript warm-up: the system's JIT"
                + " still used 50.0% of the CPU after");
        assertThat(summary.json(tools.jackson.databind.json.JsonMapper.builder().build()
                .createObjectNode()).path("settled").asBoolean()).isFalse();
    }
}
