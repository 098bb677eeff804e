package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
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
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The deployable, wired: an installation's deletion on gateway.installations (as the ingress
 * publishes it from GitHub's webhook) reaches the executor's registry and stops every further
 * mint and use of its tokens; the agent reads why.
 */
@WithKafka
class ExecutorRevocationIntegrationTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    @TempDir
    Path dir;

    @Test
    void anUninstallOnTheInstallationsTopicStopsTheInstallationsCallsAndMints(
            KafkaTestBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                    .all());
        }
        long installation = 5000 + (System.nanoTime() & 0xfff);
        try (GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock
                .systemUTC());
                KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(),
                        new EventSerializer<>(
                                AvroSingleObjectCodec.shared()))) {
            github.repository("octo", "app", installation).files.put("f.txt", "content");
            producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                    installation), state(installation, InstallationStatus.ACTIVE))).get(30,
                            TimeUnit.SECONDS);
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                    ExecutorWorkerApplication.class).properties(
                            "tollgate.github.api-url=" + github.apiUrlText(),
                            "tollgate.github.app-id=" + TestApp.APP_ID,
                            "tollgate.github.private-key-file=" + TestApp.writeKeyFile(dir,
                                    "app-pkcs1.pem"),
                            "tollgate.executor.group-id=" + KafkaTestBroker.uniqueName("exec"),
                            TestDecisionKey.setting(dir),
                            "tollgate.installations.sync-on-start=false",
                            "spring.kafka.bootstrap-servers=" + broker.bootstrapServers())
                    .run()) {
                ToolCallCompleted before = call(broker, producer, installation);
                assertThat(before.getStatus()).as(before.getMessage()).isEqualTo(
                        CallStatus.SUCCEEDED);

                producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                        installation), state(installation, InstallationStatus.DELETED))).get(30,
                                TimeUnit.SECONDS);
                ToolCallCompleted after = call(broker, producer, installation);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (after.getStatus() == CallStatus.SUCCEEDED && System.nanoTime() < deadline) {
                    after = call(broker, producer, installation); // the registry catches up
                }

                assertThat(after.getStatus()).isEqualTo(CallStatus.FAILED);
                assertThat(after.getErrorCode()).isEqualTo("forbidden");
                assertThat(after.getMessage()).contains("uninstalled from 'octo'", "revoked");
                assertThat(github.mintCount()).as("no mint after the uninstall").isEqualTo(1);
                assertThat(mintsAudited(broker, installation)).isEqualTo(1);
            }
        }
    }

    private static InstallationChanged state(long id, InstallationStatus status) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, Clock.systemUTC()))
                .setEnvironment(AppEnvironments.DEFAULT).setAppId(TestApp.APP_ID)
                .setInstallationId(id).setAccount("octo").setStatus(status)
                .setRepositorySelection(RepositorySelection.ALL).setRepositories(List.of())
                .setPermissions(Map.of("contents", "read")).setTrigger("installation." + status
                        .name().toLowerCase())
                .setDeliveryId(UUID.randomUUID().toString()).build();
    }

    private static ToolCallCompleted call(KafkaTestBroker broker,
            KafkaProducer<String, SpecificRecord> producer, long installation) throws Exception {
        String requestId = "revoke-" + UUID.randomUUID();
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer("test").build();
        PolicyDecided decision = PolicyDecided.newBuilder().setMeta(meta).setRequest(
                ToolCallRequested.newBuilder().setMeta(meta).setAgentId("a").setEnvironment("e")
                        .setTool("get_file").setArgumentsJson(
                                "{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"f.txt\"}")
                        .build())
                .setAllowed(true).setReason("r").setPolicyVersion("v").setPermissions(Map.copyOf(
                        Tool.GET_FILE.permissions()))
                .setRepositories(new ArrayList<>(List.of("octo/app"))).setRoutingKey(Long
                        .toString(installation))
                .setInstallationId(installation).build();
        producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), Long.toString(installation),
                TestDecisionKey.sign(decision))).get(30, TimeUnit.SECONDS);
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

    private static long mintsAudited(KafkaTestBroker broker, long installation) {
        try (KafkaConsumer<String, TokenMinted> reader = new KafkaConsumer<>(broker.consumerProps(
                KafkaTestBroker.uniqueName("mints")), new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), TokenMinted.class))) {
            reader.subscribe(List.of(Topics.TOKEN_MINTS.name()));
            long count = 0;
            long quiet = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < quiet) {
                for (var record : reader.poll(Duration.ofMillis(200))) {
                    if (record.value().getInstallationId() == installation) {
                        count++;
                    }
                }
            }
            return count;
        }
    }
}
