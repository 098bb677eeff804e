package dev.tollgate.decision.kafka;

import static dev.tollgate.decision.kafka.KafkaFixture.collect;
import static dev.tollgate.decision.kafka.KafkaFixture.request;
import static dev.tollgate.decision.kafka.KafkaFixture.requestIn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.installations.InstallationGate;
import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installation registry's say, through the decision loop and the real embedded broker. */
@WithKafka
class InstallationGateLoopTest {

    @TempDir
    Path dir;

    @Test
    void anUninstalledAccountIsDeniedWithTheRegistrysReasonAndACoveredOneIsRoutedByInstallation(
            KafkaTestBroker broker) throws Exception {
        KafkaFixture.createTopics(broker);
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, "[gh.repos]\n\"myorg/*\" = { read = true }\n"
                + "\"goneorg/*\" = { read = true }\n");
        PolicyReloader reloader = new PolicyReloader(file, PolicyListener.NONE, Clock
                .systemUTC());
        reloader.start();
        InstallationRegistry registry = new InstallationRegistry();
        registry.apply(installation(77, "myorg", InstallationStatus.ACTIVE));
        registry.apply(installation(78, "goneorg", InstallationStatus.DELETED));
        Map<String, Object> producer = new HashMap<>(broker.producerProps());
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTestBroker.uniqueName("tx"));
        DecisionLoop loop = new DecisionLoop(broker.consumerProps(KafkaTestBroker.uniqueName(
                "gate")), producer, reloader, new EventTranslator(Clock.systemUTC()), Duration
                        .ofMillis(100),
                new InstallationGate(registry,
                        InstallationGate.Mode.DISCOVER, AppEnvironments.defaultOnly()),
                KafkaFixture.SIGNER);
        Thread thread = new Thread(loop, "decision-loop-gate-test");
        thread.start();
        String covered = UUID.randomUUID().toString();
        String revoked = UUID.randomUUID().toString();
        try {
            KafkaFixture.send(broker, List.of(
                    request(covered, "bot", "get_file", "myorg", "app",
                            "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"README.md\"}"),
                    request(revoked, "bot", "get_file", "goneorg", "app",
                            "{\"owner\":\"goneorg\",\"repo\":\"app\",\"path\":\"README.md\"}")));

            List<ConsumerRecord<String, PolicyDecided>> decisions = collect(broker,
                    Topics.DECISIONS, requestIn(Set.of(covered, revoked)), 1);
            List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker,
                    Topics.RESULTS, requestIn(Set.of(covered, revoked)), 1);

            assertThat(decisions).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("77");
                assertThat(record.value().getInstallationId()).isEqualTo(77L);
                assertThat(KafkaFixture.VERIFIER.refusal(record.value())).as(
                        "signed after the registry set the installation").isEmpty();
                assertThat(record.value().getRequest().getMeta().getRequestId()).isEqualTo(
                        covered);
            });
            assertThat(answers).singleElement().satisfies(record -> {
                ToolCallCompleted answer = record.value();
                assertThat(answer.getStatus()).isEqualTo(CallStatus.DENIED);
                assertThat(answer.getErrorCode()).isEqualTo(EventTranslator.NOT_INSTALLED);
                assertThat(answer.getMessage()).isEqualTo("denied: the GitHub App was"
                        + " uninstalled from 'goneorg': access to goneorg/app is revoked");
                assertThat(answer.getRules().get(answer.getRules().size() - 1).getRule())
                        .isEqualTo("installation registry");
            });
        } finally {
            loop.close();
            reloader.close();
        }
    }

    private static InstallationChanged installation(long id, String account,
            InstallationStatus status) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, Clock.systemUTC()))
                .setEnvironment(AppEnvironments.DEFAULT).setAppId("1").setInstallationId(id)
                .setAccount(account).setStatus(status).setRepositorySelection(
                        RepositorySelection.ALL)
                .setRepositories(List.of()).setPermissions(Map.of()).setTrigger("test")
                .setDeliveryId(null).build();
    }
}
