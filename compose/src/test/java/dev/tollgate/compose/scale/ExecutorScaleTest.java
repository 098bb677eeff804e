package dev.tollgate.compose.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.compose.RoleSettings;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.AvroTrust;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.tools.Tool;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import dev.tollgate.testsupport.WithKafka;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scaling proof, run only with {@code -Pscale} (see compose/README): executors as separate
 * JVMs from the executor's runnable jar, one Kafka broker, a GitHub stand-in answering after
 * 100 ms, decisions spread over many installations. Two executors give close to twice the
 * throughput of one; killing one of three mid-load leaves every request with one final answer.
 */
@WithKafka
class ExecutorScaleTest {

    private static final int PARTITIONS = 12;
    private static final int INSTALLATIONS = 48;
    private static final Path JAR = RoleSettings.repository().resolve(
            "executor-worker/target/tollgate-executor-worker-0.1.0-SNAPSHOT-exec.jar");
    private static final Path LOGS = RoleSettings.repository().resolve("compose/target/scale");

    /** What the audit store holds for every request (a TokenMinted too where it minted). */
    private static final Set<String> PER_REQUEST = Set.of("ToolCallRequested", "PolicyDecided",
            "ToolCallCompleted");

    private final RoleProcesses roles = new RoleProcesses(KafkaTestBroker.get(), LOGS);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void topics(KafkaTestBroker broker) throws Exception {
        AvroTrust.ensure();
        assertThat(JAR).as("build it first: ./mvnw -pl executor-worker package -DskipTests")
                .isRegularFile();
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, new TopicSettings(PARTITIONS, (short) 1, Map.of()),
                    30_000).ensure(Topics.all());
        }
        Files.createDirectories(LOGS);
    }

    @AfterEach
    void stopExecutors() throws Exception {
        roles.close();
    }

    /** New groups read from the start: leave the work topics empty for the next test. */
    @AfterEach
    void emptyWorkTopics(KafkaTestBroker broker) throws Exception {
        stopExecutors();
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.REQUESTS.name(), Topics.DECISIONS.name())) {
                for (int p = 0; p < PARTITIONS; p++) {
                    latest.put(new TopicPartition(topic, p),
                            org.apache.kafka.clients.admin.OffsetSpec
                                    .latest());
                }
            }
            Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> deletions = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, offset) -> deletions.put(
                    partition, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(offset
                            .offset())));
            admin.deleteRecords(deletions).all().get();
        }
    }

    @Test
    void twoExecutorsGiveCloseToTwiceTheThroughputOfOne(KafkaTestBroker broker) throws Exception {
        try (SlowGitHub github = new SlowGitHub(100)) {
            double one = throughput(broker, github, 1, 80);
            stopExecutors();
            double two = throughput(broker, github, 2, 160);

            System.out.printf("SCALE executors=1: %.1f calls/s; executors=2: %.1f calls/s;"
                    + " ratio %.2f%n", one, two, two / one);
            assertThat(two / one).as("throughput ratio of two executors to one")
                    .isGreaterThan(1.5);
        }
    }

    @Test
    void killingOneOfThreeExecutorsMidLoadLeavesEveryRequestOneFinalAnswer(
            KafkaTestBroker broker) throws Exception {
        try (SlowGitHub github = new SlowGitHub(100)) {
            String group = KafkaTestBroker.uniqueName("scale-kill");
            String completions = PostgresTestDatabase.fromEnvironment().freshSchemaUrl(
                    "scale_kill");
            for (int i = 0; i < 3; i++) {
                start(broker, github, group, completions, "kill-" + i);
            }
            RoleProcesses.awaitGroup(broker, group, 3);
            List<String> ids = ids(150);

            try (KafkaConsumer<String, ToolCallCompleted> answers = resultsReader(broker)) {
                send(broker, ids, roles.signer());
                Map<String, List<ToolCallCompleted>> received = new HashMap<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                boolean killed = false;
                while (received.keySet().containsAll(ids) == false
                        && System.nanoTime() < deadline) {
                    for (var record : answers.poll(Duration.ofMillis(200))) {
                        received.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record
                                .value());
                    }
                    if (!killed && received.size() >= ids.size() / 3) {
                        roles.roles().get(0).process().destroyForcibly().waitFor();
                        killed = true;
                        System.out.printf("SCALE killed executor kill-0 (SIGKILL) after %d of %d"
                                + " answers%n", received.size(), ids.size());
                    }
                }
                // a little longer, to see any late duplicate
                for (int i = 0; i < 10; i++) {
                    for (var record : answers.poll(Duration.ofMillis(200))) {
                        received.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record
                                .value());
                    }
                }

                assertThat(killed).isTrue();
                assertThat(received.keySet()).containsAll(ids);
                long duplicates = 0;
                for (String id : ids) {
                    List<ToolCallCompleted> all = received.get(id);
                    Set<String> distinct = all.stream().map(a -> a.getStatus() + " " + a
                            .getResultJson()).collect(Collectors.toSet());
                    assertThat(distinct).as(id).hasSize(1);
                    assertThat(all.get(0).getStatus()).as(id + ": " + all.get(0).getErrorCode()
                            + " " + all.get(0).getMessage()).isEqualTo(CallStatus.SUCCEEDED);
                    duplicates += all.size() - 1;
                }
                System.out.printf("SCALE kill: %d requests, every one answered, one distinct final"
                        + " answer each; %d repeated deliveries of the same answer%n",
                        ids
                                .size(),
                        duplicates);
            }
        }
    }

    @Test
    void requestsThroughTwoDecisionWorkersAndThreeExecutorsAreAllAnsweredAndAudited(
            KafkaTestBroker broker) throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String auditUrl = database.freshSchemaUrl("scale_audit");
        Path policy = RoleProcesses.writeReadPolicy(LOGS.resolve("policy.toml"), INSTALLATIONS);
        try (SlowGitHub github = new SlowGitHub(100)) {
            roles.start("audit-sink", "pipeline-audit", Map.of("TOLLGATE_AUDIT_STORE",
                    "postgres", "TOLLGATE_AUDIT_POSTGRES_URL", auditUrl,
                    "TOLLGATE_AUDIT_POSTGRES_USER", database.user(),
                    "TOLLGATE_AUDIT_POSTGRES_PASSWORD", database.password(),
                    "TOLLGATE_AUDIT_POSTGRES_MIGRATE", "true", "TOLLGATE_AUDIT_GROUP_ID",
                    KafkaTestBroker.uniqueName("scale-audit")));
            String decisionGroup = KafkaTestBroker.uniqueName("scale-decide");
            for (int i = 0; i < 2; i++) {
                roles.start("decision-worker", "pipeline-decide-" + i, Map.of(
                        "SPRING_MAIN_WEB_APPLICATION_TYPE", "servlet",
                        "TOLLGATE_POLICY_FILE", policy.toString(), "TOLLGATE_DECISION_GROUP_ID",
                        decisionGroup, "TOLLGATE_INSTALLATIONS_MODE", "off"));
            }
            String executorGroup = KafkaTestBroker.uniqueName("scale-exec");
            String completions = database.freshSchemaUrl("scale_pipeline");
            for (int i = 0; i < 3; i++) {
                start(broker, github, executorGroup, completions, "pipeline-exec-" + i);
            }
            RoleProcesses.awaitGroup(broker, executorGroup, 3);
            List<String> ids = ids(120);

            try (KafkaConsumer<String, ToolCallCompleted> answers = resultsReader(broker)) {
                long start = System.nanoTime();
                try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(),
                        new EventSerializer<>(
                                AvroSingleObjectCodec.shared()))) {
                    for (int i = 0; i < ids.size(); i++) {
                        ToolCallRequested request = decision(ids.get(i), "org-" + (i
                                % INSTALLATIONS), 0).getRequest();
                        producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), ids.get(i),
                                request));
                    }
                    producer.flush();
                }
                await(answers, ids);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("SCALE pipeline: %d requests through 2 decision workers and 3"
                        + " executors in %.2f s = %.1f calls/s%n", ids.size(), seconds,
                        ids.size()
                                / seconds);
            }
            Map<String, Set<String>> audited = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < deadline) {
                audited.clear();
                try (var connection = java.sql.DriverManager.getConnection(auditUrl, database
                        .user(), database.password());
                        var statement = connection
                                .prepareStatement("SELECT request_id, event_type FROM audit_record"
                                        + " WHERE request_id = ANY (?)")) {
                    statement.setArray(1, connection.createArrayOf("text", ids.toArray()));
                    try (var rows = statement.executeQuery()) {
                        while (rows.next()) {
                            audited.computeIfAbsent(rows.getString(1),
                                    k -> new java.util.TreeSet<>())
                                    .add(rows.getString(2));
                        }
                    }
                }
                if (audited.size() == ids.size() && audited.values().stream().allMatch(t -> t
                        .containsAll(PER_REQUEST))) {
                    break;
                }
                Thread.sleep(500);
            }

            assertThat(audited.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(audited.values()).allSatisfy(types -> assertThat(types).containsAll(
                    PER_REQUEST));
            System.out.printf("SCALE pipeline audit: %d of %d requests with %s%n", audited.size(),
                    ids.size(), audited.values().iterator().next());
        }
    }

    /** Calls per second of {@code executors} fresh executors over {@code calls} decisions. */
    private double throughput(KafkaTestBroker broker, SlowGitHub github, int executors,
            int calls) throws Exception {
        String group = KafkaTestBroker.uniqueName("scale-" + executors);
        for (int i = 0; i < executors; i++) {
            start(broker, github, group, null, "x" + executors + "-" + i);
        }
        RoleProcesses.awaitGroup(broker, group, executors);
        // warm-up: a token per installation, JIT, connections
        List<String> warm = ids(INSTALLATIONS);
        try (KafkaConsumer<String, ToolCallCompleted> answers = resultsReader(broker)) {
            send(broker, warm, roles.signer());
            await(answers, warm);
            List<String> ids = ids(calls);
            long start = System.nanoTime();
            send(broker, ids, roles.signer());
            await(answers, ids);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = calls / seconds;
            System.out.printf("SCALE executors=%d: %d calls in %.2f s = %.1f calls/s (GitHub"
                    + " requests so far %d, mints %d)%n", executors, calls, seconds, rate,
                    github
                            .requests(),
                    github.mints());
            return rate;
        }
    }

    private void start(KafkaTestBroker broker, SlowGitHub github, String group,
            String completionsUrl, String name) throws Exception {
        Path key = LOGS.resolve("app-key.pem");
        if (!Files.exists(key)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
                    "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                            generator
                                    .generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
        }
        Map<String, String> env = new HashMap<>();
        env.put("TOLLGATE_GITHUB_API_URL", github.apiUrl());
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_INSTALLATIONS", RoleProcesses.staticInstallations(INSTALLATIONS));
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", key.toString());
        env.put("TOLLGATE_EXECUTOR_GROUP_ID", group);
        // one agent calls 48 installations here: lift the per-agent mint limit (30 a minute)
        env.put("TOLLGATE_EXECUTOR_MINT_LIMIT_PER_AGENT", "10000");
        env.put("TOLLGATE_EXECUTOR_MINT_LIMIT_PER_INSTALLATION", "10000");
        env.put("TOLLGATE_INSTALLATIONS_SYNC_ON_START", "false");
        if (completionsUrl != null) {
            PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
            env.put("TOLLGATE_EXECUTOR_COMPLETIONS_JDBC_URL", completionsUrl);
            env.put("TOLLGATE_EXECUTOR_COMPLETIONS_USER", database.user());
            env.put("TOLLGATE_EXECUTOR_COMPLETIONS_PASSWORD", database.password());
        }
        roles.start("executor-worker", name, env);
    }

    private static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("scale-" + UUID.randomUUID());
        }
        return ids;
    }

    private static void send(KafkaTestBroker broker, List<String> ids, DecisionSigner signer)
            throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(),
                new EventSerializer<>(
                        AvroSingleObjectCodec.shared()))) {
            for (int i = 0; i < ids.size(); i++) {
                String owner = "org-" + (i % INSTALLATIONS);
                long installation = 1000 + (i % INSTALLATIONS);
                producer.send(new ProducerRecord<>(Topics.DECISIONS.name(), Long.toString(
                        installation),
                        signer.sign(decision(ids.get(i), owner,
                                installation))));
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, ToolCallCompleted> resultsReader(KafkaTestBroker broker) {
        KafkaConsumer<String, ToolCallCompleted> reader = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("reader")), new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), ToolCallCompleted.class));
        List<TopicPartition> partitions = new ArrayList<>();
        reader.partitionsFor(Topics.RESULTS.name()).forEach(p -> partitions.add(
                new TopicPartition(p.topic(), p.partition())));
        reader.assign(partitions);
        reader.seekToEnd(partitions);
        partitions.forEach(reader::position);
        return reader;
    }

    private static void await(KafkaConsumer<String, ToolCallCompleted> answers,
            List<String> ids) {
        Map<String, String> received = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!received.keySet().containsAll(ids) && System.nanoTime() < deadline) {
            for (var record : answers.poll(Duration.ofMillis(100))) {
                received.put(record.key(), record.value().getStatus() == CallStatus.SUCCEEDED
                        ? "SUCCEEDED"
                        : record.value().getErrorCode() + ": " + record.value().getMessage());
            }
        }
        assertThat(received.keySet()).containsAll(ids);
        assertThat(ids.stream().map(received::get).distinct()).containsExactly("SUCCEEDED");
    }

    private static PolicyDecided decision(String requestId, String owner, long installation) {
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer("scale-test")
                .build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(ToolCallRequested.newBuilder()
                .setMeta(meta).setAgentId("agent").setEnvironment("prod").setTool("get_file")
                .setArgumentsJson("{\"owner\":\"" + owner + "\",\"repo\":\"app\",\"path\":"
                        + "\"f.txt\"}")
                .build()).setAllowed(true).setReason("scale")
                .setPolicyVersion("v").setPermissions(Map.copyOf(Tool.GET_FILE
                        .permissions()))
                .setRepositories(new ArrayList<>(List.of(owner + "/app")))
                .setRoutingKey(Long.toString(installation)).setInstallationId(installation)
                .build();
    }

}
