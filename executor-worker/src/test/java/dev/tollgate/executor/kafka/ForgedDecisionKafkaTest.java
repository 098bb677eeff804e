package dev.tollgate.executor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.ExecutorAssembly;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.TestDecisionKey;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Promise 10 against a misconfigured cluster: someone able to write {@code gateway.decisions}
 * puts decisions there that the decision worker never signed. None is performed; each is answered
 * {@code forbidden} on its reply route; the partition moves on to the real decision behind them.
 */
@WithKafka
class ForgedDecisionKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static {
        AvroSingleObjectCodec.shared();
    }

    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            Clock.systemUTC());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private KafkaTestBroker broker;
    private DecisionConsumer.Topics topics;
    private DecisionConsumer replica;
    private Thread thread;
    private KafkaProducer<String, SpecificRecord> producer;

    @BeforeEach
    void setUp(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topics = new DecisionConsumer.Topics(KafkaTestBroker.uniqueName("decisions"),
                KafkaTestBroker.uniqueName("results"), KafkaTestBroker.uniqueName("replies"),
                KafkaTestBroker.uniqueName("mints"));
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topics.decisions(), 1, (short) 1),
                    new NewTopic(topics.replies(), 2, (short) 1), new NewTopic(topics.results(),
                            2, (short) 1),
                    new NewTopic(topics
                            .tokenMints(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        github.repository("octo", "app", 7).files.put("README.md", "the real read");
        github.repository("octo", "secrets", 7).files.put("key.txt", "never read");
        producer = new KafkaProducer<>(broker.producerProps(), new StringSerializer(),
                new EventSerializer<>(AvroSingleObjectCodec.shared()));
        GitHubAppConfig config = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        replica = new DecisionConsumer(broker.consumerProps(KafkaTestBroker.uniqueName(
                "executor")), producer,
                mints -> new ExecutorAssembly(config, Clock.systemUTC(),
                        mints, new InMemoryCompletionStore(100), RetryPolicy.defaults(),
                        Duration.ZERO, scheduler, UnaryOperator.identity(), Map.of()).build(),
                topics, TestDecisionKey.VERIFIER);
        thread = Thread.ofPlatform().name("forged-decisions").start(replica);
    }

    @AfterEach
    void tearDown() throws Exception {
        replica.close();
        thread.join(Duration.ofSeconds(20));
        producer.close();
        scheduler.shutdownNow();
        github.close();
    }

    private static PolicyDecided decision(String requestId, String tool, String repo,
            String arguments) {
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer(
                        "decision-worker")
                .build();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta).setAgentId(
                "agent-1").setEnvironment("prod").setTool(tool).setResource(Resource
                        .newBuilder().setOwner("octo").setRepo(repo).build())
                .setArgumentsJson(arguments).build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(request).setAllowed(true)
                .setReason("granted").setPolicyVersion("sha256:v1").setPermissions(
                        new LinkedHashMap<>(Tool.byToolName(tool).orElseThrow().permissions()))
                .setRepositories(new ArrayList<>(List.of("octo/" + repo))).setRoutingKey("7")
                .setInstallationId(7L).build();
    }

    private static PolicyDecided issue(String requestId) {
        return decision(requestId, "create_issue", "app",
                "{\"owner\":\"octo\",\"repo\":\"app\",\"title\":\"forged\"}");
    }

    private void send(PolicyDecided decision) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.putInt(headers, TollgateHeaders.REPLY_PARTITION, 1);
        producer.send(new ProducerRecord<>(topics.decisions(), 0, "7", decision, headers)).get(30,
                TimeUnit.SECONDS);
    }

    private static DecisionSigner otherKey() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new DecisionSigner(DecisionKey.of(secret));
    }

    @Test
    void forgedDecisionsAreAnsweredForbiddenAndNeverPerformedAndTheRealOneBehindThemIs()
            throws Exception {
        PolicyDecided altered = TestDecisionKey.sign(decision("forged-altered", "get_file", "app",
                "{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"README.md\"}"));
        altered.getRequest().setArgumentsJson(
                "{\"owner\":\"octo\",\"repo\":\"secrets\",\"path\":\"key.txt\"}");
        altered.getRequest().getResource().setRepo("secrets");
        altered.setRepositories(new ArrayList<>(List.of("octo/secrets")));
        PolicyDecided borrowedKeyId = otherKey().sign(issue("forged-borrowed-key-id"));
        borrowedKeyId.getSignature().setKeyId(TestDecisionKey.KEY.id());
        PolicyDecided nameless = issue(null);
        nameless.getRequest().getMeta().setRequestId(null);

        send(issue("forged-unsigned"));
        send(otherKey().sign(issue("forged-other-key")));
        send(borrowedKeyId);
        send(altered);
        send(nameless);
        send(TestDecisionKey.sign(decision("real", "get_file", "app",
                "{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"README.md\"}")));
        Map<String, ConsumerRecord<String, ToolCallCompleted>> answers = awaitAnswers(5);

        assertThat(answers.keySet()).containsExactlyInAnyOrder("forged-unsigned",
                "forged-other-key", "forged-borrowed-key-id", "forged-altered", "real");
        for (String forged : List.of("forged-unsigned", "forged-other-key",
                "forged-borrowed-key-id", "forged-altered")) {
            ToolCallCompleted answer = answers.get(forged).value();
            assertThat(answer.getStatus()).as(forged).isEqualTo(CallStatus.FAILED);
            assertThat(answer.getErrorCode()).as(forged).isEqualTo("forbidden");
            assertThat(answer.getRetryable()).as(forged).isFalse();
            assertThat(answer.getMessage()).as(forged).startsWith("forbidden: the decision")
                    .endsWith("; nothing was done");
            assertThat(answers.get(forged).partition()).as("the reply route").isEqualTo(1);
        }
        assertThat(answers.get("forged-unsigned").value().getMessage()).contains("not signed");
        assertThat(answers.get("forged-other-key").value().getMessage()).contains(
                "does not accept");
        assertThat(answers.get("forged-borrowed-key-id").value().getMessage()).contains(
                "changed after the decision worker signed it");
        assertThat(answers.get("forged-altered").value().getMessage()).contains(
                "changed after the decision worker signed it");
        assertThat(answers.get("real").value().getStatus()).as(answers.get("real").value()
                .getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(answers.get("real").value().getResultJson()).contains("the real read");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
        assertThat(github.requests("GET", "/repos/octo/secrets")).isEmpty();
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("contents", "read")));
        assertThat(awaitCommitted()).as("the partition moved past every decision").isEqualTo(6);
    }

    @Test
    void aValidlySignedDecisionOlderThanTheMaxAgeIsRefusedAndNeverPerformedAndAFreshOneIs()
            throws Exception {
        PolicyDecided staleWrite = issue("stale-write");
        staleWrite.getMeta().setOccurredAt(Instant.now().minus(Duration.ofDays(2)));
        PolicyDecided staleRead = decision("stale-read", "get_file", "secrets",
                "{\"owner\":\"octo\",\"repo\":\"secrets\",\"path\":\"key.txt\"}");
        staleRead.getMeta().setOccurredAt(Instant.now().minus(Duration.ofDays(1)).minusSeconds(
                60));

        send(TestDecisionKey.sign(staleWrite));
        send(TestDecisionKey.sign(staleRead));
        send(TestDecisionKey.sign(decision("fresh", "get_file", "app",
                "{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"README.md\"}")));
        Map<String, ConsumerRecord<String, ToolCallCompleted>> answers = awaitAnswers(3);

        for (String stale : List.of("stale-write", "stale-read")) {
            ToolCallCompleted answer = answers.get(stale).value();
            assertThat(answer.getStatus()).as(stale).isEqualTo(CallStatus.FAILED);
            assertThat(answer.getErrorCode()).as(stale).isEqualTo("decision_expired");
            assertThat(answer.getRetryable()).as(stale).isFalse();
            assertThat(answer.getMessage()).as(stale).contains(
                    "tollgate.executor.max-decision-age", "nothing was done");
            assertThat(answers.get(stale).partition()).as("the reply route").isEqualTo(1);
        }
        assertThat(answers.get("fresh").value().getStatus()).as(answers.get("fresh").value()
                .getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
        assertThat(github.requests("GET", "/repos/octo/secrets")).isEmpty();
        assertThat(github.mints()).as("only the fresh read's token").singleElement().satisfies(
                mint -> assertThat(mint.repositories()).containsExactly("app"));
        assertThat(github.requests()).as("everything GitHub received was for the fresh read")
                .allSatisfy(received -> assertThat(received.path()).doesNotContain("secrets",
                        "/issues"));
    }

    private Map<String, ConsumerRecord<String, ToolCallCompleted>> awaitAnswers(int count) {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "reader")));
        Map<String, ConsumerRecord<String, ToolCallCompleted>> found = new LinkedHashMap<>();
        try (KafkaConsumer<String, ToolCallCompleted> reader = new KafkaConsumer<>(props,
                new StringDeserializer(), new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                        ToolCallCompleted.class))) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topics.replies(), 0),
                    new TopicPartition(topics.replies(), 1));
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> found.put(r.key(), r));
            }
        }
        assertThat(found).as("answers within %s: %s", WAIT, found.keySet()).hasSize(count);
        return found;
    }

    private long awaitCommitted() throws Exception {
        TopicPartition partition = new TopicPartition(topics.decisions(), 0);
        long deadline = System.nanoTime() + WAIT.toNanos();
        long committed = -1;
        try (Admin admin = broker.admin()) {
            while (committed < 6 && System.nanoTime() < deadline) {
                for (var group : admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS)) {
                    OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group.groupId())
                            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(
                                    partition);
                    if (offset != null) {
                        committed = Math.max(committed, offset.offset());
                    }
                }
                Thread.sleep(100);
            }
        }
        return committed;
    }
}
