package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.checkpoints.CheckpointKeys;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.launcher.LauncherOptions;
import dev.tollgate.launcher.TollgateLauncher;
import dev.tollgate.testsupport.TempDirs;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The standalone run under attack: every role, the embedded KRaft broker, the GitHub stand-in
 * (which verifies the App's JWTs and counts what reaches it), a policy with a few agents, and the
 * helpers an attacker and a bystander need. One run serves the whole suite (started on first use,
 * stopped when the test run ends); every attack leaves it usable for the next.
 */
public final class Standalone implements ExtensionContext.Store.CloseableResource {

    static final String ADMIN_KEY = "adversarial-admin-key-0123456789abcdef0123456789";
    static final String WEBHOOK_SECRET = "adversarial-webhook-secret-0123456789abcdef";
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The policy every attack runs against. */
    static final String POLICY = """
            version = 1

            [[grant]]
            name = "the canary reads acme/app"
            agents = ["canary"]
            repos = ["acme/app"]
            allow = ["read"]

            [[grant]]
            name = "the reader reads acme/app"
            agents = ["reader"]
            repos = ["acme/app"]
            allow = ["read"]

            [[grant]]
            name = "the writer pushes agent branches and opens drafts on acme/app"
            agents = ["writer"]
            repos = ["acme/app"]
            allow = ["read", "push-new-branch", "create-draft", "create_issue"]

            [[grant]]
            name = "the agents whose calls GitHub fails read acme/app"
            agents = ["noisy", "unlucky"]
            repos = ["acme/app"]
            allow = ["read"]

            [[grant]]
            name = "the agents calling through an outage or a burst read and file issues on acme/app"
            agents = ["outage-reader", "outage-writer", "patient-writer"]
            repos = ["acme/app"]
            allow = ["read", "create_issue"]

            [[grant]]
            name = "the reviewer reads pull request 42 only"
            agents = ["reviewer"]
            repos = ["acme/app"]
            allow = ["read"]
            pull-requests = [42]

            [[grant]]
            name = "the updater keeps its pull requests up to date on acme/app"
            agents = ["updater"]
            repos = ["acme/app"]
            allow = ["read", "push-new-branch"]

            [[deny]]
            name = "no secrets"
            paths = ["secrets/**"]
            reason = "secret files are read by humans only"

            [[deny]]
            name = "embargo"
            agents = ["updater"]
            branches = ["embargo*"]
            reason = "embargoed security fixes stay with the security team"
            """;

    private final Path data;
    private final GitHubStandIn github;
    private final TollgateLauncher tollgate;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path policy;
    private final Path checkpointPublicKey;

    private Standalone() throws IOException {
        data = TempDirs.create("tollgate-adversarial-");
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        GitHubStandIn.Repo app = github.repository("acme", "app", 7001);
        app.files.put("README.md", "hello");
        app.files.put("secrets/prod.env", "DATABASE_PASSWORD=hunter2");
        app.files.put("src/Main.java", "class Main {}");
        byte[] model = new byte[1_000_000]; // base64 in an answer: 1.33 MB, over Kafka's 1 MiB
        new java.util.Random(11).nextBytes(model);
        app.binaryFiles.put("models/weights.bin", model);
        github.repository("acme", "other", 7001).files.put("README.md", "not granted");
        Path key = TestApp.writeKeyFile(Files.createDirectories(data.resolve("keys")),
                "app-pkcs1.pem");
        policy = Files.writeString(data.resolve("policy.toml"), POLICY);
        KeyPair checkpoints = CheckpointKeys.generate();
        Path checkpointKey = Files.writeString(Files.createFile(data.resolve(
                "checkpoint-key.pem"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions
                        .fromString("rw-------"))),
                CheckpointKeys.pem(checkpoints.getPrivate()));
        checkpointPublicKey = Files.writeString(data.resolve("checkpoint-key.pub.pem"),
                CheckpointKeys.pem(checkpoints.getPublic()));
        tollgate = TollgateLauncher.start(LauncherOptions.parse(new String[]{"--data-dir", data
                .resolve("run").toString(), "--kafka-port", "0", "--server.port=0",
                "--tollgate.policy.file=" + policy, "--tollgate.github.app-id=" + TestApp.APP_ID,
                "--tollgate.github.private-key-file=" + key, "--tollgate.github.api-url=" + github
                        .apiUrlText(),
                "--tollgate.admin-key=" + ADMIN_KEY, "--tollgate.github.webhook-secret="
                        + WEBHOOK_SECRET,
                "--tollgate.audit.checkpoints.key-file="
                        + checkpointKey,
                "--tollgate.audit.checkpoints.interval=1s"},
                Map.of()));
    }

    /** Hands every test the one shared run. */
    public static final class Extension implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Standalone.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(Standalone.class, key -> {
                        try {
                            return new Standalone();
                        } catch (IOException e) {
                            throw new IllegalStateException("cannot start the standalone", e);
                        }
                    }, Standalone.class);
        }
    }

    @Override
    public void close() {
        tollgate.close();
        github.close();
    }

    GitHubStandIn github() {
        return github;
    }

    Path dataDir() {
        return data;
    }

    Path policy() {
        return policy;
    }

    /** The public half of the key the audit sink signs its checkpoints with (every second). */
    Path checkpointPublicKey() {
        return checkpointPublicKey;
    }

    /** The standalone's own data folder ({@code --data-dir}). */
    Path runDir() {
        return data.resolve("run");
    }

    String bootstrapServers() {
        return tollgate.bootstrapServers();
    }

    /** How {@code role}'s principal connects to the standalone's broker. */
    Map<String, Object> kafkaClientProperties(String role) {
        return tollgate.kafkaClientProperties(role);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + tollgate.httpPort();
    }

    /** A gateway token for {@code agent} in environment {@code dev}. */
    String mint(String agent) {
        HttpResponse<String> response = post("/admin/tokens", ADMIN_KEY, "{\"agent\":\"" + agent
                + "\",\"environment\":\"dev\",\"expires-in\":900}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("token").asString();
    }

    /** An MCP client of the agent holding {@code token}, initialized. */
    Agent agent(String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                baseUrl()).endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header(
                        "Authorization", "Bearer " + token))
                .jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(40))
                .initializationTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return new Agent(client);
    }

    /** An agent's MCP session. */
    record Agent(McpSyncClient client) implements AutoCloseable {

        /**
         * The final answer of a call: its answer, or, when that says pending, what
         * {@code get_request_status} says once it is final (up to {@code wait}).
         */
        Map<String, Object> settle(String tool, Map<String, Object> arguments, Duration wait)
                throws InterruptedException {
            Map<String, Object> answer = call(tool, arguments);
            long deadline = System.nanoTime() + wait.toNanos();
            while ("pending".equals(answer.get("status")) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                answer = call("get_request_status", Map.of("request_id", answer.get(
                        "request_id")));
            }
            return answer;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> call(String tool, Map<String, Object> arguments) {
            McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder(
                    tool).arguments(arguments).build());
            return (Map<String, Object>) result.structuredContent();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /**
     * The bystander: after an attack, an agent that did nothing wrong still gets its file. Each
     * attack ends with this.
     */
    void assertTheCanaryIsStillAnswered() {
        try (Agent canary = agent(mint("canary"))) {
            Map<String, Object> answer = canary.call("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", "README.md"));
            assertThat(answer.get("status")).as("the canary after the attack: %s", answer)
                    .isEqualTo("succeeded");
        }
    }

    HttpResponse<String> post(String path, String bearer, String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Content-Type",
                "application/json").header("Authorization", "Bearer " + bearer).POST(
                        HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * A POST sent from {@code fromAddress} (any loopback address, 127.0.0.2 for an attacker whose
     * throttling must not touch the other tests, all of which come from 127.0.0.1), on a
     * connection of its own; the answer's status line and body.
     */
    RawAnswer postFrom(String fromAddress, String path, String bearer, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + tollgate.httpPort()
                + "\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/json\r\nAccept: application/json, "
                + "text/event-stream\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(fromAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", tollgate.httpPort()),
                    10_000);
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(head.getBytes(
                    StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            String text = new String(socket.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new RawAnswer(status, split < 0 ? "" : text.substring(split + 4), text);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the gateway did not answer " + path + " from "
                    + fromAddress + ": " + e, e);
        }
    }

    /** A raw HTTP answer: the status, the body (chunked or not, as sent) and the whole text. */
    record RawAnswer(int status, String body, String text) {
    }

    /** A raw JSON-RPC message to /mcp, as a hand-written client would send it. */
    HttpResponse<String> mcp(String bearer, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp"))
                .header("Content-Type", "application/json").header("Accept",
                        "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(request::header);
        return send(request);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the gateway did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Records written so far to {@code topic}, all partitions together. */
    long recordsOn(String topic) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties());
        try (Admin admin = Admin.create(props)) {
            Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic).partitions().stream().map(
                            p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors
                            .toSet());
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p,
                    p -> OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot count the records on " + topic + ": " + e, e);
        }
    }

    /**
     * How a trusted client of the standalone's broker connects: as the broker's own principal,
     * the one that reads every topic (what an operator's tool would use). The broker takes no
     * client without a principal (OnlyTollgatesOwnRolesSpeakOnItsTopicsTest).
     */
    Map<String, Object> kafkaClientProperties() {
        return kafkaClientProperties("broker");
    }

    /** The answer's JSON, for a reader of a raw response. */
    static JsonNode json(String text) {
        return JSON.readTree(text);
    }
}
