package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric the Grafana dashboard queries is one the roles expose: the real meter classes
 * (the runtime's event counter and lag reporter, the executor's GitHub meters, the JVM binder
 * Boot uses) are exercised into a Prometheus registry and its scrape is compared with the
 * dashboard's queries.
 */
class DashboardTest {

    private static final Path DASHBOARD = RoleSettings.repository().resolve(
            "compose/k8s/grafana-dashboard.json");
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:tollgate|jvm|http|kafka|process)_[a-z0-9_]+)\\b");

    @Test
    void everyMetricTheDashboardQueriesIsExposed() throws Exception {
        Set<String> exposed = exposedSeries();
        Set<String> queried = new TreeSet<>();
        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher matcher = METRIC.matcher(target.path("expr").asString());
                while (matcher.find()) {
                    queried.add(matcher.group(1));
                }
            }
        }

        assertThat(queried).hasSizeGreaterThanOrEqualTo(8);
        assertThat(exposed).containsAll(queried);
    }

    @Test
    void theDashboardCoversCallsDecisionsErrorsLatencyTokensBreakersAndLag() throws Exception {
        String text = java.nio.file.Files.readString(DASHBOARD);

        assertThat(text).contains("tollgate_calls_completed_total", "tollgate_decisions_total",
                "error_class", "tollgate_github_requests_seconds_bucket",
                "tollgate_tokens_minted_total", "tollgate_tokens_cache_hits_total",
                "tollgate_github_circuit_breakers", "tollgate_kafka_consumer_lag",
                "tollgate_decision_transactions_seconds", "tollgate_decision_batch_records");
    }

    private static Set<String> exposedSeries() throws Exception {
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
            ExecutorMetrics.timed(r -> new GitHubResponse(200, ResponseHeaders.empty(), ""))
                    .send(GitHubRequest.get("/repos/o/r", new GitHubRequest.Credential.AppJwt(
                            "jwt")));
            ExecutorMetrics.watch(CircuitBreaker.ofDefaults("github-test"));
            new DecisionLoop(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "dashboard"), Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard"), () -> null, null,
                    java.time.Duration.ofMillis(1)); // its transaction meters

            Set<String> series = new LinkedHashSet<>();
            for (String line : registry.scrape().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    series.add(line.split("[{ ]", 2)[0]);
                }
            }
            lag.close();
            return series;
        } finally {
            Metrics.removeRegistry(registry);
        }
    }
}
