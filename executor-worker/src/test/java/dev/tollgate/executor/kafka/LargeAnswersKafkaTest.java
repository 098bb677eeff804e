package dev.tollgate.executor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.ExecutorAssembly;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.TestDecisionKey;
import dev.tollgate.executor.core.AnswerLimit;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Large answers through the real embedded broker, with topics and producers sized by
 * {@link MessageLimits} as the roles size them: a result too large for one answer comes back
 * {@code result_too_large} saying how to ask for less, measured in the bytes Kafka carries; an
 * answer Kafka refuses all the same is set aside as a dead letter, the agent gets a small final
 * answer, and the decisions behind it on its partition are all answered.
 */
@WithKafka
class LargeAnswersKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MessageLimits LIMITS = MessageLimits.defaults();
    private static final long INSTALLATION = 1;

    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            Clock.systemUTC());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final List<DecisionConsumer> replicas = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaProducer<String, SpecificRecord>> producers = new ArrayList<>();
    private KafkaTestBroker broker;
    private DecisionConsumer.Topics topics;
    private String group;
    private GitHubStandIn.Repo repo;

    static {
        AvroSingleObjectCodec.shared();
    }

    @BeforeEach
    void setUp(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topics = new DecisionConsumer.Topics(KafkaTestBroker.uniqueName("decisions"),
                KafkaTestBroker.uniqueName("results"), KafkaTestBroker.uniqueName("replies"),
                KafkaTestBroker.uniqueName("mints"),
                KafkaTestBroker.uniqueName("dead-letters"));
        group = KafkaTestBroker.uniqueName("executor");
        // Every topic as the roles create them: records of at most the one record size.
        Map<String, String> sized = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(
                LIMITS.topicMaxMessageBytes()));
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topics.decisions(), 3, (short) 1).configs(
                    sized), new NewTopic(topics.replies(), 1, (short) 1).configs(sized),
                    new NewTopic(topics.results(), 1, (short) 1).configs(sized),
                    new NewTopic(topics.tokenMints(), 1, (short) 1).configs(sized), new NewTopic(
                            topics.deadLetters(), 1, (short) 1).configs(sized)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        repo = github.repository("org1", "repo", INSTALLATION);
    }

    @AfterEach
    void tearDown() throws Exception {
        replicas.forEach(DecisionConsumer::close);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(20));
        }
        producers.forEach(KafkaProducer::close);
        scheduler.shutdownNow();
        github.close();
    }

    private KafkaProducer<String, SpecificRecord> producer(int maxRequestSize) {
        Map<String, Object> props = new HashMap<>(broker.producerProps());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize);
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(props,
                new StringSerializer(), new EventSerializer<>(AvroSingleObjectCodec.shared()));
        producers.add(producer);
        return producer;
    }

    /** A replica whose answers may take {@code answers} and whose producer sends up to it. */
    private void startReplica(AnswerLimit answers, int maxRequestSize) {
        startReplica(answers, maxRequestSize, ResponseBudget.forHeap(Runtime.getRuntime()
                .maxMemory()));
    }

    private void startReplica(AnswerLimit answers, int maxRequestSize, ResponseBudget budget) {
        GitHubAppConfig config = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        DecisionConsumer replica = new DecisionConsumer(broker.consumerProps(group), producer(
                maxRequestSize),
                mints -> new ExecutorAssembly(config, Clock.systemUTC(), mints,
                        new InMemoryCompletionStore(1000), RetryPolicy.defaults(), Duration.ZERO,
                        scheduler, UnaryOperator.identity(), Map.of(), budget, answers).build(),
                topics, TestDecisionKey.VERIFIER);
        replicas.add(replica);
        threads.add(Thread.ofPlatform().name("replica-" + replicas.size()).start(replica));
    }

    /** A replica configured as the roles are: answers, producer and topics of one size. */
    private void startReplica() {
        startReplica(AnswerLimit.of(LIMITS), LIMITS.producerMaxRequestSize());
    }

    private void send(String requestId, String tool, String arguments) throws Exception {
        Tool action = Tool.byToolName(tool).orElseThrow();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta(requestId))
                .setAgentId("agent-1").setEnvironment("ci").setTool(tool).setResource(Resource
                        .newBuilder().setOwner("org1").setRepo("repo").build())
                .setArgumentsJson(arguments).build();
        PolicyDecided decision = PolicyDecided.newBuilder().setMeta(meta(requestId)).setRequest(
                request).setAllowed(true).setReason("test").setPolicyVersion("v1")
                .setPermissions(Map.copyOf(action.permissions())).setRepositories(
                        new ArrayList<>(List.of("org1/repo")))
                .setRoutingKey(Long.toString(INSTALLATION)).setInstallationId(INSTALLATION)
                .build();
        producer(LIMITS.producerMaxRequestSize()).send(new ProducerRecord<>(topics.decisions(),
                null, decision.getRoutingKey(), TestDecisionKey.sign(decision))).get(30,
                        TimeUnit.SECONDS);
    }

    private static EventMeta meta(String requestId) {
        return EventMeta.newBuilder().setEventId(UUID.randomUUID().toString()).setRequestId(
                requestId).setOccurredAt(java.time.Instant.now()).setProducer("test").build();
    }

    private static String getFile(String path, String range) {
        return "{\"owner\":\"org1\",\"repo\":\"repo\",\"path\":\"" + path + "\"" + range + "}";
    }

    /** An answer as it was on the topic: its value and the bytes it took there. */
    private record Answer(ToolCallCompleted value, int bytes) {
    }

    /**
     * Every record on partition 0 of {@code topic} from the start, by key, until each of
     * {@code keys} is there; gives up after {@link #WAIT} saying what it found.
     */
    /** Every kept copy on the results topic, by request ID, read to its end as of now. */
    private Map<String, List<Answer>> keptToTheEnd() {
        EventDeserializer<ToolCallCompleted> decode = new EventDeserializer<>(AvroSingleObjectCodec
                .shared(), ToolCallCompleted.class);
        TopicPartition partition = new TopicPartition(topics.results(), 0);
        Map<String, List<Answer>> found = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(broker.consumerProps(
                KafkaTestBroker.uniqueName("reader")), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reader.position(partition) < end) {
                assertThat(System.nanoTime()).as("read %s to %d within %s: at %d", partition,
                        end, WAIT, reader.position(partition)).isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    found.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Answer(
                            decode.deserialize(record.topic(), record.value()),
                            record.value().length));
                }
            }
        }
        return found;
    }

    private Map<String, List<Answer>> awaitAnswers(Set<String> keys) {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "reader")));
        Map<String, List<Answer>> found = new LinkedHashMap<>();
        EventDeserializer<ToolCallCompleted> decode = new EventDeserializer<>(AvroSingleObjectCodec
                .shared(), ToolCallCompleted.class);
        TopicPartition partition = new TopicPartition(topics.replies(), 0);
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(props,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!found.keySet().containsAll(keys) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    found.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Answer(
                            decode.deserialize(record.topic(), record.value()),
                            record.value().length));
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>(keys);
        missing.removeAll(found.keySet());
        assertThat(missing).as("requests unanswered after %s; %d answered: %s", WAIT, found
                .size(), found.keySet()).isEmpty();
        return found;
    }

    private Answer onlyAnswer(Map<String, List<Answer>> answers, String requestId) {
        assertThat(answers.get(requestId)).as("answers to %s", requestId).hasSize(1);
        return answers.get(requestId).get(0);
    }

    private static String issues(int count, int bodyChars) {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 1; i <= count; i++) {
            list.addObject().put("number", i).put("title", "issue " + i).put("body", "\u20ac"
                    .repeat(bodyChars));
        }
        return JSON.writeValueAsString(list);
    }

    private static byte[] binary(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        bytes[0] = (byte) 0xff; // never valid UTF-8
        return bytes;
    }

    @Test
    void resultsTooLargeForKafkaAreResultTooLargeInBytesSayingHowToAskForLess() throws Exception {
        startReplica();
        repo.binaryFiles.put("model.bin", binary(1_000_000)); // base64: 1.33 MB
        // 5,000 lines of 81 characters (405,000) that JSON-escape to 322 bytes each (1.61 MB).
        String escapingLine = "\u0001\u0002\"\\".repeat(20) + "\n";
        repo.files.put("escapes.txt", escapingLine.repeat(5000));
        // 100 issues of 4,000 '€': 400,000 characters, 1.2 MB as UTF-8.
        github.script("GET", "/repos/org1/repo/issues", GitHubStandIn.json(200, issues(100,
                4000)));

        send("binary", "get_file", getFile("model.bin", ""));
        send("escapes", "get_file", getFile("escapes.txt", ""));
        send("issues", "github_api_get", "{\"path\":\"/repos/org1/repo/issues\"}");
        Map<String, List<Answer>> first = awaitAnswers(Set.of("binary", "escapes", "issues"));

        ToolCallCompleted binary = onlyAnswer(first, "binary").value();
        assertThat(binary.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(binary.getErrorCode()).isEqualTo("result_too_large");
        assertThat(binary.getRetryable()).isFalse();
        assertThat(binary.getMessage()).contains("binary file of 1000000 bytes",
                "line ranges apply only to text files");
        assertThat(onlyAnswer(first, "binary").bytes()).isLessThan(4096);

        ToolCallCompleted escapes = onlyAnswer(first, "escapes").value();
        assertThat(escapes.getErrorCode()).as(escapes.getMessage()).isEqualTo("result_too_large");
        assertThat(escapes.getMessage()).containsPattern("is 1[67]\\d{5} bytes as JSON")
                .contains("5000 lines", "start_line and end_line");
        Matcher fits = Pattern.compile("lines 1-(\\d+) fit").matcher(escapes.getMessage());
        assertThat(fits.find()).as(escapes.getMessage()).isTrue();
        long lastLine = Long.parseLong(fits.group(1));

        ToolCallCompleted issues = onlyAnswer(first, "issues").value();
        assertThat(issues.getErrorCode()).as(issues.getMessage()).isEqualTo("result_too_large");
        assertThat(issues.getMessage()).containsPattern("is 1[12]\\d{5} bytes as JSON")
                .contains("lists 100 items");
        Matcher perPage = Pattern.compile("\\{\"per_page\": \"(\\d+)\"\\}").matcher(issues
                .getMessage());
        assertThat(perPage.find()).as(issues.getMessage()).isTrue();
        int fitting = Integer.parseInt(perPage.group(1));

        // Asking for what the answers suggest gets it, in answers Kafka takes.
        github.script("GET", "/repos/org1/repo/issues", GitHubStandIn.json(200, issues(fitting,
                4000)));
        send("escapes-part", "get_file", getFile("escapes.txt", ",\"start_line\":1,"
                + "\"end_line\":" + lastLine));
        send("issues-page", "github_api_get", "{\"path\":\"/repos/org1/repo/issues\",\"query\":"
                + "{\"per_page\":\"" + fitting + "\"}}");
        Map<String, List<Answer>> second = awaitAnswers(Set.of("escapes-part", "issues-page"));

        Answer part = onlyAnswer(second, "escapes-part");
        assertThat(part.value().getStatus()).as(part.value().getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        JsonNode lines = JSON.readTree(part.value().getResultJson());
        assertThat(lines.path("content").asString()).isEqualTo(escapingLine.repeat((int) lastLine));
        assertThat(lines.path("total_lines").asLong()).isEqualTo(5000);
        assertThat(lastLine).isBetween(2000L, 4999L); // most of what one answer carries
        Answer page = onlyAnswer(second, "issues-page");
        assertThat(page.value().getStatus()).as(page.value().getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(JSON.readTree(page.value().getResultJson()).size()).isEqualTo(fitting);
        assertThat(fitting).isBetween(40, 99);
        assertThat(List.of(part.bytes(), page.bytes())).allSatisfy(bytes -> assertThat(bytes)
                .isGreaterThan(LIMITS.maxEventBytes() / 2).isLessThanOrEqualTo(LIMITS
                        .maxEventBytes()));
        assertThat(readDeadLetters()).as("nothing was set aside").isEmpty();
    }

    @Test
    void anAnswerKafkaRefusesIsADeadLetterWithASmallFinalAnswerAndThePartitionMovesOn()
            throws Exception {
        // A replica set otherwise than its topics (start-up refuses this; here it stands for any
        // answer Kafka will not take): its answers may be 4 MiB, its results topic takes 1 MiB.
        startReplica(new AnswerLimit(4 * 1024 * 1024), 8 * 1024 * 1024);
        repo.binaryFiles.put("model.bin", binary(1_000_000));
        repo.files.put("big.log", "a line of a log of 1.2 MB, as text\n".repeat(35_000));
        repo.files.put("a.txt", "hello");
        Set<String> requests = new LinkedHashSet<>();
        send("binary", "get_file", getFile("model.bin", ""));
        send("text", "get_file", getFile("big.log", ""));
        requests.addAll(List.of("binary", "text"));
        for (int i = 1; i <= 100; i++) {
            send("small-" + i, "get_file", getFile("a.txt", ""));
            requests.add("small-" + i);
        }

        Map<String, List<Answer>> answers = awaitAnswers(requests);

        Answer binary = onlyAnswer(answers, "binary");
        assertThat(binary.value().getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(binary.value().getErrorCode()).isEqualTo("result_too_large");
        assertThat(binary.value().getMessage()).contains("could not be published",
                "RecordTooLargeException", "line ranges apply only to text files");
        assertThat(binary.bytes()).isLessThan(4096);
        Answer text = onlyAnswer(answers, "text");
        assertThat(text.value().getErrorCode()).isEqualTo("result_too_large");
        assertThat(text.value().getMessage()).contains("could not be published",
                "ask for part of the file with start_line and end_line");
        assertThat(text.bytes()).isLessThan(4096);
        for (int i = 1; i <= 100; i++) {
            ToolCallCompleted small = onlyAnswer(answers, "small-" + i).value();
            assertThat(small.getStatus()).as("small-%d: %s", i, small.getMessage()).isEqualTo(
                    CallStatus.SUCCEEDED);
        }
        List<DeadLetter> letters = readDeadLetters();
        // Performed concurrently: the two letters come in either order.
        assertThat(letters).as("dead letters").hasSize(2).anySatisfy(letter -> assertThat(letter
                .getReason()).contains("request text", "RecordTooLargeException"));
        assertThat(letters).filteredOn(letter -> letter.getReason().toString().contains(
                "request binary")).singleElement().satisfies(letter -> {
                    assertThat(letter.getReason()).contains("request binary",
                            "RecordTooLargeException",
                            "the payload is the decision");
                    assertThat(letter.getSourceTopic()).isEqualTo(topics.decisions());
                    java.nio.ByteBuffer payload = letter.getPayload().duplicate();
                    byte[] bytes = new byte[payload.remaining()];
                    payload.get(bytes);
                    PolicyDecided decision = AvroSingleObjectCodec.shared().decode(bytes,
                            PolicyDecided.class);
                    assertThat(decision.getMeta().getRequestId()).isEqualTo("binary");
                });
        // The audit keeps both: what GitHub answered (its content a digest, so it fits) and
        // what the agent got instead (every answer acknowledged once the offsets are committed).
        awaitCommitted(102);
        Map<String, List<Answer>> kept = keptToTheEnd();
        for (String request : List.of("binary", "text")) {
            assertThat(kept.get(request)).as("kept copies of %s", request).hasSize(2)
                    .allSatisfy(copy -> assertThat(copy.bytes()).isLessThan(4096))
                    .anySatisfy(copy -> assertThat(copy.value().getStatus()).isEqualTo(
                            CallStatus.SUCCEEDED))
                    .anySatisfy(copy -> assertThat(copy.value().getErrorCode()).isEqualTo(
                            "result_too_large"));
        }
        // The partition moved on: everything committed (above), the large read performed once.
        assertThat(github.requests("GET", "/repos/org1/repo/contents/model.bin")).hasSize(1);
        assertThat(github.requests("GET", "/repos/org1/repo/contents/big.log")).hasSize(1);
        assertThat(DecisionConsumer.Topics.standard().deadLetters()).isEqualTo(
                "gateway.dead-letters");
    }

    private List<DeadLetter> readDeadLetters() {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "letters")));
        TopicPartition partition = new TopicPartition(topics.deadLetters(), 0);
        List<DeadLetter> found = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> reader = new KafkaConsumer<>(props,
                new StringDeserializer(), new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                        DeadLetter.class))) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reader.position(partition) < end && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(record -> found.add(record.value()));
            }
            assertThat(reader.position(partition)).as("dead letters read: %d of %d", found.size(),
                    end).isEqualTo(end);
        }
        return found;
    }

    /** Waits until the group's committed offsets on the decisions topic add up to {@code total}. */
    private void awaitCommitted(long total) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
        try (Admin admin = broker.admin()) {
            while (System.nanoTime() < deadline) {
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                if (sum(committed) == total) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("after " + WAIT + " the group had committed " + sum(committed)
                + " decisions, not " + total + ": " + committed);
    }

    private long sum(Map<TopicPartition, OffsetAndMetadata> committed) {
        return committed.entrySet().stream().filter(e -> e.getKey().topic().equals(topics
                .decisions()) && e.getValue() != null).mapToLong(e -> e.getValue().offset())
                .sum();
    }

    @Test
    void gitHubsAnswersAreReadWithinTheReplicasByteBudgetAndNeverPastTheMostReadOfOne()
            throws Exception {
        long maxResponse = 256 * 1024;
        ResponseBudget budget = new ResponseBudget(2 * 1024 * 1024, maxResponse, Duration
                .ofSeconds(60));
        startReplica(AnswerLimit.of(LIMITS), LIMITS.producerMaxRequestSize(), budget);
        // 2 MB of issues: over the most read of one answer, well within what GitHub may send.
        github.script("GET", "/repos/org1/repo/issues", GitHubStandIn.json(200, issues(100,
                7000)));
        Set<String> files = new LinkedHashSet<>();
        for (int i = 1; i <= 20; i++) { // 20 answers of ~200 KB (base64): 4 MB, twice the budget
            repo.binaryFiles.put("part-" + i + ".bin", binary(150_000));
            files.add("file-" + i);
        }

        send("issues", "github_api_get", "{\"path\":\"/repos/org1/repo/issues\"}");
        for (int i = 1; i <= 20; i++) {
            send("file-" + i, "get_file", getFile("part-" + i + ".bin", ""));
        }
        Set<String> requests = new LinkedHashSet<>(files);
        requests.add("issues");
        Map<String, List<Answer>> answers = awaitAnswers(requests);

        ToolCallCompleted issues = onlyAnswer(answers, "issues").value();
        assertThat(issues.getErrorCode()).as(issues.getMessage()).isEqualTo("result_too_large");
        assertThat(issues.getMessage()).contains("GET /repos/org1/repo/issues", "larger than "
                + maxResponse + " bytes", "tollgate.github.max-response-bytes");
        for (String file : files) {
            ToolCallCompleted answer = onlyAnswer(answers, file).value();
            assertThat(answer.getStatus()).as("%s: %s", file, answer.getMessage()).isEqualTo(
                    CallStatus.SUCCEEDED);
            assertThat(JSON.readTree(answer.getResultJson()).path("content").asString())
                    .hasSize(200_000);
        }
        assertThat(budget.peak()).as("bytes of GitHub's answers held at once").isPositive()
                .isLessThanOrEqualTo(budget.capacity());
        assertThat(budget.held()).as("held once every call is answered").isZero();
    }
}
