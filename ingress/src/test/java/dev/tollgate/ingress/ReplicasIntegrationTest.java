package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Several ingress replicas (separate Spring contexts) on one cluster. The tests that only call
 * two running replicas share them (on reply partitions 1 and 2, started once for the class:
 * starting a replica is most of such a test's time), each with agents of its own; the ones that
 * stop, restart or start a replica start their own, on partitions of their own (3, 4, 5).
 */
@WithKafka
class ReplicasIntegrationTest {

    private static final String PREFIX = "replicas-it-";
    private static TestResponder responder;
    /** The shared replicas by reply partition, started on first use, closed after the class. */
    private static final Map<Integer, ConfigurableApplicationContext> SHARED = new TreeMap<>();
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @BeforeAll
    static void start() {
        KafkaProbe.provisionTopics();
        responder = new TestResponder(PREFIX);
    }

    @AfterAll
    static void stop() {
        SHARED.values().forEach(ConfigurableApplicationContext::close);
        SHARED.clear();
        responder.close();
    }

    @AfterEach
    void closeReplicas() {
        replicas.forEach(ConfigurableApplicationContext::close);
    }

    /** The port of the shared replica on {@code replyPartition} (1 or 2), started if need be. */
    private static int shared(int replyPartition) {
        assertThat(replyPartition).as("the shared replicas' reply partitions").isBetween(1, 2);
        return port(SHARED.computeIfAbsent(replyPartition, partition -> newReplica(partition)));
    }

    /** A replica of this test only, closed after it. */
    private ConfigurableApplicationContext replica(int replyPartition, String... more) {
        ConfigurableApplicationContext context = newReplica(replyPartition, more);
        replicas.add(context);
        return context;
    }

    private static ConfigurableApplicationContext newReplica(int replyPartition, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--" + TestConfig.ADMIN_KEY_PROPERTY, "--" + TestConfig.SIGNING_KEY_PROPERTY,
                "--" + TestConfig.STATE_DIR_PROPERTY,
                "--tollgate.ingress.reply-partition=" + replyPartition,
                "--spring.kafka.bootstrap-servers=" + KafkaTestBroker.get().bootstrapServers()));
        // 3 s unless the test gives its own (a key given twice would read as "3s,1s")
        if (java.util.Arrays.stream(more).noneMatch(arg -> arg.startsWith(
                "--tollgate.ingress.reply-timeout="))) {
            args.add("--tollgate.ingress.reply-timeout=3s");
        }
        args.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(
                IngressApplication.class).properties(IngressApplication.defaults()).run(args
                        .toArray(String[]::new));
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    private static String mint(int port, String agent) {
        return HttpCalls.mint("http://127.0.0.1:" + port, agent);
    }

    /**
     * A token minted over a connection closed right after: the tests' shared HTTP client keeps
     * its connection to the replica open and idle (until its own keep-alive timeout, about 30 s),
     * and a drain rightly serves every open connection for its grace, so that one would decide
     * when the replica's close ends.
     */
    private static String mintLeavingNoConnection(int port, String agent) throws Exception {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            HttpResponse<String> minted = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/admin/tokens")).header(
                            "Authorization", "Bearer " + TestConfig.ADMIN_KEY)
                    .header(
                            "Content-Type", "application/json")
                    .POST(
                            java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"agent\": \"" + agent
                                            + "\", \"environment\": \"ci\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
            return (String) HttpCalls.json(minted).get("token");
        }
    }

    private static Map<String, Object> readRepo(int port, String token, String repo) {
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();
            return McpClients.structured(McpClients.call(client, "read_repo", Map.of("owner",
                    "octo", "repo", repo)));
        }
    }

    @Test
    void eachReplicaGetsTheAnswersToItsOwnCalls() {
        int a = shared(1);
        int b = shared(2);
        String tokenA = mint(a, KafkaTestBroker.uniqueName(PREFIX + "a"));
        String tokenB = mint(b, KafkaTestBroker.uniqueName(PREFIX + "b"));

        List<CompletableFuture<Map<String, Object>>> calls = new ArrayList<>();
        // not the common pool: on 2 cores it has one thread, which the HTTP client also needs
        ExecutorService agents = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 4; i++) {
            String repo = "repo" + i;
            calls.add(CompletableFuture.supplyAsync(() -> readRepo(a, tokenA, repo), agents));
            calls.add(CompletableFuture.supplyAsync(() -> readRepo(b, tokenB, repo), agents));
        }
        agents.shutdown();

        for (int i = 0; i < calls.size(); i++) {
            Map<String, Object> answer = calls.get(i).join();
            int expectedPartition = i % 2 == 0 ? 1 : 2;
            assertThat(answer).as("call %d", i).containsEntry("status", "succeeded");
            assertThat(((Map<?, ?>) answer.get("result")).get("echo")).isEqualTo(answer.get(
                    "request_id"));
            assertThat(((Map<?, ?>) answer.get("result")).get("partition")).isEqualTo(
                    expectedPartition);
        }
    }

    private static Map<String, Object> requestStatus(int port, String token,
            String requestId) {
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();
            return McpClients.structured(McpClients.call(client, "get_request_status", Map.of(
                    "request_id", requestId)));
        }
    }

    @Test
    void getRequestStatusAnswersOnAnyReplicaAndOnlyToTheAgentThatAsked() throws Exception {
        int a = shared(1);
        int b = shared(2);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "anywhere");
        responder.hold(agent);
        String token = mint(a, agent);
        String stranger = mint(b, KafkaTestBroker.uniqueName(PREFIX + "stranger"));
        Map<String, Object> pending = readRepo(a, token, "slow");
        assertThat(pending).containsEntry("status", "pending");
        String requestId = (String) pending.get("request_id");

        Map<String, Object> pendingOnB = requestStatus(b, token, requestId);
        Map<String, Object> strangerWhilePending = requestStatus(b, stranger, requestId);
        assertThat(responder.release(requestId)).isTrue();
        Map<String, Object> answer = Map.of();
        for (int attempt = 0; attempt < 100
                && !"succeeded".equals(answer.get("status")); attempt++) {
            Thread.sleep(100);
            answer = requestStatus(b, token, requestId);
        }
        Map<String, Object> strangerWhenAnswered = requestStatus(b, stranger, requestId);

        assertThat(pendingOnB).containsEntry("status", "pending");
        assertThat(answer).as("last answer of replica B").containsEntry("status", "succeeded")
                .containsEntry("request_id", requestId);
        assertThat(((Map<?, ?>) answer.get("result")).get("partition")).as(
                "answered on replica A's partition").isEqualTo(1);
        assertThat(strangerWhilePending).containsEntry("status", "unknown");
        assertThat(strangerWhenAnswered).containsEntry("status", "unknown");
    }

    @Test
    void anAnswerJustGivenOnOneReplicaIsKnownAtOnceOnTheOther() {
        int a = shared(1);
        int b = shared(2);
        String token = mint(a, KafkaTestBroker.uniqueName(PREFIX + "at-once"));

        for (int i = 0; i < 5; i++) {
            Map<String, Object> answered = readRepo(a, token, "repo" + i);
            Map<String, Object> onB = requestStatus(b, token, (String) answered.get(
                    "request_id"));

            assertThat(answered).containsEntry("status", "succeeded");
            assertThat(onB).as("call %d", i).isEqualTo(answered);
        }
    }

    @Test
    void shutdownClosesTheListenerServesOpenConnectionsAndLetsTheCallInFlightFinish()
            throws Exception {
        ConfigurableApplicationContext replica = replica(4, "--tollgate.ingress.drain-grace=2s");
        int port = port(replica);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "draining");
        responder.hold(agent);
        String token = mint(port, agent);
        ExecutorService background = Executors.newFixedThreadPool(2);
        try (McpSyncClient client = McpClients.connect(port, token);
                java.net.Socket open = new java.net.Socket(java.net.InetAddress
                        .getLoopbackAddress(), port)) {
            client.initialize();
            java.util.concurrent.Future<McpSchema.CallToolResult> inFlight = background.submit(
                    () -> McpClients.call(client, "read_repo", Map.of("owner", "octo", "repo",
                            "slow")));
            while (KafkaProbe.readAll(dev.tollgate.schemas.Topics.REQUESTS).stream().noneMatch(
                    record -> record.value().getAgentId().equals(agent))) {
                Thread.sleep(50);
            }

            java.util.concurrent.Future<?> closing = background.submit(replica::close);
            int accepted = 0;
            while (connects(port)) { // until the listener is closed
                accepted++;
                assertThat(accepted).as("connections still accepted after close()").isLessThan(
                        600);
                Thread.sleep(50);
            }
            String served = statusDown(open, port, token);

            assertThat(served).as("a request on a connection opened before the drain")
                    .startsWith("HTTP/1.1 200").containsIgnoringCase("Connection: close")
                    .contains("\"agent\":\"" + agent + "\"");
            Map<String, Object> answer = McpClients.structured(inFlight.get(60,
                    java.util.concurrent.TimeUnit.SECONDS));
            assertThat(answer).containsEntry("status", "pending").containsKey("request_id");
            closing.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            background.shutdownNow();
        }
        assertThat(replica.isActive()).isFalse();
    }

    /**
     * No call in flight: only an idle keep-alive connection (a proxy's) holds the drain, for its
     * grace, and a request sent down it after the listener closed is served. Before, the drain
     * asked Tomcat's connection count, which reads -1 once the listener is closed, so it never
     * waited: the web server stopped at once and closed such connections under requests being
     * sent (nginx answered one with 502 in a CI run of NginxRoundRobinIntegrationTest).
     */
    @Test
    void shutdownServesAnIdleConnectionForItsGraceWithNoCallInFlight() throws Exception {
        ConfigurableApplicationContext replica = replica(5, "--tollgate.ingress.drain-grace=60s");
        int port = port(replica);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "idle");
        String token = mintLeavingNoConnection(port, agent);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (java.net.Socket open = new java.net.Socket(java.net.InetAddress
                .getLoopbackAddress(), port)) {
            open.setSoTimeout(60_000); // a server that never answers nor closes: a clear failure
            java.util.concurrent.Future<?> closing = background.submit(replica::close);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (connects(port)) { // until the listener is closed
                assertThat(System.nanoTime() - deadline).as("connections still accepted 30 s "
                        + "after close()").isNegative();
                Thread.sleep(50);
            }
            // long enough for a web server that did not wait to have stopped and closed it
            Thread.sleep(2_000);
            assertThat(closing).as("the replica's close while an idle connection is open and "
                    + "its grace (60 s) lasts").isNotDone();
            String served = statusDown(open, port, token);

            assertThat(served).as("a request on the idle connection after the listener closed")
                    .startsWith("HTTP/1.1 200").containsIgnoringCase("Connection: close")
                    .contains("\"agent\":\"" + agent + "\"");
            closing.get(30, java.util.concurrent.TimeUnit.SECONDS); // long before the grace
        } finally {
            background.shutdownNow();
        }
        assertThat(replica.isActive()).isFalse();
    }

    /**
     * A {@code status} tool call written by hand down an open connection, and everything the
     * server sends back until it closes the connection.
     */
    private static String statusDown(java.net.Socket open, int port, String token)
            throws java.io.IOException {
        String status = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"status\"}}";
        java.io.OutputStream out = open.getOutputStream();
        out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: "
                + "Bearer " + token + "\r\nContent-Type: application/json\r\nAccept: "
                + "application/json, text/event-stream\r\nContent-Length: " + status.length()
                + "\r\n\r\n" + status).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        return new String(open.getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8); // to the end: the server closes it
    }

    private static boolean connects(int port) {
        try (java.net.Socket probe = new java.net.Socket()) {
            probe.connect(new java.net.InetSocketAddress(java.net.InetAddress
                    .getLoopbackAddress(), port), 1_000);
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    @Test
    void aRevocationOnOneReplicaReachesTheOthers() throws Exception {
        int a = shared(1);
        int b = shared(2);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "revoked");
        String token = mint(a, agent);
        try (McpSyncClient client = McpClients.connect(b, token)) {
            client.initialize();
        }

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + a
                + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent
                        + "\"}");

        assertThat(revoked.statusCode()).isEqualTo(200);
        int status = 0;
        for (int attempt = 0; attempt < 100 && status != 401; attempt++) {
            Thread.sleep(100);
            status = HttpCalls.post("http://127.0.0.1:" + b + "/mcp", token, "{}", Map.of(
                    "Accept", "application/json, text/event-stream")).statusCode();
        }
        assertThat(status).isEqualTo(401);
    }

    /** What /mcp on {@code port} answers {@code token}: 401 refused, 400 past the door. */
    private static int mcpStatus(int port, String token) {
        return HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token, "{}", Map.of("Accept",
                "application/json, text/event-stream")).statusCode();
    }

    /** Waits (up to 60 s) until /mcp on {@code port} refuses {@code token}; the last status. */
    private static int awaitRefused(int port, String token) throws InterruptedException {
        int status = mcpStatus(port, token);
        for (int attempt = 0; attempt < 600 && status != 401; attempt++) {
            Thread.sleep(100);
            status = mcpStatus(port, token);
        }
        return status;
    }

    @Test
    void aRevocationInOneEnvironmentReachesTheOtherReplicasForThatEnvironmentOnly()
            throws Exception {
        int a = shared(1);
        int b = shared(2);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "deployer");
        String prod = HttpCalls.mint("http://127.0.0.1:" + a, agent, "prod");
        String scratch = HttpCalls.mint("http://127.0.0.1:" + a, agent, "scratch");
        assertThat(mcpStatus(b, prod)).isEqualTo(400);
        assertThat(mcpStatus(b, scratch)).isEqualTo(400);

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + a
                + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent
                        + "\", \"environment\": \"prod\"}");

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(awaitRefused(b, prod)).as("prod's token on the other replica, within 60 s")
                .isEqualTo(401);
        assertThat(mcpStatus(b, scratch)).as("scratch's token on the other replica, after it"
                + " applied the revocation").isEqualTo(400);
        int started = port(replica(4));
        assertThat(awaitRefused(started, prod)).as("prod's token on a replica started after")
                .isEqualTo(401);
        assertThat(mcpStatus(started, scratch)).as("scratch's token on a replica started after")
                .isEqualTo(400);
    }

    @Test
    void aRevocationRecordWithoutAnEnvironmentStillRevokesTheAgentInEveryEnvironment()
            throws Exception {
        int a = shared(1);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "old");
        String prod = HttpCalls.mint("http://127.0.0.1:" + a, agent, "prod");
        String scratch = HttpCalls.mint("http://127.0.0.1:" + a, agent, "scratch");
        assertThat(mcpStatus(a, prod)).isEqualTo(400);
        // as an ingress wrote it before revocations could name an environment
        AgentTokenChanged old = AgentTokenChanged.newBuilder().setMeta(EventMetas.create(
                Roles.INGRESS, null, Clock.systemUTC())).setAction(AgentTokenAction.REVOKED)
                .setAgentId(agent).setTokenId(null).setExpiresAt(Instant.now().plusSeconds(1))
                .setActor("admin").build();
        try (KafkaProducer<String, AgentTokenChanged> producer = new KafkaProducer<>(
                KafkaTestBroker.get().producerProps(), Topics.AGENT_TOKENS.keySerde()
                        .serializer(),
                Topics.AGENT_TOKENS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.AGENT_TOKENS.name(), "agent:" + agent, old))
                    .get(30, TimeUnit.SECONDS);
        }

        assertThat(awaitRefused(a, prod)).as("prod's token, within 60 s").isEqualTo(401);
        assertThat(awaitRefused(a, scratch)).as("scratch's token, within 60 s").isEqualTo(401);
    }

    @Test
    void aRestartedReplicaStillAnswersGetRequestStatusAndRefusesRevokedTokens()
            throws Exception {
        // its one call is held, so answered pending: after 500 ms rather than the usual 3 s
        ConfigurableApplicationContext first = replica(3, "--tollgate.ingress.reply-timeout=500ms");
        int port = port(first);
        String agent = KafkaTestBroker.uniqueName(PREFIX + "restart");
        responder.hold(agent);
        String token = mint(port, agent);
        String revokedAgent = KafkaTestBroker.uniqueName(PREFIX + "gone");
        String revokedToken = mint(port, revokedAgent);
        HttpCalls.post("http://127.0.0.1:" + port + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + revokedAgent + "\"}");
        Map<String, Object> pending = readRepo(port, token, "slow");
        assertThat(pending).containsEntry("status", "pending");
        String requestId = (String) pending.get("request_id");

        first.close();
        assertThat(responder.release(requestId)).isTrue();
        int restarted = port(replica(3));

        Map<String, Object> answer = Map.of();
        try (McpSyncClient client = McpClients.connect(restarted, token)) {
            client.initialize();
            for (int attempt = 0; attempt < 100
                    && !"succeeded".equals(answer.get("status")); attempt++) {
                Thread.sleep(100);
                McpSchema.CallToolResult result = McpClients.call(client, "get_request_status",
                        Map.of("request_id", requestId));
                answer = McpClients.structured(result);
            }
        }
        assertThat(answer).containsEntry("status", "succeeded").containsEntry("request_id",
                requestId);
        assertThat(HttpCalls.post("http://127.0.0.1:" + restarted + "/mcp", revokedToken, "{}",
                Map.of()).statusCode()).isEqualTo(401);
    }
}
