package dev.tollgate.decision.kafka;

import static dev.tollgate.decision.kafka.KafkaFixture.collect;
import static dev.tollgate.decision.kafka.KafkaFixture.request;
import static dev.tollgate.decision.kafka.KafkaFixture.requestIn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.installations.InstallationGate;
import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Try-it mode (no GitHub App, so no executor): an allowed call is answered at once, never left
 * waiting for an executor that does not run; a denied one is denied as always.
 */
@WithKafka
class TryItModeLoopTest {

    @TempDir
    Path dir;

    @Test
    void anAllowedCallIsAnsweredGithubNotConfiguredAndADeniedOneIsStillDenied(
            KafkaTestBroker broker) throws Exception {
        KafkaFixture.createTopics(broker);
        Path file = Files.writeString(dir.resolve("policy.toml"),
                "[gh.repos]\n\"myorg/*\" = { read = true }\n");
        PolicyReloader reloader = new PolicyReloader(file, PolicyListener.NONE, Clock
                .systemUTC());
        reloader.start();
        Map<String, Object> producer = new HashMap<>(broker.producerProps());
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTestBroker.uniqueName("tx"));
        DecisionLoop loop = new DecisionLoop(broker.consumerProps(KafkaTestBroker.uniqueName(
                "try-it")), producer, reloader, new EventTranslator(Clock.systemUTC()), Duration
                        .ofMillis(100),
                InstallationGate.off(), KafkaFixture.SIGNER, "no GitHub App here (test)");
        Thread thread = new Thread(loop, "decision-loop-try-it-test");
        thread.start();
        String allowed = UUID.randomUUID().toString();
        String denied = UUID.randomUUID().toString();
        try {
            KafkaFixture.send(broker, List.of(
                    request(allowed, "bot", "get_file", "myorg", "app",
                            "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"README.md\"}"),
                    request(denied, "bot", "get_file", "otherorg", "app",
                            "{\"owner\":\"otherorg\",\"repo\":\"app\",\"path\":\"README.md\"}")));

            Map<String, ToolCallCompleted> answers = collect(broker, Topics.RESULTS, requestIn(Set
                    .of(allowed, denied)), 2).stream().collect(Collectors.toMap(
                            TryItModeLoopTest::requestId, ConsumerRecord::value, (a, b) -> a));

            assertThat(answers).as("answers by request ID").containsOnlyKeys(allowed, denied);
            assertThat(answers.get(allowed)).satisfies(answer -> {
                assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
                assertThat(answer.getErrorCode()).isEqualTo(ErrorCode.GITHUB_NOT_CONFIGURED
                        .code());
                assertThat(answer.getRetryable()).isFalse();
                assertThat(answer.getMessage()).startsWith("allowed by policy ").endsWith(
                        "but not performed: no GitHub App here (test)");
                assertThat(answer.getRules().get(answer.getRules().size() - 1).getRule())
                        .isEqualTo("GitHub App");
            });
            assertThat(answers.get(denied).getStatus()).isEqualTo(CallStatus.DENIED);
            assertThat(answers.get(denied).getErrorCode()).isEqualTo(EventTranslator.POLICY_DENIED);
        } finally {
            loop.close();
            reloader.close();
        }
    }

    private static String requestId(ConsumerRecord<String, ToolCallCompleted> record) {
        return TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID).orElseThrow();
    }
}
