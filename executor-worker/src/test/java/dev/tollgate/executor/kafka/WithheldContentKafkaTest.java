package dev.tollgate.executor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ContentReference;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RequestContent;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.ExecutorAssembly;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.WithheldContent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keep proof, not copies, for what agents write: the decision carries each body's and file's proof,
 * the executor reads the values from a real broker at the offset the request names, checks each
 * against its proof and only then writes. Anything that does not fit (another value, another
 * request's record, a record gone, proofs with nowhere named) is answered and nothing is written.
 */
@WithKafka
class WithheldContentKafkaTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            Clock.systemUTC());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private KafkaTestBroker broker;
    private String topic;
    private KafkaProducer<String, SpecificRecord> producer;
    private KafkaContentSource source;
    private ToolCallExecutor executor;

    @BeforeEach
    void setUp(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topic = KafkaTestBroker.uniqueName("contents");
        broker.createTopics(2, topic);
        github.repository("octo", "app", 7);
        producer = new KafkaProducer<>(broker.producerProps(), new StringSerializer(),
                new EventSerializer<>(AvroSingleObjectCodec.shared()));
        source = new KafkaContentSource(broker.consumerProps("unused"), topic, Duration.ofSeconds(
                20));
        GitHubAppConfig config = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        executor = new ExecutorAssembly(config, Clock.systemUTC(), minted -> {
        },
                new InMemoryCompletionStore(100), RetryPolicy.defaults(), Duration.ZERO,
                scheduler, UnaryOperator.identity(), Map.of()).build().readingContentFrom(
                        source);
    }

    @AfterEach
    void tearDown() {
        source.close();
        producer.close();
        scheduler.shutdownNow();
        github.close();
    }

    private static WithheldContent.Split issue(String body) {
        return WithheldContent.split(ToolCatalogue.standard().validate("create_issue", Map.of(
                "owner", "octo", "repo", "app", "title", "Crash on start", "body", body)));
    }

    /** Puts {@code values} on the contents topic as request {@code key}'s; where it went. */
    private ContentReference put(String key, String requestId, String valuesJson)
            throws Exception {
        RequestContent content = RequestContent.newBuilder().setMeta(meta(requestId, "ingress"))
                .setValuesJson(valuesJson).build();
        RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, key, content)).get(30,
                TimeUnit.SECONDS);
        return new ContentReference(metadata.partition(), metadata.offset());
    }

    private static EventMeta meta(String requestId, String producer) {
        return EventMeta.newBuilder().setEventId(UUID.randomUUID().toString()).setRequestId(
                requestId).setOccurredAt(Instant.now()).setProducer(producer).build();
    }

    private static PolicyDecided decision(String requestId, String argumentsJson,
            ContentReference content) {
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta(requestId,
                "ingress")).setAgentId("agent-1").setEnvironment("prod").setTool("create_issue")
                .setResource(Resource.newBuilder().setOwner("octo").setRepo("app").build())
                .setArgumentsJson(argumentsJson).setContent(content).build();
        return PolicyDecided.newBuilder().setMeta(meta(requestId, "decision-worker")).setRequest(
                request).setAllowed(true).setReason("granted").setPolicyVersion("sha256:v1")
                .setPermissions(new LinkedHashMap<>(Tool.CREATE_ISSUE.permissions()))
                .setRepositories(new ArrayList<>(List.of("octo/app"))).setRoutingKey("7")
                .setInstallationId(7L).build();
    }

    @Test
    void theExecutorWritesWhatTheAgentWroteThoughTheDecisionHoldsOnlyItsProof() throws Exception {
        String body = "Steps:\n1. start it\n2. it crashes: ünïcode survives";
        WithheldContent.Split split = issue(body);
        String requestId = UUID.randomUUID().toString();
        PolicyDecided decision = decision(requestId, split.argumentsJson(), put(requestId,
                requestId, split.valuesJson()));
        assertThat(decision.toString()).doesNotContain("Steps:").contains(WithheldContent
                .proofOf(body));

        ToolCallCompleted answer = executor.execute(decision);

        assertThat(answer.getStatus()).as(answer.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("POST", "/repos/octo/app/issues")).singleElement().satisfies(
                post -> assertThat(post.json().get("body").asString()).as(
                        "the body, then the request's marker").startsWith(body + "\n\n<!--"));
    }

    @Test
    void aValueOtherThanTheDecisionsProofIsNeverWritten() throws Exception {
        WithheldContent.Split split = issue("what the policy saw");
        String requestId = UUID.randomUUID().toString();
        // someone able to write the contents topic swaps the body after the decision was signed
        ContentReference swapped = put(requestId, requestId, issue("rm -rf / in a runbook")
                .valuesJson());

        ToolCallCompleted answer = executor.execute(decision(requestId, split.argumentsJson(),
                swapped));

        assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("/body's withheld value does not match its proof")
                .doesNotContain("rm -rf");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
    }

    @Test
    void anotherRequestsRecordIsNotTakenForThisOnes() throws Exception {
        String body = "the same body, another request";
        WithheldContent.Split split = issue(body);
        String other = UUID.randomUUID().toString();
        ContentReference others = put(other, other, split.valuesJson());
        String requestId = UUID.randomUUID().toString();

        ToolCallCompleted answer = executor.execute(decision(requestId, split.argumentsJson(),
                others));

        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("is not its own");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
    }

    @Test
    void contentNoLongerKeptIsAnsweredAsRetryableAndNothingIsWritten() throws Exception {
        WithheldContent.Split split = issue("written a day ago");
        String requestId = UUID.randomUUID().toString();
        ContentReference reference = put(requestId, requestId, split.valuesJson());
        // retention, as the broker applies it: the log now starts after this record
        try (Admin admin = broker.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, reference.getPartition()),
                    RecordsToDelete.beforeOffset(reference.getOffset() + 1))).all().get(30,
                            TimeUnit.SECONDS);
        }

        ToolCallCompleted answer = executor.execute(decision(requestId, split.argumentsJson(),
                reference));

        assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo("transient");
        assertThat(answer.getRetryable()).isTrue();
        assertThat(answer.getMessage()).contains("is not on " + topic).contains(
                "nothing was done");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
    }

    @Test
    void proofsWithNowhereToReadTheirValuesAreNotWrittenAsTheyAre() {
        WithheldContent.Split split = issue("the real body");

        ToolCallCompleted answer = executor.execute(decision(UUID.randomUUID().toString(), split
                .argumentsJson(), null));

        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("carries proofs of withheld content but not"
                + " where it waits");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
    }

    @Test
    void aCredentialThatCameAnotherWayIsRefusedBeforeGitHub() throws Exception {
        // the ingress refuses this; the executor looks again at what it is about to write
        String body = "deploy with ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        WithheldContent.Split split = issue(body);
        String requestId = UUID.randomUUID().toString();

        ToolCallCompleted answer = executor.execute(decision(requestId, split.argumentsJson(), put(
                requestId, requestId, split.valuesJson())));

        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("body holds what looks like a GitHub token")
                .doesNotContain("A1b2C3d4");
        assertThat(github.requests("POST", "/repos/octo/app/issues")).isEmpty();
    }
}
