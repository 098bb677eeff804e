package dev.tollgate.compose.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.compose.RoleSettings;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.AvroTrust;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole deployment as separate JVMs under load from MCP agents (run only with
 * {@code -Pscale}, see compose/README): one broker, two ingress sharing the admin and token
 * signing keys (each its own reply partition and port), two decision workers, three executors,
 * an audit sink on PostgreSQL and a GitHub stand-in answering after 100 ms. One ingress and,
 * later, one executor are killed with SIGKILL mid-load: every request an ingress published ends
 * with exactly one final answer on gateway.results (one event; repeated deliveries of it are
 * counted) and exactly one completion in the audit store, and the surviving ingress's agents
 * keep working.
 */
@WithKafka
class IngressKillScaleTest {

    private static final int PARTITIONS = 12;
    private static final int INSTALLATIONS = 48;
    private static final int AGENTS_PER_INGRESS = 12;
    private static final Duration KILL_INGRESS_AT = Duration.ofSeconds(12);
    private static final Duration KILL_EXECUTOR_AT = Duration.ofSeconds(24);
    private static final Duration LOAD_FOR = Duration.ofSeconds(40);
    private static final String ADMIN_KEY = "scale-admin-key-0123456789abcdef0123456789";
    private static final String SIGNING_KEY = "scale-signing-key-0123456789abcdef0123456789";
    private static final Path LOGS = RoleSettings.repository().resolve("compose/target/scale");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One MCP call as the agent saw it. */
    private record Call(int ingress, long endedNanos, String status, String requestId,
            String failure) {
    }

