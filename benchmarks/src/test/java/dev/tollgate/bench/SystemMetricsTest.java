package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SystemMetricsTest {

    /** As a role's /actuator/prometheus prints them (trimmed). */
    private static String scrape(long transactions, double seconds, long batches, long records) {
        return """
                # HELP tollgate_decision_batch_records Requests decided per transaction (one polled batch)
                # TYPE tollgate_decision_batch_records summary
                tollgate_decision_batch_records_count{role="decision-worker"} %d
                tollgate_decision_batch_records_sum{role="decision-worker"} %d.0
                tollgate_decision_batch_records_max{role="decision-worker"} 29.0
                # TYPE tollgate_decision_transactions_seconds summary
                tollgate_decision_transactions_seconds{outcome="aborted",role="decision-worker",quantile="0.5"} 0.5
                tollgate_decision_transactions_seconds{outcome="aborted",role="decision-worker",quantile="0.99"} 0.9
                tollgate_decision_transactions_seconds_count{outcome="aborted",role="decision-worker"} 3
                tollgate_decision_transactions_seconds_sum{outcome="aborted",role="decision-worker"} 1.5
                tollgate_decision_transactions_seconds{outcome="committed",role="decision-worker",quantile="0.5"} 0.004
                tollgate_decision_transactions_seconds{outcome="committed",role="decision-worker",quantile="0.99"} 0.0125
                tollgate_decision_transactions_seconds_count{outcome="committed",role="decision-worker"} %d
                tollgate_decision_transactions_seconds_sum{outcome="committed",role="decision-worker"} %s
                tollgate_calls_total{outcome="succeeded",role="ingress",tool="get_file"} 5000.0
                """
                .formatted(batches, records, transactions, Double.toString(seconds));
    }

    @Test
    void readsTheCommittedTransactionsAndBatchesOnly() {
        SystemMetrics.Sample sample = SystemMetrics.parse(scrape(172, 21.5, 172, 1233));

        assertThat(sample.found()).isTrue();
        assertThat(sample.transactions()).isEqualTo(172);
        assertThat(sample.transactionSeconds()).isCloseTo(21.5, within(1e-9));
        assertThat(sample.batches()).isEqualTo(172);
        assertThat(sample.batchRecords()).isEqualTo(1233);
        assertThat(sample.p50Seconds()).isEqualTo(0.004);
        assertThat(sample.p99Seconds()).isEqualTo(0.0125);
    }

    @Test
    void theSeriesIsTheDifferenceBetweenTwoScrapes() {
        SystemMetrics.Delta delta = SystemMetrics.between(SystemMetrics.parse(scrape(100, 1.0,
                100, 500)), SystemMetrics.parse(scrape(300, 2.0, 300, 1700)));

        assertThat(delta.transactions()).isEqualTo(200);
        assertThat(delta.meanMillis()).isCloseTo(5.0, within(1e-9));
        assertThat(delta.meanBatch()).isCloseTo(6.0, within(1e-9));
        assertThat(delta.p50Millis()).isCloseTo(4.0, within(1e-9));
        assertThat(delta.line()).contains("200,", "mean 5.00 ms", "mean 6.0 requests");
    }

    @Test
    void aSystemWithoutTheMetricGivesNoFigure() {
        SystemMetrics.Sample none = SystemMetrics.parse("tollgate_calls_total{tool=\"x\"} 1.0\n");

        assertThat(none.found()).isFalse();
        assertThat(SystemMetrics.between(none, none)).isNull();
        assertThat(SystemMetrics.read(java.util.List.of("http://127.0.0.1:1/actuator/prometheus"))
                .found()).isFalse();
    }
}
