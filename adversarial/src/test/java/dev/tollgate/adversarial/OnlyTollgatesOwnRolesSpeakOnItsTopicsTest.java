package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.launcher.DecisionKeys;
import dev.tollgate.launcher.StandaloneKafkaSecurity;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.tools.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 10: only Tollgate's own roles speak on its topics. A process on the same host attacks
 * the standalone run's broker: without credentials, with a guessed password, and with one role's
 * principal on another role's topic. It reads no answer on {@code gateway.results} or
 * {@code gateway.replies} and gets no
 * forged decision performed; even with the decision worker's own Kafka password, a decision it did
 * not sign with the run's decision key is answered {@code forbidden} and GitHub sees nothing of
 * it. (Moved here from the launcher's tests, which ran a standalone of their own for it.)
 */
@ExtendWith(Standalone.Extension.class)
class OnlyTollgatesOwnRolesSpeakOnItsTopicsTest {

    /** How long an attacker's client tries before giving up (a refusal, not a measurement). */
    private static final Duration ATTEMPT = Duration.ofSeconds(8);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String INSTALLATION = "7001";

    static {
        AvroSingleObjectCodec.shared();
    }

    private final Standalone tollgate;
    private final Path run;
    /** Request IDs of this test run (the standalone outlives one test). */
    private final String prefix = "forged-" + UUID.randomUUID().toString().substring(0, 8) + "-";

    OnlyTollgatesOwnRolesSpeakOnItsTopicsTest(Standalone tollgate) {
        this.tollgate = tollgate;
        this.run = tollgate.runDir();
    }

    @Test
    void theCredentialsAreGeneratedIntoTheDataFolderForThisUserOnly() throws Exception {
        Path dir = run.resolve(StandaloneKafkaSecurity.DIR);

        assertThat(Files.getPosixFilePermissions(dir)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "broker.password", "ingress.password", "decision-worker.password",
                    "executor-worker.password", "audit-sink.password", "launcher.password");
        }
        for (Path file : List.of(dir.resolve("broker.password"), dir.resolve(
                "ingress.password"), run.resolve(DecisionKeys.GENERATED))) {
            assertThat(Files.getPosixFilePermissions(file)).as(file.toString())
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE);
        }
        assertThat(Files.readString(run.resolve("kafka").resolve("server.properties")))
                .as("the broker's configuration on disk holds no password").doesNotContain(Files
                        .readString(dir.resolve("broker.password")).strip())
                .doesNotContain("sasl.jaas.config");
    }

    @Test
    void aForgedDecisionIsNotPerformedWhoeverWritesIt() throws Exception {
        // Without a principal, or with a wrong password, nothing reaches gateway.decisions.
        assertThat(refusal(noCredentials(), forged("no-credentials"))).isInstanceOf(
                TimeoutException.class);
        assertThat(refusal(wrongPassword("decision-worker"), forged("wrong-password")))
                .isInstanceOf(SaslAuthenticationException.class);
        // The ingress may write requests, not decisions.
        assertThat(refusal(principal("ingress"), forged("ingress-principal"))).isInstanceOf(
                TopicAuthorizationException.class);
        // The decision worker's own principal can write decisions, but not sign them.
        PolicyDecided unsigned = forged("stolen-password-unsigned");
        PolicyDecided otherKey = otherKey().sign(forged("stolen-password-other-key"));
        send(principal("decision-worker"), unsigned);
        send(principal("decision-worker"), otherKey);
        // Control: the same record signed with the run's key is performed, so the refusals above
        // are the signature's doing and this test would see a forged decision performed.
        PolicyDecided genuine = new DecisionSigner(DecisionKey.parse(Files.readString(run.resolve(
                DecisionKeys.GENERATED)), "decision-signing-key")).sign(forged(
                        "signed-with-the-run-key"));
        send(principal("decision-worker"), genuine);

        Map<String, ToolCallCompleted> answers = awaitAnswers(List.of("stolen-password-unsigned",
                "stolen-password-other-key", "signed-with-the-run-key"));

        for (String forged : List.of("stolen-password-unsigned", "stolen-password-other-key")) {
            assertThat(answers.get(forged).getStatus()).as(forged).isEqualTo(CallStatus.FAILED);
            assertThat(answers.get(forged).getErrorCode()).as(forged).isEqualTo("forbidden");
        }
        assertThat(answers.get("signed-with-the-run-key").getStatus()).as(answers.get(
                "signed-with-the-run-key").getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(answers.keySet()).doesNotContain("no-credentials", "wrong-password",
                "ingress-principal");
        assertThat(tollgate.github().repo("acme", "app").plainIssues().stream().map(
                issue -> issue.get("title").asString()).filter(
                        title -> title.startsWith(
                                prefix)))
                .as("GitHub saw only the issue of the decision signed with the "
                        + "run's key")
                .containsExactly(prefix + "signed-with-the-run-key");
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void nobodyButItsReadersReadsTheAnswers() throws Exception {
        send(principal("decision-worker"), forged("an-answer-to-read"));
        awaitAnswers(List.of("an-answer-to-read")); // the audit sink's principal reads it

        // A client without credentials is never told no (the SASL listener only closes its
        // connections), so each of its reads lasts its whole attempt and then some: the three
        // run side by side, each its own client, and are asserted in their places below.
        ExecutorService strangers = Executors.newFixedThreadPool(3);
        Future<Exception> results = strangers.submit(() -> readResults(noCredentials()));
        Future<Exception> replies = strangers.submit(() -> readTopic(noCredentials(),
                Topics.REPLIES.name()));
        Future<Exception> contents = strangers.submit(() -> readTopic(noCredentials(),
                Topics.CONTENTS.name()));
        strangers.shutdown();

        assertThat(ended(results, "no credentials, on the results")).as("no credentials")
                .isInstanceOf(TimeoutException.class);
        assertThat(readResults(wrongPassword("ingress"))).as("wrong password").isInstanceOf(
                SaslAuthenticationException.class);
        for (String role : List.of("decision-worker", "executor-worker", "launcher",
                "ingress")) {
            assertThat(readResults(principal(role))).as(role).isInstanceOf(
                    TopicAuthorizationException.class);
        }
        // The agents' copies, file contents included: the ingress reads them, no one else.
        assertThat(ended(replies, "no credentials, on the replies")).as(
                "no credentials, on the replies").isInstanceOf(TimeoutException.class);
        for (String role : List.of("decision-worker", "executor-worker", "launcher",
                "audit-sink")) {
            assertThat(readTopic(principal(role), Topics.REPLIES.name())).as(role
                    + " reading the agents' copies").isInstanceOf(
                            TopicAuthorizationException.class);
        }
        // What agents write, on its way to GitHub: the executor reads it, no one else.
        assertThat(ended(contents, "no credentials, on the contents")).as(
                "no credentials, on the contents").isInstanceOf(TimeoutException.class);
        for (String role : List.of("decision-worker", "ingress", "launcher", "audit-sink")) {
            assertThat(readTopic(principal(role), Topics.CONTENTS.name())).as(role
                    + " reading what agents write").isInstanceOf(
                            TopicAuthorizationException.class);
        }
        assertThat(readTopic(principal("ingress"), Topics.DECISIONS.name())).as(
                "the ingress reading decisions").isInstanceOf(TopicAuthorizationException.class);
        assertThat(readTopic(principal("executor-worker"), Topics.REQUESTS.name())).as(
                "the executor reading requests").isInstanceOf(TopicAuthorizationException.class);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    private Map<String, Object> principal(String role) {
        return new HashMap<>(tollgate.kafkaClientProperties(role));
    }

    private Map<String, Object> wrongPassword(String role) {
        Map<String, Object> props = principal(role);
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"tollgate-" + role + "\" password=\"guessed-password\";");
        return props;
    }

    private Map<String, Object> noCredentials() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", tollgate.bootstrapServers());
        return props;
    }

    /** A decision to file an issue titled like its request ID, {@code prefix + name}. */
    private PolicyDecided forged(String name) {
        String requestId = prefix + name;
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer(
                        "decision-worker")
                .build();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta).setAgentId(
                "writer").setEnvironment("dev").setTool("create_issue").setResource(Resource
                        .newBuilder().setOwner("acme").setRepo("app").build())
                .setArgumentsJson("{\"owner\":\"acme\",\"repo\":\"app\",\"title\":\""
                        + requestId + "\"}")
                .build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(request).setAllowed(true)
                .setReason("granted").setPolicyVersion("sha256:forged").setPermissions(
                        new LinkedHashMap<>(Tool.byToolName("create_issue").orElseThrow()
                                .permissions()))
                .setRepositories(new ArrayList<>(List.of("acme/app")))
                .setRoutingKey(INSTALLATION).setInstallationId(Long.parseLong(INSTALLATION))
                .build();
    }

    private static DecisionSigner otherKey() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new DecisionSigner(DecisionKey.of(secret));
    }

    /** How sending {@code decision} as {@code props} fails; an error if it is accepted. */
    private static KafkaException refusal(Map<String, Object> props, PolicyDecided decision) {
        try {
            send(props, decision);
        } catch (KafkaException e) {
            return e.getCause() instanceof KafkaException cause
                    ? cause
                    : e;
        }
        throw new AssertionError("gateway.decisions accepted " + decision.getMeta()
                .getRequestId());
    }

    /** Sends {@code decision} to gateway.decisions as the client {@code props} describe. */
    private static void send(Map<String, Object> props, PolicyDecided decision) {
        Map<String, Object> settings = new HashMap<>(props);
        settings.put("enable.idempotence", "false");
        settings.put("max.block.ms", Long.toString(ATTEMPT.toMillis()));
        settings.put("delivery.timeout.ms", Long.toString(2 * ATTEMPT.toMillis()));
        settings.put("request.timeout.ms", Long.toString(ATTEMPT.toMillis()));
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.putInt(headers, TollgateHeaders.REPLY_PARTITION, 0);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(settings,
                new StringSerializer(), new EventSerializer<>(AvroSingleObjectCodec.shared()))) {
            producer.send(
                    new ProducerRecord<>(Topics.DECISIONS.name(), null, INSTALLATION, decision,
                            headers))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("refused: " + e.getCause(), e.getCause());
        } catch (KafkaException e) {
            throw new KafkaException("refused: " + e, e);
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer from the broker within " + WAIT, e);
        }
    }

    /**
     * The answers on gateway.results to the forged decisions {@code names}, by name, read as the
     * audit sink reads them.
     */
    private Map<String, ToolCallCompleted> awaitAnswers(List<String> names) {
        Map<String, ToolCallCompleted> found = new LinkedHashMap<>();
        int read = 0;
        try (KafkaConsumer<String, ToolCallCompleted> reader = consumer(principal("audit-sink"))) {
            List<TopicPartition> partitions = reader.partitionsFor(Topics.RESULTS.name(), WAIT)
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!found.keySet().containsAll(names) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ToolCallCompleted> record : reader.poll(Duration
                        .ofMillis(200))) {
                    read++;
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        found.put(record.key().substring(prefix.length()), record.value());
                    }
                }
            }
        }
        assertThat(found.keySet()).as("answers on %s after %s (%d records read)", Topics.RESULTS
                .name(), WAIT, read).containsAll(names);
        return found;
    }

    /**
     * What the read {@code read} ended in ({@link #readTopic}), or the {@link AssertionError} it
     * threw; it ends within two attempts of its own, so a minute is ample even on a busy machine.
     */
    private static Exception ended(Future<Exception> read, String what) throws Exception {
        try {
            return read.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failed) {
                throw failed;
            }
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            read.cancel(true);
            throw new AssertionError("the read (" + what + ") had not ended after " + WAIT
                    + ", though each of its waits gives up after " + ATTEMPT, e);
        }
    }

    private static Exception readResults(Map<String, Object> props) {
        return readTopic(props, Topics.RESULTS.name());
    }

    /**
     * What reading {@code topic} from its beginning as {@code props} ends in: the failure, or an
     * {@link AssertionError} naming how many records it read.
     */
    private static Exception readTopic(Map<String, Object> props, String topic) {
        Map<String, Object> settings = new HashMap<>(props);
        settings.put("default.api.timeout.ms", Long.toString(ATTEMPT.toMillis()));
        settings.put("request.timeout.ms", Long.toString(ATTEMPT.toMillis()));
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(settings,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < 8; p++) { // more than the topic has: a guess needs no metadata
                partitions.add(new TopicPartition(topic, p));
            }
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            long deadline = System.nanoTime() + ATTEMPT.toNanos();
            while (System.nanoTime() < deadline) {
                read += reader.poll(Duration.ofMillis(200)).count();
            }
            reader.position(partitions.get(0), ATTEMPT);
        } catch (KafkaException e) {
            return e;
        }
        throw new AssertionError("reading " + topic + " was not refused: " + read
                + " records read");
    }

    private static KafkaConsumer<String, ToolCallCompleted> consumer(Map<String, Object> props) {
        return new KafkaConsumer<>(props, new StringDeserializer(), new EventDeserializer<>(
                AvroSingleObjectCodec.shared(), ToolCallCompleted.class));
    }
}
