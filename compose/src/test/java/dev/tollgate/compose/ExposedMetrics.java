package dev.tollgate.compose;

import dev.tollgate.decision.kafka.DecisionLoop;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.ResponseHeaders;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.runtime.metrics.ConsumerLagReporter;
import dev.tollgate.runtime.metrics.EventMetricsInterceptor;
import dev.tollgate.schemas.AvroTrust;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.utils.Time;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.kafka.support.micrometer.MicrometerHolder;

/**
 * What the roles' Prometheus endpoints expose, without starting them: the real meter classes (the
 * runtime's event counter and lag reporter, the executor's GitHub meters, the decision worker's
 * transaction meters, Spring Kafka's listener timer that the audit sink's listener container
 * records, the JVM binder Boot uses) are exercised into a Prometheus registry and scraped. The
 * dashboard and alert tests compare their queries with it.
 */
final class ExposedMetrics {

    private static Set<String> series;

    private ExposedMetrics() {
    }

    /** The metric names of {@link #series()}. */
    static Set<String> names() throws Exception {
        Set<String> names = new LinkedHashSet<>();
        series().forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    /** Every scraped series: its name and labels as Prometheus prints them. */
    static synchronized Set<String> series() throws Exception {
        if (series == null) {
            series = scrape();
        }
        return series;
    }

    private static Set<String> scrape() throws Exception {
        AvroTrust.ensure();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(registry);
        try {
            new JvmMemoryMetrics().bindTo(registry);
            EventMetricsInterceptor events = new EventMetricsInterceptor();
            EventMeta meta = EventMeta.newBuilder().setEventId("e").setRequestId("r")
                    .setOccurredAt(Instant.now()).setProducer("test").build();
            ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta).setAgentId(
                    "a").setEnvironment("e").setTool("get_file").setArgumentsJson("{}").build();
            for (Object event : List.of(request, PolicyDecided.newBuilder().setMeta(meta)
                    .setRequest(request).setAllowed(true).setReason("r").setPolicyVersion("v")
                    .setPermissions(Map.of()).setRepositories(List.of()).setRoutingKey("k")
                    .build(),
                    ToolCallCompleted.newBuilder().setMeta(meta).setAgentId("a")
                            .setEnvironment("e").setTool("get_file").setStatus(CallStatus.FAILED)
                            .setErrorCode("rate_limited").setMessage("m").setAttempts(1).build(),
                    TokenMinted.newBuilder().setMeta(meta).setAppId("1").setInstallationId(1L)
                            .setRepositories(List.of()).setPermissions(Map.of()).setExpiresAt(
                                    Instant.now())
                            .setScopeKey("s").build(),
                    DeadLetter
                            .newBuilder().setMeta(meta).setSourceTopic("t")
                            .setSourcePartition(0).setSourceOffset(0).setReason(
                                    "r")
                            .build())) {
                events.onSend(new ProducerRecord<>("topic", event));
            }
            ConsumerLagReporter lag = new ConsumerLagReporter();
            lag.metricChange(new KafkaMetric(new Object(), new MetricName("records-lag",
                    "consumer-fetch-manager-metrics", "", Map.of("client-id", "c", "topic",
                            "gateway.decisions", "partition", "0")),
                    (Gauge<Double>) (config,
                            now) -> 3.0,
                    new MetricConfig(), Time.SYSTEM));
            ExecutorMetrics.timed(GitHubTransport.sendOnly(r -> new GitHubResponse(200,
                    ResponseHeaders.empty(), "")))
                    .send(GitHubRequest.get("/repos/o/r", new GitHubRequest.Credential.AppJwt(
                            "jwt")));
            ExecutorMetrics.watch(CircuitBreaker.ofDefaults("github-test"));
            ExecutorMetrics.reclaimed("prod", "staging");
            // its transaction meters (a throwaway key: it signs nothing)
            new DecisionLoop(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "dashboard"), Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard"), () -> null, null,
                    java.time.Duration.ofMillis(1), new dev.tollgate.schemas.signing.DecisionSigner(
                            dev.tollgate.schemas.signing.DecisionKey.of(new byte[32])));

            // the audit sink's listener container (Spring Kafka, Micrometer enabled by default)
            // times each batch with this holder; a batch whose append fails is a "failure"
            StaticApplicationContext context = new StaticApplicationContext();
            context.getBeanFactory().registerSingleton("registry", registry);
            context.refresh();
            MicrometerHolder listener = new MicrometerHolder(context, "auditListenerContainer-0",
                    "spring.kafka.listener", "Kafka Listener Timer", record -> Map.of());
            listener.failure(listener.start(), "AuditStoreException");
            listener.success(listener.start());

            Set<String> series = new LinkedHashSet<>();
            for (String line : registry.scrape().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    series.add(line.substring(0, line.lastIndexOf(' ')));
                }
            }
            lag.close();
            return series;
        } finally {
            Metrics.removeRegistry(registry);
        }
    }
}
