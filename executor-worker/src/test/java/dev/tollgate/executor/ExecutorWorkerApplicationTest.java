package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;

/** The deployable: configured by tollgate.* and spring.kafka.*, on the catalogue's topics. */
@WithKafka
class ExecutorWorkerApplicationTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    @TempDir
    Path dir;

    @Test
    void startsFromItsSettingsAndAnswersADecisionOnTheCatalogueTopics(KafkaTestBroker broker)
            throws Exception {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(List.of(
                    Topics.DECISIONS, Topics.RESULTS, Topics.REPLIES, Topics.TOKEN_MINTS));
        }
        try (GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock
                .systemUTC())) {
            github.repository("octo", "app", 5).files.put("f.txt", "content");
            String requestId = "app-" + UUID.randomUUID();
            PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
            String completionsUrl = database.freshSchemaUrl("executor_app");
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                    ExecutorWorkerApplication.class).properties(
                            "tollgate.github.api-url=" + github.apiUrlText(),
                            "tollgate.github.app-id=" + TestApp.APP_ID,
                            "tollgate.github.private-key-file=" + TestApp.writeKeyFile(dir,
                                    "app-pkcs1.pem"),
                            "tollgate.executor.group-id=" + KafkaTestBroker.uniqueName("exec"),
                            TestDecisionKey.setting(dir),
                            // this test counts mints: no registry sync (InstallationSyncTest)
                            "tollgate.installations.sync-on-start=false",
                            "tollgate.executor.completions.jdbc-url=" + completionsUrl,
                            "tollgate.executor.completions.user=" + database.user(),
                            "tollgate.executor.completions.password=" + database.password(),
                            "spring.kafka.bootstrap-servers=" + broker.bootstrapServers())
                    .run();
                    KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                            .producerProps(), new StringSerializer(),
                            new EventSerializer<>(
                                    AvroSingleObjectCodec.shared()))) {
                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), "5", TestDecisionKey
                        .sign(decision(requestId)))).get(30, TimeUnit.SECONDS);

                ToolCallCompleted answer = awaitAnswer(broker, requestId);

                assertThat(answer.getStatus()).as(answer.getMessage()).isEqualTo(
                        CallStatus.SUCCEEDED);
                assertThat(answer.getResultJson()).contains("content");
                assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                        .repositories()).containsExactly("app"));
                try (var connection = java.sql.DriverManager.getConnection(completionsUrl,
                        database.user(), database.password());
                        var rows = connection
                                .createStatement().executeQuery(
                                        "SELECT request_id FROM executor_completions")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo(requestId);
                }
            }
        }
    }

    @Test
    void refusesToStartWithoutAnAppIdAndNamesTheKey(KafkaTestBroker broker) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(
                ExecutorWorkerApplication.class).properties(
                        "tollgate.github.private-key-file="
                                + TestApp.writeKeyFile(dir, "app-pkcs1.pem"),
                        TestDecisionKey.setting(dir),
                        "spring.kafka.bootstrap-servers=" + broker.bootstrapServers());

        assertThatThrownBy(app::run).rootCause().isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.app-id is not set").hasMessageContaining(
                        "TOLLGATE_GITHUB_APP_ID");
    }

    @Test
    void refusesToStartWithAnAppIdAndAnUnreadableKeyAndNamesTheKeyAndThePath(
            KafkaTestBroker broker) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(
                ExecutorWorkerApplication.class).properties(
                        "tollgate.github.app-id=" + TestApp.APP_ID,
                        "tollgate.github.private-key-file=" + dir.resolve("gone.pem"),
                        "spring.kafka.bootstrap-servers=" + broker.bootstrapServers());

        assertThatThrownBy(app::run).rootCause().isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.private-key-file").hasMessageContaining(
                        "gone.pem");
    }

    @Test
    void refusesToStartWithoutTheDecisionWorkersKeyAndNamesTheSetting(KafkaTestBroker broker) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(
                ExecutorWorkerApplication.class).properties(
                        "tollgate.github.app-id=" + TestApp.APP_ID,
                        "tollgate.github.private-key-file="
                                + TestApp.writeKeyFile(dir, "app-pkcs1.pem"),
                        "tollgate.installations.sync-on-start=false",
                        "spring.kafka.bootstrap-servers=" + broker.bootstrapServers());

        assertThatThrownBy(app::run).rootCause().hasMessageContaining(
                "TOLLGATE_EXECUTOR_DECISION_KEY_FILES").hasMessageContaining(
                        "only decisions signed by the decision worker");
    }

    @Test
    void theFailureAnalysisNamesTheSettingInsteadOfAStackTrace() {
        FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(
                new IllegalStateException(new ConfigurationException(
                        "tollgate.github.app-id is not set: set TOLLGATE_GITHUB_APP_ID")));

        assertThat(analysis.getDescription()).contains("TOLLGATE_GITHUB_APP_ID");
        assertThat(analysis.getAction()).contains("README");
    }

    private static PolicyDecided decision(String requestId) {
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer("test").build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(ToolCallRequested.newBuilder()
                .setMeta(meta).setAgentId("a").setEnvironment("e").setTool("get_file")
                .setArgumentsJson("{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"f.txt\"}")
                .build()).setAllowed(true).setReason("r").setPolicyVersion("v").setPermissions(Map
                        .copyOf(Tool.GET_FILE.permissions()))
                .setRepositories(
                        new ArrayList<>(List.of("octo/app")))
                .setRoutingKey("5")
                .setInstallationId(5L).build();
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
