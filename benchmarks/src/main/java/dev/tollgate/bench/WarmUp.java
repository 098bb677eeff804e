package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Warms the system up until it runs compiled code: rounds of closed-loop calls until the JIT
 * compilers' share of all measured CPU (every process: the system's and the benchmark's own)
 * falls to a threshold, or a time limit passes. A JVM running the broker and every role keeps
 * compiling for minutes on two cores; figures measured before that are the compiler's, not the
 * gateway's.
 */
final class WarmUp {

    /** A round lasts about this long at the previous round's pace. */
    static final double ROUND_SECONDS = 10;
    static final int FIRST_ROUND_CALLS = 1000;
    static final int MAX_ROUND_CALLS = 50_000;

    private WarmUp() {
    }

    /**
     * What the warm-up did.
     *
     * @param jitShare the JIT's share of the CPU in the last round (0..1; NaN if not measured)
     * @param settled whether that share reached the threshold within the time limit
     */
    record Summary(int calls, double seconds, int rounds, double jitShare, double threshold,
            boolean settled) {

        static Summary none() {
            return new Summary(0, 0, 0, Double.NaN, 0, false);
        }

        String line() {
            if (rounds == 0) {
                return "warm-up until steady: off\n";
            }
            return String.format(Locale.ROOT,
                    "warm-up until steady: %d calls in %.0f s (%d rounds);"
                            + " the JIT's share of the CPU in the last round %.1f%% (%s %.1f%%)%n",
                    calls,
                    seconds, rounds, 100 * jitShare, settled ? "reached" : "did NOT reach",
                    100 * threshold);
        }
    }

    /** The JIT compilers' CPU over all the CPU of {@code usages}; NaN when nothing was measured. */
    static double jitShare(List<ProcessStats.Usage> usages) {
        double jit = 0;
        double all = 0;
        for (ProcessStats.Usage usage : usages) {
            jit += usage.componentMillis().getOrDefault(ThreadComponents.JIT, 0.0);
            all += usage.cpuMillis();
        }
        return all <= 0 ? Double.NaN : jit / all;
    }

    /** About {@link #ROUND_SECONDS} of calls at the pace of the last round. */
    static int nextRoundCalls(int lastCalls, double lastSeconds) {
        if (lastSeconds <= 0) {
            return FIRST_ROUND_CALLS;
        }
        long calls = Math.round(lastCalls / lastSeconds * ROUND_SECONDS);
        return (int) Math.max(100, Math.min(MAX_ROUND_CALLS, calls));
    }

    /** Steady when the share is at or under the threshold, or cannot be measured here. */
    static boolean steady(double jitShare, double threshold) {
        return Double.isNaN(jitShare) || jitShare <= threshold;
    }

    /**
     * Runs rounds until {@link #steady} or {@code maxSeconds}, printing each round.
     *
     * @param threshold the JIT share (0..1) counted as steady
     */
    static Summary run(List<ProcessStats.Measured> processes, int concurrency,
            IntFunction<Load.Caller> callers, double threshold, double maxSeconds,
            PrintStream progress) throws InterruptedException {
        long started = System.nanoTime();
        int total = 0;
        int rounds = 0;
        int next = FIRST_ROUND_CALLS;
        double share;
        boolean steady;
        double elapsed;
        do {
            var before = ProcessStats.sampleAll(processes);
            long roundStarted = System.nanoTime();
            LatencyStats round = Load.run("warm-up round " + (rounds + 1), next, concurrency, 0,
                    callers, null);
            double seconds = (System.nanoTime() - roundStarted) / 1e9;
            share = jitShare(ProcessStats.usages(processes, before, ProcessStats.sampleAll(
                    processes)));
            rounds++;
            total += next;
            elapsed = (System.nanoTime() - started) / 1e9;
            steady = steady(share, threshold);
            progress.printf(Locale.ROOT, "[bench] warm-up round %d: %d calls, %.0f calls/s, %d"
                    + " errors; the JIT used %.1f%% of the CPU (steady at %.1f%%); %.0f s so far%n",
                    rounds, next, next / seconds, round.errors(), 100 * share, 100 * threshold,
                    elapsed);
            next = nextRoundCalls(next, seconds);
        } while (!steady && elapsed < maxSeconds);
        if (!steady) {
            progress.printf(Locale.ROOT, "[bench] warm-up: the JIT still used %.1f%% of the CPU"
                    + " after %.0f s; measuring anyway (--warmup-max-s raises the limit)%n",
                    100
                            * share,
                    elapsed);
        }
        return new Summary(total, elapsed, rounds, share, threshold, steady);
    }
}
