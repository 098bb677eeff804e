package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.compose.k8s.Kustomization;
import dev.tollgate.executor.core.ErrorClass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The PrometheusRule of the prometheus component alerts on what the roles really export: every
 * metric an alert queries, and every label value it matches exactly, appears in the scrape of
 * the real meter classes ({@link ExposedMetrics}); error classes are the executor's codes. And
 * the alerts an operator needs are there: consumer lag, failing answers by error class, an open
 * circuit breaker, the audit store failing, dead letters.
 */
class AlertRulesTest {

    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:tollgate|jvm|http|kafka|process|spring_kafka)_[a-z0-9_]+)\\b(\\{[^}]*})?");
    private static final Pattern EXACT_MATCHER = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");
    /** Labels Prometheus adds at scrape time, or every meter's common tag. */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "job",
            "instance", "role");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|s|m|h|d|w|y))+");

    private static final Map<String, JsonNode> RULES = rules();

    @Test
    void theAlertsAnOperatorNeedsAreThere() {
        assertThat(RULES.keySet()).contains("TollgateConsumerLagHigh", "TollgateCallsFailing",
                "TollgateGitHubCircuitOpen", "TollgateAuditStoreFailing", "TollgateDeadLetters");
        assertThat(RULES.get("TollgateCallsFailing").path("expr").asString()).contains(
                "by (namespace, error_class)");
        // an outage of a host, not one caller's breaker nor the job logs' store (its own alert)
        assertThat(RULES.get("TollgateGitHubCircuitOpen").path("expr").asString()).contains(
                "breaker=\"host\"");
        assertThat(RULES.get("TollgateJobLogStoreCircuitOpen").path("expr").asString())
                .contains("breaker=\"log_storage\"");
        assertThat(RULES.get("TollgateInstallationClaimedByAnotherEnvironment").path("expr")
                .asString()).contains("tollgate_installations_reclaimed_total").contains(
                        "claimed_by");
    }

    @Test
    void everyMetricAndLabelValueAnAlertMatchesIsExported() throws Exception {
        Set<String> names = ExposedMetrics.names();
        Set<String> series = ExposedMetrics.series();
        Set<String> errorCodes = new TreeSet<>();
        Arrays.stream(ErrorClass.values()).forEach(c -> errorCodes.add(c.code()));
        List<String> missing = new ArrayList<>();
        Set<String> queried = new TreeSet<>();

        RULES.forEach((alert, rule) -> {
            Matcher metric = METRIC.matcher(rule.path("expr").asString());
            while (metric.find()) {
                String name = metric.group(1);
                queried.add(name);
                if (!names.contains(name)) {
                    missing.add(alert + ": " + name);
                    continue;
                }
                Matcher matcher = EXACT_MATCHER.matcher(metric.group(2) == null
                        ? ""
                        : metric.group(2));
                while (matcher.find()) {
                    String label = matcher.group(1);
                    String value = matcher.group(2);
                    if (label.equals("error_class")) {
                        if (!errorCodes.contains(value)) {
                            missing.add(alert + ": error_class " + value + " (codes: " + errorCodes
                                    + ")");
                        }
                    } else if (!TARGET_LABELS.contains(label) && series.stream().noneMatch(s -> s
                            .startsWith(name + "{") && s.contains(label + "=\"" + value + "\""))) {
                        missing.add(alert + ": " + name + "{" + label + "=\"" + value + "\"}");
                    }
                }
            }
        });

        assertThat(queried).hasSizeGreaterThanOrEqualTo(5);
        assertThat(missing).as("queried but not exported").isEmpty();
    }

    @Test
    void everyAlertHasASeverityASummaryAndAValidDuration() {
        RULES.forEach((alert, rule) -> {
            assertThat(alert).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
            assertThat(rule.at("/labels/severity").asString()).as(alert).isIn("warning",
                    "critical");
            assertThat(rule.at("/annotations/summary").asString()).as(alert).isNotBlank();
            if (rule.has("for")) {
                assertThat(rule.path("for").asString()).as(alert).matches(DURATION);
            }
        });
    }

    /** Checks the check: a metric that no role exports is reported. */
    @Test
    void aMetricNoRoleExportsIsNotInTheScrape() throws Exception {
        assertThat(ExposedMetrics.names()).contains("tollgate_dead_letters_total",
                "spring_kafka_listener_seconds_count").doesNotContain(
                        "tollgate_audit_append_failures_total");
    }

    private static Map<String, JsonNode> rules() {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (JsonNode object : Kustomization.render(RoleSettings.repository().resolve(
                "compose/k8s/overlays/full")).objects()) {
            if (object.path("kind").asString().equals("PrometheusRule")) {
                for (JsonNode group : object.at("/spec/groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        rules.put(rule.path("alert").asString(), rule);
                    }
                }
            }
        }
        return rules;
    }
}
