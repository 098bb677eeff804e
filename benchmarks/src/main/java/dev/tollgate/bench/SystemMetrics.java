package dev.tollgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system's own view of its hot spot, read from its Prometheus endpoints before and after the
 * measured series: the decision worker's transactions (one per polled batch of requests; the
 * executor reads decisions {@code read_committed}, so it sees one only once its transaction has
 * committed) — how many, how long on average, how many requests each carried.
 */
final class SystemMetrics {

    private static final Pattern SAMPLE = Pattern.compile(
            "^(tollgate_decision_transactions_seconds_(?:count|sum)|tollgate_decision_batch_records_(?:count|sum))"
                    + "\\{([^}]*)\\}\\s+([0-9.eE+-]+)\\s*$");
    private static final Pattern QUANTILE = Pattern.compile(
            "^tollgate_decision_transactions_seconds\\{([^}]*)quantile=\"(0\\.5|0\\.99)\"[^}]*\\}"
                    + "\\s+([0-9.eE+-]+)\\s*$");

    /** Totals summed over every endpoint (several decision workers add up). */
    record Sample(double transactions, double transactionSeconds, double batches,
            double batchRecords, double p50Seconds, double p99Seconds, boolean found) {

        static final Sample NONE = new Sample(0, 0, 0, 0, Double.NaN, Double.NaN, false);
    }

    /** What happened between two samples. */
    record Delta(double transactions, double meanMillis, double meanBatch, double p50Millis,
            double p99Millis) {

        String line() {
            return String.format(Locale.ROOT, "decision transactions during the series: %.0f,"
                    + " mean %.2f ms, mean %.1f requests each (p50 / p99 over the system's last"
                    + " ~2 min: %.2f / %.2f ms)%n", transactions, meanMillis, meanBatch, p50Millis,
                    p99Millis);
        }
    }

    private SystemMetrics() {
    }

    static Delta between(Sample before, Sample after) {
        if (!before.found() || !after.found()) {
            return null;
        }
        double transactions = after.transactions() - before.transactions();
        double batches = after.batches() - before.batches();
        return new Delta(transactions, transactions == 0
                ? Double.NaN
                : 1000 * (after.transactionSeconds() - before.transactionSeconds()) / transactions,
                batches == 0
                        ? Double.NaN
                        : (after.batchRecords() - before.batchRecords()) / batches,
                1000 * after.p50Seconds(), 1000 * after.p99Seconds());
    }

    /** Reads every endpoint; an endpoint that does not answer is left out. */
    static Sample read(List<String> prometheusUrls) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Sample total = Sample.NONE;
        for (String url : prometheusUrls) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers
                                .ofString());
                if (response.statusCode() == 200) {
                    total = add(total, parse(response.body()));
                }
            } catch (java.io.IOException e) {
                // not a role with metrics, or gone: nothing to add
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return total;
            }
        }
        return total;
    }

    static Sample parse(String text) {
        double transactions = 0;
        double seconds = 0;
        double batches = 0;
        double records = 0;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher quantile = QUANTILE.matcher(line);
            if (quantile.matches() && quantile.group(1).contains("outcome=\"committed\"")) {
                double value = Double.parseDouble(quantile.group(3));
                if (quantile.group(2).equals("0.5")) {
                    p50 = Double.isNaN(p50) ? value : Math.max(p50, value);
                } else {
                    p99 = Double.isNaN(p99) ? value : Math.max(p99, value);
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                continue;
            }
            double value = Double.parseDouble(sample.group(3));
            switch (sample.group(1)) {
                case "tollgate_decision_transactions_seconds_count" -> {
                    if (sample.group(2).contains("outcome=\"committed\"")) {
                        transactions += value;
                        found = true;
                    }
                }
                case "tollgate_decision_transactions_seconds_sum" -> {
                    if (sample.group(2).contains("outcome=\"committed\"")) {
                        seconds += value;
                    }
                }
                case "tollgate_decision_batch_records_count" -> batches += value;
                default -> records += value;
            }
        }
        return new Sample(transactions, seconds, batches, records, p50, p99, found);
    }

    private static Sample add(Sample a, Sample b) {
        if (!a.found()) {
            return b;
        }
        if (!b.found()) {
            return a;
        }
        return new Sample(a.transactions() + b.transactions(), a.transactionSeconds() + b
                .transactionSeconds(), a.batches() + b.batches(), a.batchRecords()
                        + b
                                .batchRecords(),
                Math.max(a.p50Seconds(), b.p50Seconds()), Math.max(a
                        .p99Seconds(), b.p99Seconds()),
                true);
    }
}
