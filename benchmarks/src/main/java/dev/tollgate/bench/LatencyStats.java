package dev.tollgate.bench;

import java.util.Arrays;
import java.util.Locale;

/** Latency percentiles, throughput and errors of one measured series. */
public record LatencyStats(String name, int calls, int errors, double p50Millis, double p90Millis,
        double p99Millis, double maxMillis, double callsPerSecond) {

    /** Summarises per-call latencies in nanoseconds measured over {@code elapsedNanos}. */
    public static LatencyStats of(String name, long[] latenciesNanos, int errors,
            long elapsedNanos) {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return new LatencyStats(name, sorted.length, errors, percentile(sorted, 0.50),
                percentile(sorted, 0.90), percentile(sorted, 0.99), sorted.length == 0
                        ? 0
                        : sorted[sorted.length - 1] / 1e6,
                elapsedNanos == 0
                        ? 0
                        : sorted.length
                                / (elapsedNanos / 1e9));
    }

    static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    public String row() {
        return String.format(Locale.ROOT, "%-34s %7d %6d %9.2f %9.2f %9.2f %9.2f %10.1f", name,
                calls, errors, p50Millis, p90Millis, p99Millis, maxMillis, callsPerSecond);
    }

    public static String header() {
        return String.format(Locale.ROOT, "%-34s %7s %6s %9s %9s %9s %9s %10s", "series", "calls",
                "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "calls/s");
    }

    public String json() {
        return String.format(Locale.ROOT,
                "{\"name\":\"%s\",\"calls\":%d,\"errors\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
                        + "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"calls_per_s\":%.1f}",
                name, calls, errors, p50Millis, p90Millis, p99Millis, maxMillis, callsPerSecond);
    }
}
