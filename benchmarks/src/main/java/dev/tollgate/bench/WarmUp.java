package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import tools.jackson.databind.node.ObjectNode;

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

        /** The summary in JSON, into {@code node}. */
        ObjectNode json(ObjectNode node) {
            return node.put("calls", calls).put("seconds", seconds).put("rounds", rounds).put(
                    "jit_share_last_round", jitShare).put("threshold", threshold).put("settled",
                            settled);
        }

        String line() {
            return line("warm-up until steady", "the JIT's share of the CPU");
        }

        /** The summary line: {@code what} it was, {@code share} what the share is of. */
        String line(String what, String share) {
            if (rounds == 0) {
                return what + ": off\n";
            }
            return String.format(Locale.ROOT,
                    "%s: %d calls in %.0f s (%d rounds); %s in the last round %.1f%% (%s %.1f%%)%n",
                    what, calls, seconds, rounds, share, 100 * jitShare, settled
                            ? "reached"
                            : "did NOT reach",
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

    /** What one warm-up round did: its calls, how long they took, errors, the JIT's share. */
    record RoundResult(int calls, double seconds, long errors, double jitShare) {
    }

    /** One warm-up round of {@code calls} calls, measuring the JIT's share while it runs. */
    @FunctionalInterface
    interface Round {
        RoundResult run(int number, int calls) throws InterruptedException;
    }

    /**
     * Runs rounds until {@link #steady} or {@code maxSeconds}, printing each round.
     *
     * @param threshold the JIT share (0..1) counted as steady
     */
    static Summary run(List<ProcessStats.Measured> processes, int concurrency,
            IntFunction<Load.Caller> callers, double threshold, double maxSeconds,
            PrintStream progress) throws InterruptedException {
        return rounds((number, calls) -> {
            var before = ProcessStats.sampleAll(processes);
            long roundStarted = System.nanoTime();
            LatencyStats round = Load.run("warm-up round " + number, calls, concurrency, 0,
                    callers, null);
            double seconds = (System.nanoTime() - roundStarted) / 1e9;
            return new RoundResult(calls, seconds, round.errors(), jitShare(ProcessStats.usages(
                    processes, before, ProcessStats.sampleAll(processes))));
        }, "warm-up", "the JIT", threshold, maxSeconds, progress);
    }

    /**
     * Runs {@code round} until the JIT's share it measures is {@link #steady} or {@code
     * maxSeconds} have passed: {@link #FIRST_ROUND_CALLS} calls first, then about
     * {@link #ROUND_SECONDS} of calls at the previous round's pace.
     *
     * @param what the rounds' name in the progress lines ("warm-up")
     * @param whose whose compilers the share counts ("the JIT")
     */
    static Summary rounds(Round round, String what, String whose, double threshold,
            double maxSeconds, PrintStream progress) throws InterruptedException {
        long started = System.nanoTime();
        int total = 0;
        int rounds = 0;
        int next = FIRST_ROUND_CALLS;
        double share;
        boolean steady;
        double elapsed;
        do {
            RoundResult result = round.run(rounds + 1, next);
            share = result.jitShare();
            rounds++;
            total += result.calls();
            elapsed = (System.nanoTime() - started) / 1e9;
            steady = steady(share, threshold);
            progress.printf(Locale.ROOT, "[bench] %s round %d: %d calls, %.0f calls/s, %d"
                    + " errors; %s used %.1f%% of the CPU (steady at %.1f%%); %.0f s so far%n",
                    what, rounds, result.calls(), result.calls() / result.seconds(), result
                            .errors(),
                    whose, 100 * share, 100 * threshold, elapsed);
            next = nextRoundCalls(result.calls(), result.seconds());
        } while (!steady && elapsed < maxSeconds);
        if (!steady) {
            progress.printf(Locale.ROOT, "[bench] %s: %s still used %.1f%% of the CPU after %.0f"
                    + " s; measuring anyway (--warmup-max-s raises the limit)%n", what, whose,
                    100 * share, elapsed);
        }
        return new Summary(total, elapsed, rounds, share, threshold, steady);
    }
}
