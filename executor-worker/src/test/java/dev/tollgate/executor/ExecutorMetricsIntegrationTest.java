package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The executor's Prometheus metrics, scraped after real calls to a GitHub stand-in. */
@WithKafka
class ExecutorMetricsIntegrationTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSecondCallForTheSameScopeIsACacheHitAndEveryCallIsTimedAndCounted(
            KafkaTestBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(List.of(
                    Topics.DECISIONS, Topics.RESULTS, Topics.REPLIES, Topics.TOKEN_MINTS));
        }
        try (GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock
                .systemUTC())) {
            github.repository("octo", "metrics", 7).files.put("f.txt", "content");
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                    ExecutorWorkerApplication.class).properties("server.port=0",
                            "tollgate.github.api-url=" + github.apiUrlText(),
                            "tollgate.github.app-id=" + TestApp.APP_ID,
                            "tollgate.github.private-key-file=" + TestApp.writeKeyFile(dir,
                                    "app-pkcs1.pem"),
                            "tollgate.executor.group-id=" + KafkaTestBroker.uniqueName("exec"),
                            TestDecisionKey.setting(dir),
                            "spring.kafka.bootstrap-servers=" + broker.bootstrapServers())
                    .run();
                    KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                            .producerProps(), new StringSerializer(),
                            new EventSerializer<>(
                                    AvroSingleObjectCodec.shared()))) {
                int port = ((WebServerApplicationContext) context).getWebServer().getPort();
                String first = "metrics-" + UUID.randomUUID();
                String second = "metrics-" + UUID.randomUUID();
                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), "7",
                        TestDecisionKey.sign(
                                decision(first))))
                        .get(30, TimeUnit.SECONDS);
                assertThat(awaitAnswer(broker, first).getStatus()).isEqualTo(
                        CallStatus.SUCCEEDED);
                String before = scrape(port);

                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), "7", TestDecisionKey
                        .sign(decision(second)))).get(30, TimeUnit.SECONDS);
                assertThat(awaitAnswer(broker, second).getStatus()).isEqualTo(
                        CallStatus.SUCCEEDED);
                String after = scrape(port);

                assertThat(value(after, "tollgate_tokens_cache_hits_total\\{[^}]*\\}") - value(
                        before, "tollgate_tokens_cache_hits_total\\{[^}]*\\}")).isEqualTo(1.0);
                assertThat(value(after, mints()) - value(before, mints())).isEqualTo(0.0);
                assertThat(value(before, mints())).isGreaterThanOrEqualTo(1.0);
                assertThat(value(after, succeeded()) - value(before, succeeded())).isEqualTo(
                        1.0);
                assertThat(value(after, githubGets()) - value(before, githubGets()))
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(after).containsPattern(
                        "tollgate_github_circuit_breakers\\{[^}]*state=\"closed\"[^}]*\\} [1-9]");
                assertThat(after).containsPattern("tollgate_kafka_consumer_lag\\{[^}]*topic=\""
                        + Pattern.quote(Topics.DECISIONS.name()) + "\"");
            }
        }
    }

    /**
     * Other tests of this JVM read the shared decisions topic from the start with new groups:
     * leave it as found, without this test's decisions.
     */
    @AfterEach
    void deleteThisTestsDecisions(KafkaTestBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
            int partitions = admin.describeTopics(List.of(Topics.DECISIONS.name()))
                    .allTopicNames().get().get(Topics.DECISIONS.name()).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(Topics.DECISIONS.name(), p), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((partition, offset) -> deletions.put(
                    partition, RecordsToDelete.beforeOffset(offset.offset())));
            admin.deleteRecords(deletions).all().get();
        }
    }

    private static String mints() {
        return "tollgate_tokens_minted_total\\{[^}]*static_fallback=\"false\"\\}";
    }

    private static String succeeded() {
        return "tollgate_calls_completed_total\\{error_class=\"none\",outcome=\"succeeded\","
                + "[^}]*tool=\"get_file\"\\}";
    }

    private static String githubGets() {
        return "tollgate_github_requests_seconds_count\\{method=\"GET\",[^}]*status=\"2xx\"\\}";
    }

    /** The value of the one series matching {@code series}, 0 when it is absent. */
    private static double value(String metrics, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0.0;
    }

    private String scrape(int port) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static PolicyDecided decision(String requestId) {
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer("test").build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(ToolCallRequested.newBuilder()
                .setMeta(meta).setAgentId("a").setEnvironment("e").setTool("get_file")
                .setArgumentsJson("{\"owner\":\"octo\",\"repo\":\"metrics\",\"path\":\"f.txt\"}")
                .build()).setAllowed(true).setReason("r").setPolicyVersion("v").setPermissions(Map
                        .copyOf(Tool.GET_FILE.permissions()))
                .setRepositories(new ArrayList<>(List.of("octo/metrics")))
                .setRoutingKey("7")
                .setInstallationId(7L).build();
    }

    private static ToolCallCompleted awaitAnswer(KafkaTestBroker broker, String requestId) {
        try (KafkaConsumer<String, ToolCallCompleted> reader = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("reader")), new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), ToolCallCompleted.class))) {
            reader.subscribe(List.of(Topics.RESULTS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : reader.poll(Duration.ofMillis(200))) {
                    if (requestId.equals(record.key())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no answer for " + requestId);
    }
}
