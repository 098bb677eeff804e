package dev.tollgate.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * Publishes every consumer's per-partition lag ({@code records-lag} of the fetch manager) as the
 * gauge {@code tollgate.kafka.consumer.lag}. Every role's consumers get it through
 * {@code spring.kafka.consumer.properties.metric.reporters} (a runtime default, beside Kafka's
 * JMX reporter), whether the role builds its consumers itself or through Spring Kafka.
 */
public final class ConsumerLagReporter implements MetricsReporter {

    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String LAG = "records-lag";

    private final MeterRegistry registry;
    private final Map<MetricName, Gauge> gauges = new ConcurrentHashMap<>();

    public ConsumerLagReporter() {
        this(Metrics.globalRegistry);
    }

    ConsumerLagReporter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        MetricName name = metric.metricName();
        if (!GROUP.equals(name.group()) || !LAG.equals(name.name()) || !name.tags().containsKey(
                "partition")) {
            return;
        }
        gauges.computeIfAbsent(name, n -> Gauge.builder(MetricNames.CONSUMER_LAG, metric,
                ConsumerLagReporter::value)
                .tag("client_id", n.tags().getOrDefault("client-id", "unknown"))
                .tag("topic", n.tags().getOrDefault("topic", "unknown"))
                .tag("partition", n.tags().get("partition"))
                .description("records this consumer is behind the end of the partition")
                .strongReference(true).register(registry));
    }

    private static double value(KafkaMetric metric) {
        return metric.metricValue() instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        Gauge gauge = gauges.remove(metric.metricName());
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    @Override
    public void close() {
        gauges.values().forEach(registry::remove);
        gauges.clear();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
