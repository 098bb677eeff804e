package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditSinkApplication;
import dev.tollgate.compose.k8s.Kustomization;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import dev.tollgate.testsupport.WithKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The TollgateAuditStoreFailing alert fires on what the real audit sink exports when its store
 * fails: the sink is started (its own Spring application, HTTP on a free port) on the real broker
 * with a PostgreSQL store whose schema was never migrated, so every append fails, and with the
 * role the Deployment gives it; one record is produced; its Prometheus endpoint must then show
 * the series the alert's selector matches (Spring Kafka's listener timer, which the sink's
 * listener container records by default, with {@code result="failure"}).
 */
@WithKafka
class AuditStoreFailingAlertTest {

    private static final Pattern SELECTOR = Pattern.compile(
            "spring_kafka_listener_seconds_count\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

    @Test
    void aSinkWhoseStoreFailsExportsTheSeriesTheAuditStoreAlertMatches(KafkaTestBroker broker)
            throws Exception {
        List<String> matchers = alertMatchers();
        String role = deployedRole();
        String topic = KafkaTestBroker.uniqueName("gateway.requests");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String unmigrated = database.freshSchemaUrl("audit_unmigrated");

        try (ConfigurableApplicationContext sink = new SpringApplicationBuilder(
                AuditSinkApplication.class).run(
                        "--spring.kafka.bootstrap-servers=" + broker
                                .bootstrapServers(),
                        "--tollgate.role=" + role, "--server.address=127.0.0.1",
                        "--server.port=0",
                        "--tollgate.audit.store=postgres", "--tollgate.audit.postgres.url="
                                + unmigrated,
                        "--tollgate.audit.postgres.user=" + database.user(),
                        "--tollgate.audit.postgres.password=" + database.password(),
                        "--tollgate.audit.group-id=" + KafkaTestBroker.uniqueName("audit"),
                        "--tollgate.audit.topics=" + topic)) {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker
                    .producerProps(), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "not an event".getBytes(
                        StandardCharsets.UTF_8))).get();
            }
            URI metrics = URI.create("http://127.0.0.1:" + sink.getEnvironment().getProperty(
                    "local.server.port") + "/actuator/prometheus");

            String failing = awaitSeries(metrics, matchers);

            assertThat(failing).contains("role=\"audit-sink\"", "result=\"failure\"");
        }
    }

    /** TOLLGATE_ROLE as the audit sink's Deployment sets it: the role tag of its meters. */
    private static String deployedRole() {
        for (JsonNode object : Kustomization.render(RoleSettings.repository().resolve(
                "compose/k8s")).objects()) {
            if (object.at("/metadata/name").asString().equals("tollgate-audit-sink") && object
                    .path("kind").asString().equals("Deployment")) {
                for (JsonNode env : object.at("/spec/template/spec/containers/0/env")) {
                    if (env.path("name").asString().equals("TOLLGATE_ROLE")) {
                        return env.path("value").asString();
                    }
                }
            }
        }
        throw new AssertionError("the audit sink's Deployment sets no TOLLGATE_ROLE");
    }

    /** The label matchers of the TollgateAuditStoreFailing alert's selector. */
    private static List<String> alertMatchers() {
        for (JsonNode object : Kustomization.render(RoleSettings.repository().resolve(
                "compose/k8s/overlays/full")).objects()) {
            for (JsonNode rule : object.at("/spec/groups/0/rules")) {
                if (rule.path("alert").asString().equals("TollgateAuditStoreFailing")) {
                    Matcher selector = SELECTOR.matcher(rule.path("expr").asString());
                    assertThat(selector.find()).as(rule.path("expr").asString()).isTrue();
                    List<String> matchers = new ArrayList<>();
                    Matcher m = MATCHER.matcher(selector.group(1));
                    while (m.find()) {
                        matchers.add(m.group(1) + "=\"" + m.group(2) + "\"");
                    }
                    assertThat(matchers).isNotEmpty();
                    return matchers;
                }
            }
        }
        throw new AssertionError("no TollgateAuditStoreFailing alert in the prometheus component");
    }

    /** The first scraped series of the listener timer that every matcher matches. */
    private static String awaitSeries(URI metrics, List<String> matchers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<String> seen = List.of();
        int scrapes = 0;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            scrapes++;
            seen = response.body().lines().filter(l -> l.startsWith(
                    "spring_kafka_listener_seconds_count")).toList();
            for (String line : seen) {
                if (matchers.stream().allMatch(line::contains)) {
                    return line;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("gave up after " + scrapes + " scrapes of " + metrics
                + " waiting for spring_kafka_listener_seconds_count with " + matchers
                + "; its listener series were: " + seen);
    }
}
