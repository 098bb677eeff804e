package dev.tollgate.runtime.metrics;

import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Counts the events a role publishes, by what they say: calls by tool, decisions by outcome and
 * reason code, completed calls by tool, outcome and error class, token mints, dead letters. Every
 * role's producers get it through {@code spring.kafka.producer.properties.interceptor.classes}
 * (a runtime default), so the roles' code needs no metrics calls of its own.
 *
 * <p>Each answer travels twice (the agent's copy on {@code gateway.replies}, the kept one on
 * {@code gateway.results}) and is counted once, from its kept copy.
 *
 * <p>Counts are taken when a record is handed to the producer (a send that later fails is still
 * counted; its failure shows in the producer's own error metrics). Tags are closed sets (tool
 * names, reason codes, error classes) and never carry repository names, agents or request IDs.
 * Meters go to Micrometer's global registry, to which Spring Boot adds the Prometheus registry.
 */
public final class EventMetricsInterceptor implements ProducerInterceptor<Object, Object> {

    private final MeterRegistry registry;

    public EventMetricsInterceptor() {
        this(Metrics.globalRegistry);
    }

    EventMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        try {
            if (!Topics.REPLIES.name().equals(record.topic())) { // its twin on results counts
                count(record.value());
            }
        } catch (RuntimeException e) {
            // metrics never stop a record
        }
        return record;
    }

    void count(Object value) {
        switch (value) {
            case ToolCallRequested requested -> registry.counter(MetricNames.CALLS_REQUESTED,
                    "tool", text(requested.getTool())).increment();
            case PolicyDecided decided -> registry.counter(MetricNames.DECISIONS, "outcome",
                    decided.getMonitorOnly() ? "monitor_only" : "allowed", "reason", decided
                            .getAllowed() ? "allowed" : "denied")
                    .increment();
            case ToolCallCompleted completed -> {
                String outcome = completed.getStatus().name().toLowerCase(Locale.ROOT);
                String errorClass = completed.getErrorCode() == null
                        ? "none"
                        : text(completed
                                .getErrorCode());
                if ("denied".equals(outcome)) {
                    registry.counter(MetricNames.DECISIONS, "outcome", "denied", "reason",
                            errorClass).increment();
                }
                registry.counter(MetricNames.CALLS_COMPLETED, "tool", text(completed.getTool()),
                        "outcome", outcome, "error_class", errorClass).increment();
            }
            case TokenMinted minted -> registry.counter(MetricNames.TOKENS_MINTED,
                    "static_fallback", Boolean.toString(minted.getStaticFallback()))
                    .increment();
            case DeadLetter ignored -> registry.counter(MetricNames.DEAD_LETTERS).increment();
            case null, default -> {
            }
        }
    }

    private static String text(CharSequence value) {
        return value == null ? "none" : value.toString();
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
