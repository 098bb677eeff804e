package dev.tollgate.decision.kafka;

import static dev.tollgate.decision.kafka.KafkaFixture.collect;
import static dev.tollgate.decision.kafka.KafkaFixture.request;
import static dev.tollgate.decision.kafka.KafkaFixture.requestIn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision loop through the real embedded broker. */
@WithKafka
class DecisionLoopTest {

    private static final String READ_ONLY = "[gh.repos]\n\"myorg/app\" = { read = true }\n";
    private static final String WRITE = "[gh.repos]\n\"myorg/app\" = { write = true }\n";

    private static KafkaTestBroker broker;

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void topics(KafkaTestBroker kafka) {
        broker = kafka;
        KafkaFixture.createTopics(kafka);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private PolicyReloader policy(String text, PolicyListener listener) throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, text);
        PolicyReloader reloader = new PolicyReloader(file, listener, Clock.systemUTC());
        reloader.start();
        return reloader;
    }

    private DecisionLoop startLoop(PolicyReloader reloader, String group) {
        return startLoop(reloader, group, Map.of());
    }

    private DecisionLoop startLoop(PolicyReloader reloader, String group,
            Map<String, Object> producerOverrides) {
        return startLoop(reloader, group, producerOverrides, Duration.ZERO);
    }

    private DecisionLoop startLoop(PolicyReloader reloader, String group,
            Map<String, Object> producerOverrides, Duration gather) {
        Map<String, Object> consumer = new HashMap<>(broker.consumerProps(group));
        Map<String, Object> producer = new HashMap<>(broker.producerProps());
        producer.putAll(producerOverrides);
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTestBroker.uniqueName("tx"));
        DecisionLoop loop = new DecisionLoop(consumer, producer, reloader, new EventTranslator(
                Clock.systemUTC()), Duration.ofMillis(100), KafkaFixture.SIGNER).gatherFor(
                        gather);
        Thread thread = new Thread(loop, "decision-loop-test");
        thread.start();
        toClose.add(loop);
        return loop;
    }

    private static List<ToolCallRequested> issues(int count, Set<String> ids) {
        List<ToolCallRequested> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            requests.add(request(id, "bot", "create_issue", "myorg", "app",
                    "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t" + i + "\"}"));
        }
        return requests;
    }

    private static String idOf(ConsumerRecord<String, ?> record) {
        return TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID).orElseThrow();
    }

    @Test
    void anAllowedRequestReachesTheDecisionsTopicKeyedByOwnerAndSigned() throws Exception {
        PolicyReloader reloader = policy("[gh.repos]\n\"myorg/app\" = { read = true }\n",
                PolicyListener.NONE);
        startLoop(reloader, KafkaTestBroker.uniqueName("decide"));
        String id = UUID.randomUUID().toString();

        KafkaFixture.send(broker, List.of(request(id, "bot", "get_file", "myorg", "app",
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"README.md\"}")));
        List<ConsumerRecord<String, PolicyDecided>> decisions = collect(broker, Topics.DECISIONS,
                requestIn(Set.of(id)), 1);

        assertThat(decisions).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("myorg");
            PolicyDecided decided = record.value();
            assertThat(decided.getAllowed()).isTrue();
            assertThat(decided.getPermissions()).isEqualTo(Map.of("contents", "read"));
            assertThat(decided.getRepositories()).containsExactly("myorg/app");
            assertThat(decided.getRoutingKey()).isEqualTo("myorg");
            assertThat(decided.getPolicyVersion()).isEqualTo(reloader.current().policy()
                    .version());
            assertThat(decided.getRequest().getMeta().getRequestId()).isEqualTo(id);
            assertThat(decided.getRules()).isNotEmpty();
            assertThat(decided.getMeta().getProducer()).isEqualTo("decision-worker");
            assertThat(decided.getSignature().getKeyId()).isEqualTo(KafkaFixture.SIGNING_KEY
                    .id());
            assertThat(KafkaFixture.VERIFIER.refusal(decided)).as("the executor's check")
                    .isEmpty();
            decided.setRepositories(List.of("myorg/other"));
            assertThat(KafkaFixture.VERIFIER.refusal(decided)).as("after an alteration")
                    .isPresent();
            assertThat(TollgateHeaders.get(record.headers(), TollgateHeaders.TRACEPARENT))
                    .contains(KafkaFixture.traceparent(id));
            assertThat(TollgateHeaders.getInt(record.headers(),
                    TollgateHeaders.REPLY_PARTITION)).contains(KafkaFixture.REPLY_PARTITION);
        });
    }

    @Test
    void aDeniedRequestIsAnsweredOnTheReplyPartitionWithReasonAndVersion() throws Exception {
        PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
        startLoop(reloader, KafkaTestBroker.uniqueName("deny"));
        Set<String> ids = new HashSet<>();

        KafkaFixture.send(broker, issues(1, ids));
        List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker, Topics.REPLIES,
                requestIn(ids), 1);
        List<ConsumerRecord<String, ToolCallCompleted>> kept = collect(broker, Topics.RESULTS,
                requestIn(ids), 1);

        assertThat(kept).as("the kept copy of the denial").singleElement().satisfies(
                record -> assertThat(record.value()).isEqualTo(answers.getFirst().value()));
        assertThat(answers).singleElement().satisfies(record -> {
            assertThat(record.partition()).isEqualTo(KafkaFixture.REPLY_PARTITION);
            assertThat(record.key()).isEqualTo(ids.iterator().next());
            ToolCallCompleted completed = record.value();
            assertThat(completed.getStatus()).isEqualTo(CallStatus.DENIED);
            assertThat(completed.getErrorCode()).isEqualTo(EventTranslator.POLICY_DENIED);
            assertThat(completed.getMessage()).contains("may not create_issue on myorg/app");
            assertThat(completed.getPolicyVersion()).isEqualTo(reloader.current().policy()
                    .version());
            assertThat(TollgateHeaders.get(record.headers(), TollgateHeaders.TRACEPARENT))
                    .isPresent();
        });
        assertThat(collect(broker, Topics.DECISIONS, requestIn(ids), 0)).isEmpty();
    }

    @Test
    void aPoisonRecordGoesToTheDeadLettersAndDoesNotBlockThePartition() throws Exception {
        PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
        startLoop(reloader, KafkaTestBroker.uniqueName("poison"));
        String poisonId = UUID.randomUUID().toString();
        String key = "same-key-" + poisonId;
        String goodId = UUID.randomUUID().toString();

        KafkaFixture.sendRaw(broker, key, "not avro".getBytes(StandardCharsets.UTF_8), poisonId);
        ToolCallRequested good = request(goodId, "bot", "create_issue", "myorg", "app", "{}");
        KafkaFixture.send(broker, List.of(good));
        List<ConsumerRecord<String, DeadLetter>> dead = collect(broker, Topics.DEAD_LETTERS,
                requestIn(Set.of(poisonId)), 1);
        List<ConsumerRecord<String, ToolCallCompleted>> answered = collect(broker,
                Topics.RESULTS, requestIn(Set.of(goodId)), 1);

        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(record.value().getReason()).contains("cannot read a ToolCallRequested");
            assertThat(record.value().getSourceTopic()).isEqualTo(Topics.REQUESTS.name());
            assertThat(StandardCharsets.UTF_8.decode(record.value().getPayload()).toString())
                    .isEqualTo("not avro");
        });
        assertThat(answered).hasSize(1);
    }

    @Test
    void aDecisionTooLargeToPublishIsSetAsideAndTheRestOfTheBatchIsDecided() throws Exception {
        PolicyReloader reloader = policy(WRITE, PolicyListener.NONE);
        startLoop(reloader, KafkaTestBroker.uniqueName("too-large"), Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 6000));
        String big = UUID.randomUUID().toString();
        String small = UUID.randomUUID().toString();
        String body = "x".repeat(5000);

        KafkaFixture.send(broker, List.of(request(big, "bot", "create_issue", "myorg", "app",
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t\",\"body\":\"" + body
                        + "\"}"),
                request(small, "bot", "create_issue", "myorg", "app",
                        "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t\"}")));
        List<ConsumerRecord<String, DeadLetter>> dead = collect(broker, Topics.DEAD_LETTERS,
                requestIn(Set.of(big)), 1);
        List<ConsumerRecord<String, PolicyDecided>> decided = collect(broker, Topics.DECISIONS,
                requestIn(Set.of(big, small)), 1);

        assertThat(dead).singleElement().satisfies(record -> assertThat(record.value()
                .getReason()).contains("could not be published"));
        assertThat(decided).extracting(DecisionLoopTest::idOf).containsExactly(small);
    }

    @Test
    void unreadableArgumentsAreAnsweredAsInvalidNotDropped() throws Exception {
        PolicyReloader reloader = policy(WRITE, PolicyListener.NONE);
        startLoop(reloader, KafkaTestBroker.uniqueName("invalid"));
        String id = UUID.randomUUID().toString();

        KafkaFixture.send(broker, List.of(request(id, "bot", "create_issue", "myorg", "app",
                "[1, 2]")));
        List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker, Topics.RESULTS,
                requestIn(Set.of(id)), 1);

        assertThat(answers).singleElement().satisfies(record -> {
            assertThat(record.value().getErrorCode()).isEqualTo(EventTranslator.INVALID_REQUEST);
            assertThat(record.value().getMessage()).contains("not a JSON object");
        });
    }

    @Test
    void aReloadWhileRequestsFlowAnswersEveryRequestOnceWithOneOfTheTwoVersions()
            throws Exception {
        PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
        String before = reloader.current().policy().version();
        startLoop(reloader, KafkaTestBroker.uniqueName("reload"));
        Set<String> early = new HashSet<>();
        Set<String> late = new HashSet<>();
        List<ToolCallRequested> first = issues(40, early);
        List<ToolCallRequested> second = issues(40, late);

        Thread sender = new Thread(() -> KafkaFixture.send(broker, first));
        sender.start();
        Files.writeString(dir.resolve("policy.toml"), WRITE);
        boolean swapped = reloader.checkNow();
        String after = reloader.current().policy().version();
        sender.join();
        KafkaFixture.send(broker, second);
        Set<String> all = new HashSet<>(early);
        all.addAll(late);
        List<ConsumerRecord<String, ToolCallCompleted>> denied = collect(broker, Topics.RESULTS,
                requestIn(all), 0);
        List<ConsumerRecord<String, PolicyDecided>> allowed = collect(broker, Topics.DECISIONS,
                requestIn(all), 0);
        long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (denied.size() + allowed.size() < all.size() && System.nanoTime() < giveUp) {
            denied = collect(broker, Topics.RESULTS, requestIn(all), 0);
            allowed = collect(broker, Topics.DECISIONS, requestIn(all), 0);
        }

        assertThat(swapped).isTrue();
        assertThat(after).isNotEqualTo(before);
        Map<String, Long> answersPerRequest = new HashMap<>();
        denied.forEach(record -> answersPerRequest.merge(idOf(record), 1L, Long::sum));
        allowed.forEach(record -> answersPerRequest.merge(idOf(record), 1L, Long::sum));
        assertThat(answersPerRequest.keySet()).isEqualTo(all);
        assertThat(answersPerRequest.values()).allMatch(count -> count == 1L);
        assertThat(denied).allSatisfy(record -> assertThat(record.value().getPolicyVersion())
                .isEqualTo(before));
        assertThat(allowed).allSatisfy(record -> assertThat(record.value().getPolicyVersion())
                .isEqualTo(after));
        Set<String> allowedIds = allowed.stream().map(DecisionLoopTest::idOf).collect(Collectors
                .toSet());
        assertThat(allowedIds).as("requests sent after the reload use the new policy")
                .containsAll(late);
    }

    @Test
    void aRestartedWorkerContinuesWhereTheGroupLeftOffWithoutDuplicates() throws Exception {
        PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
        String group = KafkaTestBroker.uniqueName("restart");
        DecisionLoop first = startLoop(reloader, group);
        Set<String> before = new HashSet<>();
        KafkaFixture.send(broker, issues(10, before));
        assertThat(collect(broker, Topics.RESULTS, requestIn(before), 10)).hasSize(10);
        first.close();
        Set<String> after = new HashSet<>();
        KafkaFixture.send(broker, issues(10, after));

        startLoop(reloader, group);
        Set<String> all = new HashSet<>(before);
        all.addAll(after);
        List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker, Topics.RESULTS,
                requestIn(all), 20);

        Map<String, Long> perRequest = answers.stream().collect(Collectors.groupingBy(
                DecisionLoopTest::idOf, Collectors.counting()));
        assertThat(perRequest.keySet()).isEqualTo(all);
        assertThat(perRequest.values()).allMatch(count -> count == 1L);
    }

    @Test
    void aBusyLoopGathersRequestsIntoFewerTransactionsAndAnswersEachOnce() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(meters);
        try {
            PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
            startLoop(reloader, KafkaTestBroker.uniqueName("gather"), Map.of(), Duration
                    .ofSeconds(2));
            Set<String> ids = new HashSet<>();
            KafkaFixture.sendAtOnce(broker, issues(5, ids)); // busy: five at once
            for (int i = 0; i < 35; i++) { // then one every 5 ms
                KafkaFixture.send(broker, issues(1, ids));
                Thread.sleep(5);
            }

            List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker,
                    Topics.RESULTS, requestIn(ids), 40);

            Map<String, Long> perRequest = answers.stream().collect(Collectors.groupingBy(
                    DecisionLoopTest::idOf, Collectors.counting()));
            assertThat(perRequest.keySet()).isEqualTo(ids);
            assertThat(perRequest.values()).allMatch(count -> count == 1L);
            Timer committed = meters.find("tollgate.decision.transactions").tag("outcome",
                    "committed").timer();
            assertThat(committed).isNotNull();
            assertThat(committed.count()).as("transactions for 40 requests gathered for up to"
                    + " 2 s while busy").isBetween(1L, 20L);
        } finally {
            Metrics.globalRegistry.remove(meters);
        }
    }

    @Test
    void aLoneRequestIsNeverHeldToGatherOthers() {
        assertThat(DecisionLoop.gathers(Duration.ofMillis(5), 1, 1)).as("one at a time").isFalse();
        assertThat(DecisionLoop.gathers(Duration.ofMillis(5), 0, 1)).as("the first request")
                .isFalse();
        assertThat(DecisionLoop.gathers(Duration.ofMillis(5), 1, 2)).as("two in this poll")
                .isTrue();
        assertThat(DecisionLoop.gathers(Duration.ofMillis(5), 3, 1)).as("busy before").isTrue();
        assertThat(DecisionLoop.gathers(Duration.ZERO, 9, 9)).as("gathering off").isFalse();
    }

    @Test
    void twoReplicasInOneGroupAnswerEveryRequestExactlyOnce() throws Exception {
        PolicyReloader reloader = policy(READ_ONLY, PolicyListener.NONE);
        String group = KafkaTestBroker.uniqueName("replicas");
        startLoop(reloader, group);
        startLoop(reloader, group);
        Set<String> ids = new HashSet<>();

        KafkaFixture.send(broker, issues(60, ids));
        List<ConsumerRecord<String, ToolCallCompleted>> answers = collect(broker, Topics.RESULTS,
                requestIn(ids), 60);

        Map<String, Long> perRequest = answers.stream().collect(Collectors.groupingBy(
                DecisionLoopTest::idOf, Collectors.counting()));
        assertThat(perRequest.keySet()).isEqualTo(ids);
        assertThat(perRequest.values()).allMatch(count -> count == 1L);
    }

    @Test
    void policyLoadsAndFailedLoadsArePublished() throws Exception {
        Map<String, Object> producer = new HashMap<>(broker.producerProps());
        PolicyChangedPublisher publisher = new PolicyChangedPublisher(producer,
                new EventTranslator(Clock.systemUTC()));
        toClose.add(publisher);
        PolicyReloader reloader = policy(READ_ONLY, publisher);
        String first = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"), "[gh.repos]\n\"a/b\" = { nope = true }\n");
        reloader.checkNow();
        Files.writeString(dir.resolve("policy.toml"), WRITE);
        reloader.checkNow();
        String second = reloader.current().policy().version();
        String source = dir.resolve("policy.toml").toString();

        List<ConsumerRecord<String, PolicyChanged>> events = collect(broker, Topics.POLICY,
                record -> source.equals(record.key()), 3);

        assertThat(events).extracting(record -> record.value().getAction()).containsExactly(
                PolicyAction.LOADED, PolicyAction.LOAD_FAILED, PolicyAction.LOADED);
        assertThat(events.get(0).value().getPolicyVersion()).isEqualTo(first);
        assertThat(events.get(0).value().getRuleCount()).isEqualTo(1);
        assertThat(events.get(1).value().getError()).contains("policy.toml:2:").contains(
                "unknown permission 'nope'");
        assertThat(events.get(1).value().getPolicyVersion()).isEqualTo(first);
        assertThat(events.get(2).value().getPolicyVersion()).isEqualTo(second);
        assertThat(events.get(2).value().getPreviousVersion()).isEqualTo(first);
    }
}
