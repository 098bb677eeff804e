package dev.tollgate.executor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.DyingCompletionStore;
import dev.tollgate.executor.ExecutorAssembly;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.TestDecisionKey;
import dev.tollgate.executor.core.CompletionStore;
import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tool;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka adapter through the real embedded broker: replicas of the executor in one consumer
 * group, a GitHub stand-in, answers on the reply route, token mints counted.
 */
@WithKafka
class DecisionConsumerKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            Clock.systemUTC());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final List<DecisionConsumer> replicas = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaProducer<String, SpecificRecord>> producers = new ArrayList<>();
    private KafkaTestBroker broker;
    private DecisionConsumer.Topics topics;
    private String group;

    static {
        AvroSingleObjectCodec.shared();
    }

    @BeforeEach
    void setUp(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topics = new DecisionConsumer.Topics(KafkaTestBroker.uniqueName("decisions"),
                KafkaTestBroker.uniqueName("results"), KafkaTestBroker.uniqueName("replies"),
                KafkaTestBroker.uniqueName("mints"));
        group = KafkaTestBroker.uniqueName("executor");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topics.decisions(), 6, (short) 1),
                    new NewTopic(topics.replies(), 1, (short) 1), new NewTopic(topics.results(),
                            1, (short) 1),
                    new NewTopic(topics
                            .tokenMints(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        for (int installation = 1; installation <= 3; installation++) {
            github.repository("org" + installation, "repo", installation);
        }
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

    private KafkaProducer<String, SpecificRecord> producer() {
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(),
                new EventSerializer<>(
                        AvroSingleObjectCodec.shared()));
        producers.add(producer);
        return producer;
    }

    private DecisionConsumer startReplica(UnaryOperator<GitHubTransport> decorator) {
        return startReplica(decorator, new InMemoryCompletionStore(1000));
    }

    private DecisionConsumer startReplica(UnaryOperator<GitHubTransport> decorator,
            CompletionStore completions) {
        GitHubAppConfig config = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        DecisionConsumer replica = new DecisionConsumer(broker.consumerProps(group), producer(),
                mints -> new ExecutorAssembly(config, Clock.systemUTC(), mints, completions,
                        RetryPolicy.defaults(), Duration.ZERO,
                        scheduler, decorator, Map.of()).build(),
                topics, TestDecisionKey.VERIFIER);
        replicas.add(replica);
        Thread thread = Thread.ofPlatform().name("replica-" + replicas.size()).start(() -> {
            try {
                replica.run();
            } catch (SimulatedKill killed) {
                // the replica's thread dies here, as the process would
            }
        });
        threads.add(thread);
        return replica;
    }

    private void awaitAssignment(int partitions) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Set<TopicPartition> union = new HashSet<>();
            boolean allHave = true;
            for (DecisionConsumer replica : replicas) {
                allHave &= !replica.assignment().isEmpty() || partitions < replicas.size();
                union.addAll(replica.assignment());
            }
            if (allHave && union.size() == partitions) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("replicas did not share the partitions");
    }

    private PolicyDecided decision(String requestId, long installation, String tool,
            String arguments) {
        Tool action = Tool.byToolName(tool).orElseThrow();
        String repository = "org" + installation + "/repo";
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta(requestId))
                .setAgentId("agent-1").setEnvironment("ci").setTool(tool).setResource(Resource
                        .newBuilder().setOwner("org" + installation).setRepo("repo").build())
                .setArgumentsJson(arguments).build();
        return PolicyDecided.newBuilder().setMeta(meta(requestId)).setRequest(request).setAllowed(
                true).setReason("test").setPolicyVersion("v1").setPermissions(Map.copyOf(action
                        .permissions()))
                .setRepositories(new ArrayList<>(List.of(repository)))
                .setRoutingKey(Long.toString(installation)).setInstallationId(installation)
                .build();
    }

    private static EventMeta meta(String requestId) {
        return EventMeta.newBuilder().setEventId(UUID.randomUUID().toString()).setRequestId(
                requestId).setOccurredAt(java.time.Instant.now()).setProducer("test").build();
    }

    private void send(PolicyDecided decision, RecordHeaders headers) throws Exception {
        producer().send(new ProducerRecord<>(topics.decisions(), null, decision.getRoutingKey(),
                TestDecisionKey.sign(decision), headers)).get(30, TimeUnit.SECONDS);
    }

    private List<ConsumerRecord<String, ToolCallCompleted>> readResults(String topic, int count)
            throws InterruptedException {
        return read(topic, count, ToolCallCompleted.class);
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, T>> read(
            String topic, int count, Class<T> type) throws InterruptedException {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "reader")));
        List<ConsumerRecord<String, T>> found = new ArrayList<>();
        try (KafkaConsumer<String, T> reader = new KafkaConsumer<>(props,
                new StringDeserializer(), new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                        type))) {
            reader.assign(List.of(new TopicPartition(topic, 0)));
            reader.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(found::add);
            }
        }
        return found;
    }

    private long endOffset(String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(30,
                    TimeUnit.SECONDS).get(partition).offset();
        }
    }

    @Test
    void threeReplicasMintOneTokenPerScopeHoweverManyRequests() throws Exception {
        for (int i = 0; i < 3; i++) {
            startReplica(UnaryOperator.identity());
        }
        awaitAssignment(6);
        for (long installation = 1; installation <= 3; installation++) {
            github.repo("org" + installation, "repo").files.put("a.txt", "hello");
        }
        int requests = 0;
        for (int round = 0; round < 8; round++) {
            for (long installation = 1; installation <= 3; installation++) {
                send(decision("get-" + installation + "-" + round, installation, "get_file",
                        "{\"owner\":\"org" + installation
                                + "\",\"repo\":\"repo\",\"path\":\"a.txt\"}"),
                        new RecordHeaders());
                send(decision("read-" + installation + "-" + round, installation, "read_repo",
                        "{\"owner\":\"org" + installation + "\",\"repo\":\"repo\"}"),
                        new RecordHeaders());
                requests += 2;
            }
        }

        List<ConsumerRecord<String, ToolCallCompleted>> results = readResults(topics.replies(),
                requests);

        assertThat(results).hasSize(requests).allSatisfy(record -> assertThat(record.value()
                .getStatus()).as(record.value().getMessage()).isEqualTo(CallStatus.SUCCEEDED));
        assertThat(results.stream().map(ConsumerRecord::key).distinct()).hasSize(requests);
        assertThat(github.mintCount()).isEqualTo(6);
        assertThat(endOffset(topics.tokenMints())).isEqualTo(6);
    }

    @Test
    void theAgentGetsTheFileAndTheKeptCopyHoldsOnlyItsDigest() throws Exception {
        startReplica(UnaryOperator.identity());
        String text = "line one of the plan\n".repeat(3);
        github.repo("org1", "repo").files.put("plan.md", text);

        send(decision("kept-1", 1, "get_file",
                "{\"owner\":\"org1\",\"repo\":\"repo\",\"path\":\"plan.md\"}"),
                new RecordHeaders());
        ToolCallCompleted reply = readResults(topics.replies(), 1).getFirst().value();
        ConsumerRecord<String, ToolCallCompleted> kept = readResults(topics.results(), 1)
                .getFirst();

        assertThat(reply.getStatus()).as(reply.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(reply.getResultJson()).as("the agent's copy").contains("line one of the plan");
        assertThat(kept.key()).isEqualTo("kept-1");
        assertThat(kept.value().getMeta()).as("the same event, kept").isEqualTo(reply.getMeta());
        assertThat(kept.value().getResultJson()).as("the kept copy").doesNotContain(
                "line one of the plan").contains(
                        "\"content\":{\"sha256\":\"" + sha256(text)
                                + "\",\"bytes\":" + text.length() + "}");
        assertThat(kept.value().getResultJson()).as("what else the answer says is kept")
                .contains("\"path\":\"plan.md\"");
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(
                "SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void answersGoToTheRepliesTopicOnTheReplyPartitionWhateverTopicAHeaderNames()
            throws Exception {
        String replyTopic = KafkaTestBroker.uniqueName("replies");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(replyTopic, 2, (short) 1))).all().get(30,
                    TimeUnit.SECONDS);
        }
        startReplica(UnaryOperator.identity());
        github.repo("org1", "repo").files.put("a.txt", "x");
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.put(headers, TollgateHeaders.REPLY_TOPIC, replyTopic);
        TollgateHeaders.putInt(headers, TollgateHeaders.REPLY_PARTITION, 0);
        TollgateHeaders.put(headers, TollgateHeaders.TRACEPARENT,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        send(decision("route-1", 1, "get_file",
                "{\"owner\":\"org1\",\"repo\":\"repo\",\"path\":\"a.txt\"}"), headers);
        List<ConsumerRecord<String, ToolCallCompleted>> answers = readResults(topics.replies(),
                1);

        assertThat(answers).singleElement().satisfies(answer -> {
            assertThat(answer.key()).isEqualTo("route-1");
            assertThat(answer.partition()).isZero();
            assertThat(TollgateHeaders.get(answer.headers(), TollgateHeaders.REQUEST_ID))
                    .contains("route-1");
            assertThat(TollgateHeaders.get(answer.headers(), TollgateHeaders.TRACEPARENT))
                    .contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(answer.value().getMeta().getProducer()).isEqualTo("executor-worker");
        });
        assertThat(endOffset(replyTopic)).as("a forged reply topic is never written").isZero();
        // the token minted for the call is audited with the call's request ID and trace context
        assertThat(read(topics.tokenMints(), 1, TokenMinted.class)).singleElement().satisfies(
                mint -> {
                    assertThat(TollgateHeaders.get(mint.headers(), TollgateHeaders.REQUEST_ID))
                            .contains("route-1");
                    assertThat(TollgateHeaders.get(mint.headers(), TollgateHeaders.TRACEPARENT))
                            .contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                });
    }

    /** The process dies: thrown past every handler, as a JVM crash would end the thread. */
    static final class SimulatedKill extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedKill() {
            super("simulated kill after GitHub performed the write");
        }
    }

    @Test
    void aReplicaKilledAfterGitHubsSuccessLeavesTheWriteDoneOnceAndAnsweredOnce()
            throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        UnaryOperator<GitHubTransport> killSwitch = transport -> new ForwardingTransport(
                transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                GitHubResponse response = delegate().send(request);
                if (request.method().equals("POST") && request.path().endsWith("/issues") && armed
                        .compareAndSet(true, false)) {
                    throw new SimulatedKill();
                }
                return response;
            }
        };
        startReplica(killSwitch);
        startReplica(killSwitch);
        awaitAssignment(6);

        send(decision("write-once", 2, "create_issue",
                "{\"owner\":\"org2\",\"repo\":\"repo\",\"title\":\"only once\"}"),
                new RecordHeaders());
        List<ConsumerRecord<String, ToolCallCompleted>> answers = readResults(topics.replies(),
                1);

        assertThat(armed).isFalse();
        assertThat(github.repo("org2", "repo").plainIssues()).hasSize(1);
        assertThat(github.requests("POST", "/repos/org2/repo/issues")).hasSize(1);
        assertThat(answers).singleElement().satisfies(answer -> {
            assertThat(answer.value().getStatus()).isEqualTo(CallStatus.SUCCEEDED);
            assertThat(answer.value().getResultJson()).contains("\"deduplicated\":true",
                    "\"number\":1");
        });
        assertThat(endOffset(topics.replies())).isEqualTo(1);
    }

    /**
     * Holds the first {@code calls} GitHub calls until all of them are in flight at once (or 20 s
     * passed, then it records that they were not and lets every call through).
     */
    private static UnaryOperator<GitHubTransport> allAtOnce(int calls, AtomicBoolean together) {
        CountDownLatch latch = new CountDownLatch(calls);
        AtomicInteger seen = new AtomicInteger();
        return transport -> new ForwardingTransport(transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                if (seen.getAndIncrement() < calls && together.get()) {
                    latch.countDown();
                    try {
                        if (!latch.await(20, TimeUnit.SECONDS)) {
                            together.set(false);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                return delegate().send(request);
            }
        };
    }

    private Map<String, List<ToolCallCompleted>> answersByRequest(int distinct)
            throws InterruptedException {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "reader")));
        Map<String, List<ToolCallCompleted>> answers = new HashMap<>();
        try (KafkaConsumer<String, ToolCallCompleted> reader = new KafkaConsumer<>(props,
                new StringDeserializer(), new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                        ToolCallCompleted.class))) {
            TopicPartition partition = new TopicPartition(topics.replies(), 0);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answers.size() < distinct && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(record -> answers.computeIfAbsent(
                        record.key(), key -> new ArrayList<>()).add(record.value()));
            }
            reader.poll(Duration.ofMillis(500)).forEach(record -> answers.computeIfAbsent(record
                    .key(), key -> new ArrayList<>()).add(record.value()));
        }
        return answers;
    }

    @Test
    void manyConcurrentCallsOfOneScopeMintOneToken() throws Exception {
        int calls = 30;
        github.repo("org1", "repo").files.put("a.txt", "hello");
        for (int i = 0; i < calls; i++) {
            send(decision("same-scope-" + i, 1, "get_file",
                    "{\"owner\":\"org1\",\"repo\":\"repo\",\"path\":\"a.txt\"}"),
                    new RecordHeaders());
        }
        AtomicBoolean together = new AtomicBoolean(true);

        startReplica(allAtOnce(calls, together));
        Map<String, List<ToolCallCompleted>> answers = answersByRequest(calls);

        assertThat(together).as("the batch's calls were in flight at once").isTrue();
        assertThat(answers).hasSize(calls).allSatisfy((id, given) -> assertThat(given)
                .singleElement().satisfies(answer -> assertThat(answer.getStatus()).as(answer
                        .getMessage()).isEqualTo(CallStatus.SUCCEEDED)));
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(endOffset(topics.tokenMints())).isEqualTo(1);
    }

    @Test
    void aReplicaKilledInTheMiddleOfAConcurrentBatchLeavesEachWriteDoneOnceAndEveryRequestOneAnswer()
            throws Exception {
        int writes = 10;
        for (int i = 0; i < writes; i++) {
            send(decision("batch-write-" + i, 2, "create_issue",
                    "{\"owner\":\"org2\",\"repo\":\"repo\",\"title\":\"issue " + i + "\"}"),
                    new RecordHeaders());
        }
        AtomicBoolean together = new AtomicBoolean(true);
        AtomicBoolean dead = new AtomicBoolean(false);
        AtomicInteger posts = new AtomicInteger();
        UnaryOperator<GitHubTransport> killedAtTheFifthWrite = transport -> new ForwardingTransport(
                transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                if (dead.get()) {
                    throw new SimulatedKill(); // the process is gone: nothing more reaches GitHub
                }
                GitHubResponse response = delegate().send(request);
                if (request.method().equals("POST") && (posts.incrementAndGet() == 5 || dead
                        .get())) {
                    dead.set(true);
                    throw new SimulatedKill();
                }
                return response;
            }
        };
        InMemoryCompletionStore shared = new InMemoryCompletionStore(1000);
        startReplica(transport -> killedAtTheFifthWrite.apply(allAtOnce(writes, together).apply(
                transport)), DyingCompletionStore.dyingWhen(shared, dead::get,
                        SimulatedKill::new));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!dead.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        startReplica(UnaryOperator.identity(), shared);
        Map<String, List<ToolCallCompleted>> answers = answersByRequest(writes);

        assertThat(together).as("the batch's calls were in flight at once").isTrue();
        assertThat(dead).isTrue();
        assertThat(github.repo("org2", "repo").plainIssues()).hasSize(writes);
        assertThat(github.requests("POST", "/repos/org2/repo/issues")).hasSize(writes);
        assertThat(answers).hasSize(writes).allSatisfy((id, given) -> {
            assertThat(given).allSatisfy(answer -> assertThat(answer.getStatus()).as(answer
                    .getMessage()).isEqualTo(CallStatus.SUCCEEDED));
            assertThat(given.stream().map(answer -> answer.getMeta().getEventId()).collect(
                    Collectors.toSet())).as("one answer per request, re-published as it was")
                    .hasSize(1);
        });
    }

    private RecordMetadata sendFor(PolicyDecided decision) throws Exception {
        return producer().send(new ProducerRecord<>(topics.decisions(), null, decision
                .getRoutingKey(), TestDecisionKey.sign(decision), new RecordHeaders())).get(30,
                        TimeUnit.SECONDS);
    }

    private Optional<Long> committed(TopicPartition partition) throws Exception {
        try (Admin admin = broker.admin()) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(partition);
            return Optional.ofNullable(offset).map(OffsetAndMetadata::offset);
        }
    }

    private void awaitCommitted(TopicPartition partition, long offset) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!committed(partition).equals(Optional.of(offset))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(partition + " never committed " + offset + ": "
                        + committed(partition));
            }
            Thread.sleep(50);
        }
    }

    private static String getFile(long installation, String path) {
        return "{\"owner\":\"org" + installation + "\",\"repo\":\"repo\",\"path\":\"" + path
                + "\"}";
    }

    @Test
    void nothingAtOrAfterAnUnansweredDecisionIsCommittedWhateverFinishedAfterIt()
            throws Exception {
        github.repo("org1", "repo").files.put("slow.txt", "slow");
        github.repo("org1", "repo").files.put("a.txt", "fast");
        CountDownLatch release = new CountDownLatch(1);
        UnaryOperator<GitHubTransport> slowFile = transport -> new ForwardingTransport(transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                if (request.path().contains("slow.txt")) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delegate().send(request);
            }
        };
        RecordMetadata slow = sendFor(decision("slow", 1, "get_file", getFile(1, "slow.txt")));
        for (int i = 0; i < 4; i++) {
            sendFor(decision("fast-" + i, 1, "get_file", getFile(1, "a.txt")));
        }
        TopicPartition held = new TopicPartition(slow.topic(), slow.partition());
        startReplica(slowFile);
        Map<String, List<ToolCallCompleted>> fast = answersByRequest(4);
        long other = 2;
        github.repo("org" + other, "repo").files.put("a.txt", "other");
        RecordMetadata elsewhere = sendFor(decision("elsewhere", other, "get_file", getFile(other,
                "a.txt")));
        if (elsewhere.partition() == slow.partition()) {
            other = 3;
            github.repo("org" + other, "repo").files.put("a.txt", "other");
            elsewhere = sendFor(decision("elsewhere-3", other, "get_file", getFile(other,
                    "a.txt")));
        }
        awaitCommitted(new TopicPartition(elsewhere.topic(), elsewhere.partition()), elsewhere
                .offset() + 1); // the consumer has committed since the fast answers

        Optional<Long> whileSlowRuns = committed(held);
        release.countDown();
        awaitCommitted(held, slow.offset() + 5);

        assertThat(elsewhere.partition()).isNotEqualTo(slow.partition());
        assertThat(fast).containsOnlyKeys("fast-0", "fast-1", "fast-2", "fast-3");
        assertThat(whileSlowRuns).as("committed offset of the partition while its first decision"
                + " was unanswered").satisfiesAnyOf(offset -> assertThat(offset).isEmpty(),
                        offset -> assertThat(offset).contains(slow.offset()));
        assertThat(readResults(topics.replies(), 6)).hasSize(6);
    }

    private static final String ISSUE_1 = "{\"owner\":\"org2\",\"repo\":\"repo\","
            + "\"issue_number\":1";

    /** Sends {@code decision} and waits for the {@code nth} answer on the replies topic. */
    private ToolCallCompleted answered(PolicyDecided decision, int nth) throws Exception {
        send(decision, new RecordHeaders());
        List<ConsumerRecord<String, ToolCallCompleted>> answers = readResults(topics.replies(),
                nth);
        assertThat(answers).as("answers so far, waiting for " + decision.getMeta()
                .getRequestId()).hasSize(nth);
        ToolCallCompleted answer = answers.get(nth - 1).value();
        assertThat(answer.getMeta().getRequestId()).isEqualTo(decision.getMeta().getRequestId());
        return answer;
    }

    /**
     * A write's decision replayed onto the decisions topic (the same signed record, well within
     * tollgate.executor.max-decision-age) after the in-memory completion record forgot its
     * answer: update_issue has no marker to find, so performing it again would put the agent's
     * title back over the maintainer's. It is refused, outcome_unknown, and GitHub sees one
     * PATCH of the title.
     */
    private void aReplayedUpdateIsNotPerformedAgain(InMemoryCompletionStore memory,
            int forgettingWrites, String why) throws Exception {
        startReplica(UnaryOperator.identity(), memory);
        awaitAssignment(6);
        int n = 0;
        answered(decision("open", 2, "create_issue",
                "{\"owner\":\"org2\",\"repo\":\"repo\",\"title\":\"first\"}"), ++n);
        PolicyDecided retitle = decision("retitle", 2, "update_issue", ISSUE_1
                + ",\"title\":\"the agent's title\"}");
        assertThat(answered(retitle, ++n).getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        github.repo("org2", "repo").issues.get(0).put("title", "the maintainer's title");
        for (int i = 0; i < forgettingWrites; i++) {
            answered(decision("later-" + i, 2, "update_issue", ISSUE_1 + ",\"body\":\"later "
                    + i + "\"}"), ++n);
        }
        github.repo("org2", "repo").files.put("a.txt", "read");
        answered(decision("a-read", 2, "get_file", getFile(2, "a.txt")), ++n);

        ToolCallCompleted replayed = answered(retitle, ++n);

        assertThat(replayed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(replayed.getErrorCode()).as(replayed.getMessage()).isEqualTo(
                "outcome_unknown");
        assertThat(replayed.getRetryable()).isFalse();
        assertThat(replayed.getMessage()).contains("may have performed already", why);
        assertThat(github.repo("org2", "repo").issues.get(0).path("title").asString())
                .isEqualTo("the maintainer's title");
        assertThat(github.requests("PATCH", "/repos/org2/repo/issues/1")).filteredOn(
                request -> request.json().has("title")).as("the title was set once").hasSize(1);
    }

    @Test
    void aReplayedWriteWhoseAnswerWasForgottenIsRefusedNotPerformedAgain() throws Exception {
        // room for one answer: the read pushes the update's answer out; its ID is kept
        aReplayedUpdateIsNotPerformedAgain(new InMemoryCompletionStore(1_000, 1), 0,
                "answered it already");
    }

    @Test
    void aReplayedWriteOlderThanTheWritesForgottenIsRefusedNotPerformedAgain()
            throws Exception {
        // two write IDs kept: three later writes push the update's ID out too
        aReplayedUpdateIsNotPerformedAgain(new InMemoryCompletionStore(2), 3, "no later than");
    }
}
