package dev.tollgate.decision;

import static dev.tollgate.decision.kafka.KafkaFixture.collect;
import static dev.tollgate.decision.kafka.KafkaFixture.request;
import static dev.tollgate.decision.kafka.KafkaFixture.requestIn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.kafka.KafkaFixture;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole worker as a Spring Boot application on the real broker: a request is denied with a
 * readable reason until the policy file is edited, and decided under the new policy after, without
 * a restart.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // stops this worker, which would otherwise keep deciding other tests' requests
class DecisionWorkerApplicationTest {

    private static final Path POLICY;

    static {
        try {
            POLICY = TempDirs.create("decision-worker-app").resolve("policy.toml");
            Files.writeString(POLICY, "[gh.repos]\n\"myorg/app\" = { read = true }\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> KafkaTestBroker.get()
                .bootstrapServers());
        registry.add("tollgate.policy.file", POLICY::toString);
        registry.add("tollgate.decision.group-id", () -> KafkaTestBroker.uniqueName("app"));
        registry.add("tollgate.decision.poll-timeout", () -> "100ms");
        registry.add("tollgate.decision.signing-key-file", KafkaFixture.SIGNING_KEY_FILE::toString);
    }

    @Autowired
    PolicyReloader reloader;

    @Test
    void aPolicyEditTakesEffectWithoutARestart() throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String v1 = reloader.current().policy().version();
        String denied = UUID.randomUUID().toString();

        KafkaFixture.send(broker, List.of(request(denied, "bot", "create_issue", "myorg", "app",
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t\"}")));
        List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker, Topics.RESULTS,
                requestIn(Set.of(denied)), 1);
        Files.writeString(POLICY,
                "[gh.repos]\n\"myorg/app\" = { read = true, create_issue = true }\n");
        List<ConsumerRecord<String, PolicyChanged>> changes = collect(broker, Topics.POLICY,
                record -> POLICY.toString().equals(record.key()) && record.value()
                        .getAction() == PolicyAction.LOADED && v1.equals(record.value()
                                .getPreviousVersion()),
                1);
        String allowed = UUID.randomUUID().toString();
        KafkaFixture.send(broker, List.of(request(allowed, "bot", "create_issue", "myorg", "app",
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t\"}")));
        List<ConsumerRecord<String, PolicyDecided>> decisions = collect(broker, Topics.DECISIONS,
                requestIn(Set.of(allowed)), 1);

        assertThat(answers).singleElement().satisfies(record -> {
            assertThat(record.value().getMessage()).contains("may not create_issue on myorg/app");
            assertThat(record.value().getPolicyVersion()).isEqualTo(v1);
        });
        assertThat(changes).as("the watcher reloaded the edited file").isNotEmpty();
        String v2 = reloader.current().policy().version();
        assertThat(decisions).singleElement().satisfies(record -> {
            assertThat(record.value().getPolicyVersion()).isEqualTo(v2).isNotEqualTo(v1);
            assertThat(record.value().getPermissions()).containsEntry("issues", "write");
            assertThat(KafkaFixture.VERIFIER.refusal(record.value())).isEmpty();
        });
    }

    @Test
    void theLauncherFindsTheRole() {
        List<String> roles = ServiceLoader.load(TollgateRole.class).stream()
                .map(provider -> provider
                        .get().name())
                .toList();

        assertThat(roles).contains("decision-worker");
    }
}