    private final RoleProcesses roles = new RoleProcesses(KafkaTestBroker.get(), LOGS);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void topics(KafkaTestBroker broker) throws Exception {
        AvroTrust.ensure();
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, new TopicSettings(PARTITIONS, (short) 1, Map.of()),
                    30_000).ensure(Topics.all());
        }
        Files.createDirectories(LOGS);
    }

    /** Every JVM this test started is stopped, also when it failed. */
    @AfterEach
    void stopRoles() throws Exception {
        roles.close();
    }

    @Test
    void killingOneIngressAndOneExecutorMidLoadLeavesEveryAcceptedRequestOneAnswerAndOneAuditedCompletion(
            KafkaTestBroker broker) throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String auditUrl = database.freshSchemaUrl("scale_ingress_audit");
        String completions = database.freshSchemaUrl("scale_ingress_exec");
        Path policy = RoleProcesses.writeReadPolicy(LOGS.resolve("ingress-policy.toml"),
                INSTALLATIONS);
        Map<TopicPartition, Long> requestsFrom = endOffsets(broker, Topics.REQUESTS.name());
        Map<TopicPartition, Long> resultsFrom = endOffsets(broker, Topics.RESULTS.name());

        try (SlowGitHub github = new SlowGitHub(100)) {
            // launch everything, then wait for each: the JVMs start side by side
            roles.launch("audit-sink", "ik-audit", Map.of("TOLLGATE_AUDIT_STORE", "postgres",
                    "TOLLGATE_AUDIT_POSTGRES_URL", auditUrl, "TOLLGATE_AUDIT_POSTGRES_USER",
                    database.user(), "TOLLGATE_AUDIT_POSTGRES_PASSWORD", database.password(),
                    "TOLLGATE_AUDIT_POSTGRES_MIGRATE", "true", "TOLLGATE_AUDIT_GROUP_ID",
                    KafkaTestBroker.uniqueName("ik-audit")));
            String decisionGroup = KafkaTestBroker.uniqueName("ik-decide");
            for (int i = 0; i < 2; i++) {
                roles.launch("decision-worker", "ik-decide-" + i, Map.of(
                        "SPRING_MAIN_WEB_APPLICATION_TYPE", "servlet", "TOLLGATE_POLICY_FILE",
                        policy.toString(), "TOLLGATE_DECISION_GROUP_ID", decisionGroup,
                        "TOLLGATE_INSTALLATIONS_MODE", "off"));
            }
            String executorGroup = KafkaTestBroker.uniqueName("ik-exec");
            for (int i = 0; i < 3; i++) {
                roles.launch("executor-worker", "ik-exec-" + i, executorEnv(github,
                        executorGroup, completions, database));
            }
            for (int i = 0; i < 2; i++) {
                roles.launch("ingress", "ik-ingress-" + i, Map.of("TOLLGATE_ADMIN_KEY",
                        ADMIN_KEY, "TOLLGATE_INGRESS_TOKENS_SIGNING_KEY", SIGNING_KEY,
                        "TOLLGATE_INGRESS_REPLY_PARTITION", Integer.toString(i),
                        "TOLLGATE_INGRESS_STATE_DIR", LOGS.resolve("ik-ingress-" + i + "-state")
                                .toString(),
                        "TOLLGATE_INGRESS_REPLY_TIMEOUT", "120s",
                        "TOLLGATE_INGRESS_RATE_LIMIT_AGENT_LIMIT_FOR_PERIOD", "1000"));
            }
            for (RoleProcesses.Role role : roles.roles()) {
                roles.awaitReady(role);
            }
            RoleProcesses.awaitGroup(broker, executorGroup, 3);
            RoleProcesses.awaitGroup(broker, decisionGroup, 2);
            RoleProcesses.Role ingress0 = roles.role("ik-ingress-0");
            RoleProcesses.Role ingress1 = roles.role("ik-ingress-1");
            RoleProcesses.Role executor0 = roles.role("ik-exec-0");

            // agents: each minted on one ingress and served by the other (one signing key)
            List<McpSyncClient> agents = new ArrayList<>();
            List<Integer> servedBy = new ArrayList<>();
            try {
                for (int a = 0; a < 2 * AGENTS_PER_INGRESS; a++) {
                    int serving = a % 2;
                    RoleProcesses.Role minter = serving == 0 ? ingress1 : ingress0;
                    RoleProcesses.Role server = serving == 0 ? ingress0 : ingress1;
                    McpSyncClient agent = connect(server.port(), mint(minter.port(),
                            "scale-agent-" + a));
                    agents.add(agent);
                    servedBy.add(serving);
                    agent.initialize();
                }

                ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                long loadStart = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int a = 0; a < agents.size(); a++) {
                    McpSyncClient agent = agents.get(a);
                    int serving = servedBy.get(a);
                    int first = a;
                    threads.add(Thread.ofPlatform().name("agent-" + a).start(() -> {
                        for (int n = 0; !stop.get(); n++) {
                            String owner = "org-" + ((first + n * 2 * AGENTS_PER_INGRESS)
                                    % INSTALLATIONS);
                            try {
                                Map<String, Object> answer = call(agent, owner);
                                calls.add(new Call(serving, System.nanoTime(), String.valueOf(
                                        answer.get("status")), (String) answer.get("request_id"),
                                        null));
                            } catch (RuntimeException e) {
                                calls.add(new Call(serving, System.nanoTime(), "exception", null,
                                        e.toString()));
                                if (serving == 0 && !ingress0.process().isAlive()) {
                                    return; // its ingress is gone
                                }
                            }
                        }
                    }));
                }
                sleepUntil(loadStart + KILL_INGRESS_AT.toNanos());
                ingress0.process().destroyForcibly().waitFor();
                long ingressKilled = System.nanoTime();
                sleepUntil(loadStart + KILL_EXECUTOR_AT.toNanos());
                executor0.process().destroyForcibly().waitFor();
                long executorKilled = System.nanoTime();
                sleepUntil(loadStart + LOAD_FOR.toNanos());
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(Duration.ofMinutes(3));
                }
                long loadEnd = System.nanoTime();

                // every request an ingress published, and every answer to it
                Set<String> accepted = new HashSet<>();
                readAll(broker, Topics.REQUESTS.name(), requestsFrom, ToolCallRequested.class,
                        r -> accepted.add(requestId(r.headers(), r.value() == null
                                ? null
                                : r
                                        .value().getMeta().getRequestId())));
                Map<String, List<ToolCallCompleted>> answers = awaitAnswers(broker, resultsFrom,
                        accepted);
                Map<String, Integer> completionsAudited = awaitAudited(database, auditUrl,
                        accepted);

                List<Call> all = List.copyOf(calls);
                long survivorAfterKill = all.stream().filter(c -> c.ingress() == 1 && c
                        .endedNanos() > ingressKilled && "succeeded".equals(c.status())).count();
                long survivorAfterExecutorKill = all.stream().filter(c -> c.ingress() == 1 && c
                        .endedNanos() > executorKilled && "succeeded".equals(c.status())).count();
                List<Call> survivorProblems = all.stream().filter(c -> c.ingress() == 1
                        && !"succeeded".equals(c.status())).toList();
                long succeeded = all.stream().filter(c -> "succeeded".equals(c.status())).count();
                long lostWithIngress = all.stream().filter(c -> c.ingress() == 0 && "exception"
                        .equals(c.status())).count();
                long beforeKill = all.stream().filter(c -> c.endedNanos() <= ingressKilled
                        && "succeeded".equals(c.status())).count();
                long betweenKills = all.stream().filter(c -> c.endedNanos() > ingressKilled && c
                        .endedNanos() <= executorKilled && "succeeded".equals(c.status())).count();
                long afterKills = all.stream().filter(c -> c.endedNanos() > executorKilled
                        && "succeeded".equals(c.status())).count();
                long duplicates = answers.values().stream().mapToLong(l -> l.size() - 1L).sum();
                System.out.printf("SCALE ingress-kill: %d agents (MCP) over 2 ingress, %d"
                        + " installations; %d calls succeeded in %.1f s = %.1f calls/s;"
                        + " before the ingress kill %.1f calls/s (%d in %.1f s), between kills"
                        + " %.1f calls/s, after the executor kill %.1f calls/s; %d calls lost"
                        + " with the killed ingress (client errors); %d requests published, %d"
                        + " answered, %d repeated deliveries of an answer, %d audited completions%n",
                        agents.size(), INSTALLATIONS, succeeded, seconds(loadStart, loadEnd),
                        succeeded / seconds(loadStart, loadEnd), beforeKill / seconds(loadStart,
                                ingressKilled),
                        beforeKill, seconds(loadStart, ingressKilled), betweenKills / seconds(
                                ingressKilled, executorKilled),
                        afterKills / seconds(executorKilled, loadEnd), lostWithIngress, accepted
                                .size(),
                        answers.size(), duplicates, completionsAudited.values().stream()
                                .mapToInt(Integer::intValue).sum());

                assertThat(accepted).as("requests published").hasSizeGreaterThan(100);
                assertThat(answers.keySet()).as("requests with an answer on gateway.results")
                        .containsExactlyInAnyOrderElementsOf(accepted);
                // One final answer: one event (one event ID) per request. A killed executor's
                // successor may deliver that same event again from its completion record; those
                // repeats are counted above, and the audit store holds the event once.
                assertThat(answers).allSatisfy((id, list) -> {
                    assertThat(list.stream().map(a -> a.getMeta().getEventId()).distinct())
                            .as("distinct final answers to " + id).hasSize(1);
                    assertThat(list.get(0).getStatus().name()).as(id + ": " + list.get(0)
                            .getMessage()).isEqualTo("SUCCEEDED");
                });
                assertThat(completionsAudited.keySet()).as("requests with an audited completion")
                        .containsExactlyInAnyOrderElementsOf(accepted);
                assertThat(completionsAudited).allSatisfy((id, count) -> assertThat(count).as(
                        "audited completions of " + id).isEqualTo(1));
                assertThat(survivorProblems).as("calls of the surviving ingress's agents that"
                        + " did not succeed").isEmpty();
                assertThat(survivorAfterKill).as("calls through the surviving ingress after the"
                        + " other was killed").isGreaterThan(50);
                assertThat(survivorAfterExecutorKill).as("calls through the surviving ingress"
                        + " after an executor was killed").isGreaterThan(20);
                assertThat(all.stream().filter(c -> "succeeded".equals(c.status()) && c
                        .requestId() != null).map(Call::requestId)).as(
                                "every answer an agent got is of a published request")
                        .allMatch(accepted::contains);
            } finally {
                for (McpSyncClient agent : agents) {
                    try {
                        agent.closeGracefully();
                    } catch (RuntimeException ignored) {
                        // its ingress may be gone
                    }
                }
            }
        }
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    private static Map<String, String> executorEnv(SlowGitHub github, String group,
            String completionsUrl, PostgresTestDatabase database) throws Exception {
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
        env.put("TOLLGATE_GITHUB_INSTALLATIONS", RoleProcesses.staticInstallations(
                INSTALLATIONS));
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", key.toString());
        env.put("TOLLGATE_EXECUTOR_GROUP_ID", group);
        env.put("TOLLGATE_EXECUTOR_MINT_LIMIT_PER_AGENT", "10000");
        env.put("TOLLGATE_EXECUTOR_MINT_LIMIT_PER_INSTALLATION", "10000");
        env.put("TOLLGATE_INSTALLATIONS_SYNC_ON_START", "false");
        env.put("TOLLGATE_EXECUTOR_COMPLETIONS_JDBC_URL", completionsUrl);
        env.put("TOLLGATE_EXECUTOR_COMPLETIONS_USER", database.user());
        env.put("TOLLGATE_EXECUTOR_COMPLETIONS_PASSWORD", database.password());
        // a killed executor's partitions move on within seconds, not the default 45 s
        env.put("SPRING_KAFKA_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "10000");
        return env;
    }

    private String mint(int port, String agent) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/admin/tokens")).header("Authorization", "Bearer "
                        + ADMIN_KEY)
                .header("Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString("{\"agent\":\"" + agent
                                + "\",\"environment\":\"prod\",\"expires-in\":900}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("token").asString();
    }

    private static McpSyncClient connect(int port, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + port).endpoint("/mcp").requestBuilder(HttpRequest
                        .newBuilder().header("Authorization", "Bearer " + token))
                .jsonMapper(
                        new JacksonMcpJsonMapper(JSON))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(150))
                .initializationTimeout(Duration.ofSeconds(30)).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> call(McpSyncClient agent, String owner) {
        McpSchema.CallToolResult result = agent.callTool(McpSchema.CallToolRequest.builder(
                "get_file").arguments(Map.of("owner", owner, "repo", "app", "path", "f.txt"))
                .build());
        return (Map<String, Object>) result.structuredContent();
    }

    private static String requestId(org.apache.kafka.common.header.Headers headers,
            String fallback) {
        return TollgateHeaders.get(headers, TollgateHeaders.REQUEST_ID).orElse(fallback);
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaTestBroker broker, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(broker.consumerProps(
                KafkaTestBroker.uniqueName("ik-offsets")), new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    /** Reads {@code topic} from {@code from} up to its current end (committed records only). */
    private static <T extends org.apache.avro.specific.SpecificRecord> void readAll(
            KafkaTestBroker broker, String topic, Map<TopicPartition, Long> from, Class<T> type,
            java.util.function.Consumer<ConsumerRecord<String, T>> each) {
        Map<String, Object> props = new HashMap<>(broker.consumerProps(KafkaTestBroker
                .uniqueName("ik-read")));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Deserializer<T> values = new EventDeserializer<>(AvroSingleObjectCodec.shared(), type);
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props,
                new StringDeserializer(), values)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (from.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /** Waits until every accepted request has an answer, then a little longer for repeats. */
    private static Map<String, List<ToolCallCompleted>> awaitAnswers(KafkaTestBroker broker,
            Map<TopicPartition, Long> from, Set<String> accepted) throws Exception {
        Map<String, List<ToolCallCompleted>> answers = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            answers.clear();
            readAll(broker, Topics.RESULTS.name(), from, ToolCallCompleted.class, r -> {
                if (r.value() != null) {
                    answers.computeIfAbsent(requestId(r.headers(), r.value().getMeta()
                            .getRequestId()), k -> new ArrayList<>()).add(r.value());
                }
            });
            if (answers.keySet().containsAll(accepted)) {
                break;
            }
            Thread.sleep(1000);
        }
        Thread.sleep(3000); // a late repeat would show now
        answers.clear();
        readAll(broker, Topics.RESULTS.name(), from, ToolCallCompleted.class, r -> {
            if (r.value() != null) {
                answers.computeIfAbsent(requestId(r.headers(), r.value().getMeta()
                        .getRequestId()), k -> new ArrayList<>()).add(r.value());
            }
        });
        return answers;
    }

    /** ToolCallCompleted records per request in the audit store, once it holds them all. */
    private static Map<String, Integer> awaitAudited(PostgresTestDatabase database, String url,
            Set<String> accepted) throws Exception {
        Map<String, Integer> completed = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            completed.clear();
            try (var connection = java.sql.DriverManager.getConnection(url, database.user(),
                    database.password());
                    var statement = connection.prepareStatement(
                            "SELECT request_id, count(*) FROM audit_record WHERE event_type ="
                                    + " 'ToolCallCompleted' GROUP BY request_id")) {
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        completed.put(rows.getString(1), rows.getInt(2));
                    }
                }
            }
            if (completed.keySet().containsAll(accepted)) {
                Thread.sleep(2000);
                break;
            }
            Thread.sleep(1000);
        }
        completed.clear();
        try (var connection = java.sql.DriverManager.getConnection(url, database.user(),
                database.password());
                var statement = connection.prepareStatement(
                        "SELECT request_id, count(*) FROM audit_record WHERE event_type ="
                                + " 'ToolCallCompleted' GROUP BY request_id")) {
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    completed.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        // the sink also read what earlier tests left on the topics: count this run's only
        completed.keySet().retainAll(accepted);
        return completed;
    }
}
