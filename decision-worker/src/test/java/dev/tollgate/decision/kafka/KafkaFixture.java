package dev.tollgate.decision.kafka;

import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.schemas.signing.DecisionVerifier;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing requests and collecting answers on the real test broker. */
public final class KafkaFixture {

    public static final int REPLY_PARTITION = 3;

    /** The decision signing key of these tests, in a file only this user can read. */
    public static final Path SIGNING_KEY_FILE = signingKeyFile();
    public static final DecisionKey SIGNING_KEY = DecisionKey.parse(read(SIGNING_KEY_FILE),
            SIGNING_KEY_FILE.toString());
    public static final DecisionSigner SIGNER = new DecisionSigner(SIGNING_KEY);
    /** What an executor given the same key checks. */
    public static final DecisionVerifier VERIFIER = new DecisionVerifier(List.of(SIGNING_KEY));

    private static Path signingKeyFile() {
        try {
            byte[] secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            Path file = TempDirs.create("decision-key").resolve("decision-signing-key");
            Files.writeString(file, java.util.Base64.getEncoder().encodeToString(secret));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KafkaFixture() {
    }

    public static void createTopics(KafkaTestBroker broker) {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 60_000).ensure(Topics
                    .all());
        }
    }

    public static ToolCallRequested request(String requestId, String agent, String tool,
            String owner,
            String repo, String argumentsJson) {
        return ToolCallRequested.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, requestId, Clock.systemUTC()))
                .setAgentId(agent)
                .setEnvironment("prod")
                .setTool(tool)
                .setResource(Resource.newBuilder().setHost("github").setOwner(owner).setRepo(repo)
                        .build())
                .setArgumentsJson(argumentsJson)
                .setDeadlineAt(Instant.now().plusSeconds(30))
                .build();
    }

    /** Sends requests with the reply route and trace headers the ingress sets. */
    public static void send(KafkaTestBroker broker, List<ToolCallRequested> requests) {
        try (KafkaProducer<String, ToolCallRequested> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(),
                Topics.REQUESTS.valueSerde()
                        .serializer())) {
            sendWith(producer, requests);
            producer.flush();
        }
    }

    /**
     * Sends requests in one transaction, so that a read_committed consumer sees them all at once:
     * one burst, however the producer happens to batch them.
     */
    public static void sendAtOnce(KafkaTestBroker broker, List<ToolCallRequested> requests) {
        Map<String, Object> props = new java.util.HashMap<>(broker.producerProps());
        props.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                KafkaTestBroker.uniqueName("burst"));
        try (KafkaProducer<String, ToolCallRequested> producer = new KafkaProducer<>(props,
                new StringSerializer(), Topics.REQUESTS.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            sendWith(producer, requests);
            producer.commitTransaction();
        }
    }

    private static void sendWith(KafkaProducer<String, ToolCallRequested> producer,
            List<ToolCallRequested> requests) {
        for (ToolCallRequested request : requests) {
            String id = request.getMeta().getRequestId();
            ProducerRecord<String, ToolCallRequested> record = new ProducerRecord<>(
                    Topics.REQUESTS.name(), id, request);
            TollgateHeaders.put(record.headers(), TollgateHeaders.REQUEST_ID, id);
            TollgateHeaders.put(record.headers(), TollgateHeaders.REPLY_TOPIC, Topics.REPLIES
                    .name());
            TollgateHeaders.putInt(record.headers(), TollgateHeaders.REPLY_PARTITION,
                    REPLY_PARTITION);
            TollgateHeaders.put(record.headers(), TollgateHeaders.TRACEPARENT, traceparent(
                    id));
            producer.send(record);
        }
    }

    public static String traceparent(String requestId) {
        return "00-" + String.format("%032x", Math.abs((long) requestId.hashCode())) + "-"
                + "00f067aa0ba902b7-01";
    }

    public static void sendRaw(KafkaTestBroker broker, String key, byte[] value, String requestId) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.producerProps(),
                new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REQUESTS.name(),
                    key, value);
            TollgateHeaders.put(record.headers(), TollgateHeaders.REQUEST_ID, requestId);
            producer.send(record);
            producer.flush();
        }
    }

    /**
     * Reads a topic from the start (committed records only) until {@code expected} records pass
     * the filter, then once more to catch any duplicate. Gives up after a minute.
     */
    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> collect(
            KafkaTestBroker broker, Topic<V> topic, Predicate<ConsumerRecord<String, V>> mine,
            int expected) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        Map<String, Object> props = broker.consumerProps(KafkaTestBroker.uniqueName("collect"));
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props,
                new StringDeserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < expected && System.nanoTime() < giveUp) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (mine.test(record)) {
                        found.add(record);
                    }
                });
            }
            consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                if (mine.test(record)) {
                    found.add(record);
                }
            });
        }
        return found;
    }

    public static <V> Predicate<ConsumerRecord<String, V>> requestIn(Set<String> ids) {
        return record -> TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID).map(
                ids::contains).orElse(false);
    }
}
