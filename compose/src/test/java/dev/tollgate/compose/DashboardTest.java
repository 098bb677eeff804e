package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric the Grafana dashboard queries is one the roles expose ({@link ExposedMetrics}: the
 * real meter classes exercised into a Prometheus registry).
 */
class DashboardTest {

    private static final Path DASHBOARD = RoleSettings.repository().resolve(
            "compose/k8s/grafana-dashboard.json");
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:tollgate|jvm|http|kafka|process)_[a-z0-9_]+)\\b");

    @Test
    void everyMetricTheDashboardQueriesIsExposed() throws Exception {
        Set<String> exposed = ExposedMetrics.names();
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
}
