package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.ToolCatalogue;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

@SuppressWarnings("unchecked")
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.reply-timeout=3s", "tollgate.ingress.max-request-bytes=20000",
        "tollgate.ingress.allowed-origins=https://console.example"})
class McpEndpointIntegrationTest {

    private static final String PREFIX = "mcp-it-";
    private static TestResponder responder;

    @LocalServerPort
    int port;

    @BeforeAll
    static void start() {
        KafkaProbe.provisionTopics();
        responder = new TestResponder(PREFIX);
    }

    @AfterAll
    static void stop() {
        responder.close();
    }

    private String mcpUrl() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    private String mint(String agent) {
        return HttpCalls.mint("http://127.0.0.1:" + port, agent);
    }

    private static String agent() {
        return KafkaTestBroker.uniqueName(PREFIX + "agent");
    }

    private static List<ConsumerRecord<String, ToolCallRequested>> requestsOf(String agent) {
        return KafkaProbe.readAll(Topics.REQUESTS).stream().filter(record -> record.value()
                .getAgentId().equals(agent)).toList();
    }

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
            + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

    private HttpResponse<String> rawPost(String token, String body, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("Accept",
                "application/json, text/event-stream"));
        all.putAll(headers);
        return HttpCalls.post(mcpUrl(), token, body, all);
    }

    private static void assertNoJavaInternals(HttpResponse<String> response) {
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("stackTrace")
                .doesNotContain("\tat ").doesNotContain("io.modelcontextprotocol");
    }

    @Test
    void everyToolIsListedAsItsSnapshotSays() throws Exception {
        try (McpSyncClient client = McpClients.connect(port, mint(agent()))) {
            client.initialize();

            List<McpSchema.Tool> tools = client.listTools().tools();

            assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyElementsOf(
                    ToolCatalogue.standard().names());
            for (McpSchema.Tool tool : tools) {
                // the tools module's snapshot test pins each descriptor; the client sees it whole
                JsonMapper json = JsonMapper.builder().build();
                assertThat(json.readTree(McpClients.MAPPER.writeValueAsString(tool))).as(tool
                        .name()).isEqualTo(json.readTree(
                                json.writeValueAsString(ToolCatalogue
                                        .standard().byName(tool.name()).orElseThrow()
                                        .descriptor())));
            }
        }
    }

    @Test
    void negotiatesBothCurrentProtocolVersions() {
        for (String version : List.of("2025-06-18", "2025-11-25")) {
            try (McpSyncClient client = McpClients.connect(port, mint(agent()), List.of(
                    version))) {
                McpSchema.InitializeResult result = client.initialize();

                assertThat(result.protocolVersion()).isEqualTo(version);
                assertThat(result.serverInfo().name()).isEqualTo("tollgate");
            }
        }
    }

    @Test
    void statusIsAnsweredLocallyWithTheCallersIdentity() {
        String agent = agent();
        try (McpSyncClient client = McpClients.connect(port, mint(agent))) {
            client.initialize();

            McpSchema.CallToolResult result = McpClients.call(client, "status", Map.of());

            assertThat(result.isError()).isFalse();
            Map<String, Object> status = McpClients.structured(result);
            assertThat(status).containsEntry("agent", agent).containsEntry("environment", "ci");
            assertThat((List<?>) status.get("tools")).isEqualTo(ToolCatalogue.standard().names());
            assertThat((Map<String, Object>) status.get("gateway")).containsEntry("health", "ok")
                    .containsEntry("reply_partition", 0);
        }
        assertThat(requestsOf(agent)).isEmpty();
    }

    @Test
    void aToolCallTravelsOverKafkaAndItsAnswerComesBack() {
        String agent = agent();
        try (McpSyncClient client = McpClients.connect(port, mint(agent))) {
            client.initialize();

            McpSchema.CallToolResult result = McpClients.call(client, "get_file", Map.of("owner",
                    "Octo-Org", "repo", "Hello.World", "path", "src/App.java"));

            assertThat(result.isError()).as(result.toString()).isFalse();
            Map<String, Object> answer = McpClients.structured(result);
            assertThat(answer).containsEntry("status", "succeeded");
            String requestId = (String) answer.get("request_id");
            assertThat((Map<String, Object>) answer.get("result")).containsEntry("echo", requestId)
                    .containsEntry("partition", 0);
            List<ConsumerRecord<String, ToolCallRequested>> published = requestsOf(agent);
            assertThat(published).hasSize(1);
            ConsumerRecord<String, ToolCallRequested> record = published.get(0);
            assertThat(record.key()).isEqualTo(requestId);
            assertThat(TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID))
                    .contains(requestId);
            assertThat(TollgateHeaders.get(record.headers(), TollgateHeaders.REPLY_TOPIC))
                    .contains("gateway.replies");
            assertThat(TollgateHeaders.getInt(record.headers(), TollgateHeaders.REPLY_PARTITION))
                    .contains(0);
            assertThat(TollgateHeaders.get(record.headers(), TollgateHeaders.TRACEPARENT)
                    .orElseThrow()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            ToolCallRequested request = record.value();
            assertThat(request.getMeta().getRequestId()).isEqualTo(requestId);
            assertThat(request.getTool()).isEqualTo("get_file");
            assertThat(request.getEnvironment()).isEqualTo("ci");
            assertThat(request.getGatewayTokenId()).isNotBlank();
            assertThat(request.getResource().getOwner()).isEqualTo("octo-org");
            assertThat(request.getResource().getRepo()).isEqualTo("hello.world");
            assertThat(request.getResource().getPath()).isEqualTo("src/App.java");
            assertThat(request.getArgumentsJson()).isEqualTo("{\"owner\":\"octo-org\",\"path\":"
                    + "\"src/App.java\",\"repo\":\"hello.world\"}");
            assertThat(request.getDeadlineAt()).isAfter(request.getMeta().getOccurredAt());
        }
    }

    @Test
    void aDenialReachesTheAgentAsAnErrorWithItsReason() {
        try (McpSyncClient client = McpClients.connect(port, mint(agent()))) {
            client.initialize();

            McpSchema.CallToolResult result = McpClients.call(client, "create_issue", Map.of(
                    "owner", "octo", "repo", "hello", "title", "bug"));

            assertThat(result.isError()).isTrue();
            assertThat(McpClients.structured(result)).containsEntry("status", "denied")
                    .containsEntry("error_code", "denied_by_policy")
                    .containsEntry("message", "no grant allows create_issue on this repository")
                    .containsEntry("policy_version", "test-policy");
        }
    }

    @Test
    void aSlowCallIsReportedPendingAndItsAnswerIsFetchedLater() throws Exception {
        String agent = agent();
        responder.hold(agent);
        try (McpSyncClient client = McpClients.connect(port, mint(agent))) {
            client.initialize();

            McpSchema.CallToolResult pending = McpClients.call(client, "read_repo", Map.of(
                    "owner", "octo", "repo", "hello"));

            assertThat(pending.isError()).isFalse();
            Map<String, Object> notice = McpClients.structured(pending);
            assertThat(notice).containsEntry("status", "pending");
            String requestId = (String) notice.get("request_id");
            McpSchema.CallToolResult stillPending = McpClients.call(client, "get_request_status",
                    Map.of("request_id", requestId));
            assertThat(McpClients.structured(stillPending)).containsEntry("status", "pending");

            assertThat(responder.release(requestId)).isTrue();

            Map<String, Object> answer = Map.of();
            for (int attempt = 0; attempt < 100
                    && !"succeeded".equals(answer.get("status")); attempt++) {
                Thread.sleep(100);
                answer = McpClients.structured(McpClients.call(client, "get_request_status", Map
                        .of("request_id", requestId)));
            }
            assertThat(answer).containsEntry("status", "succeeded").containsEntry("request_id",
                    requestId);
            assertThat((Map<String, Object>) answer.get("result")).containsEntry("echo", requestId);
        }
    }

    @Test
    void anotherAgentCannotReadAnAnswer() throws Exception {
        String owner = agent();
        String requestId;
        try (McpSyncClient client = McpClients.connect(port, mint(owner))) {
            client.initialize();
            requestId = (String) McpClients.structured(McpClients.call(client, "read_repo", Map
                    .of("owner", "octo", "repo", "hello"))).get("request_id");
        }
        try (McpSyncClient other = McpClients.connect(port, mint(agent()))) {
            other.initialize();

            McpSchema.CallToolResult result = McpClients.call(other, "get_request_status", Map.of(
                    "request_id", requestId));

            assertThat(result.isError()).isTrue();
            assertThat(McpClients.structured(result)).containsEntry("status", "unknown");
        }
    }

    /**
     * An issuer whose agent claim leaves the environment out gives the same agent ID in two
     * environments (here minted by the admin for both): the answer of prod's call must not be
     * readable with scratch's token, request ID in hand.
     */
    @Test
    void theSameAgentIdInAnotherEnvironmentCannotReadAnAnswer() throws Exception {
        String agent = agent();
        String base = "http://127.0.0.1:" + port;
        Map<String, Object> prodAnswer;
        try (McpSyncClient prod = McpClients.connect(port, HttpCalls.mint(base, agent,
                "prod"))) {
            prod.initialize();
            prodAnswer = McpClients.structured(McpClients.call(prod, "read_repo", Map.of(
                    "owner", "octo", "repo", "hello")));
        }
        String requestId = (String) prodAnswer.get("request_id");
        assertThat(prodAnswer).as("prod's own call").containsEntry("status", "succeeded");

        try (McpSyncClient scratch = McpClients.connect(port, HttpCalls.mint(base, agent,
                "scratch"))) {
            scratch.initialize();

            McpSchema.CallToolResult result = McpClients.call(scratch, "get_request_status", Map
                    .of("request_id", requestId));

            assertThat(result.isError()).isTrue();
            assertThat(McpClients.structured(result)).as("prod's answer asked from scratch")
                    .containsEntry("status", "unknown").doesNotContainKey("result");
        }
        try (McpSyncClient prod = McpClients.connect(port, HttpCalls.mint(base, agent,
                "prod"))) {
            prod.initialize();

            Map<String, Object> again = McpClients.structured(McpClients.call(prod,
                    "get_request_status", Map.of("request_id", requestId)));

            assertThat(again).as("prod still reads its own answer").containsEntry("status",
                    "succeeded");
        }
    }

    @Test
    void refusesMissingForgedUnsignedExpiredAndRevokedTokens() throws Exception {
        String agent = agent();
        String revoked = mint(agent);
        HttpCalls.post("http://127.0.0.1:" + port + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent + "\"}");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("forged", sign("another-key-0123456789abcdef0123456789", Instant.now()
                .plusSeconds(600), agent));
        cases.put("alg=none", b64("{\"alg\":\"none\"}") + "." + b64("{\"iss\":\"tollgate\","
                + "\"aud\":\"tollgate-mcp\",\"sub\":\"" + agent + "\",\"env\":\"ci\",\"jti\":\"x\","
                + "\"iat\":" + Instant.now().getEpochSecond() + ",\"exp\":" + (Instant.now()
                        .getEpochSecond() + 600)
                + "}") + ".");
        cases.put("expired", sign(TestConfig.SIGNING_KEY, Instant.now().minusSeconds(5), agent));
        cases.put("revoked", revoked);

        HttpResponse<String> missing = rawPost(null, INITIALIZE, Map.of());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains(
                "Bearer realm=\"tollgate\"");
        for (Map.Entry<String, String> token : cases.entrySet()) {
            HttpResponse<String> response = rawPost(token.getValue(), INITIALIZE, Map.of());

            assertThat(response.statusCode()).as(token.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).as(token
                    .getKey()).startsWith("Bearer realm=\"tollgate\", error=\"invalid_token\"");
            assertNoJavaInternals(response);
        }
        try (McpSyncClient client = McpClients.connect(port, revoked)) {
            assertThatThrownBy(client::initialize).isInstanceOf(RuntimeException.class);
        }
        assertThat(requestsOf(agent)).isEmpty();
    }

    @Test
    void refusesBadInputWithClearErrorsAndPublishesNothing() {
        String agent = agent();
        String token = mint(agent);
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();

            assertThatThrownBy(() -> McpClients.call(client, "delete_repo", Map.of("owner", "o",
                    "repo", "r"))).hasMessageContaining("Unknown tool 'delete_repo'");
            assertRefused(client, "get_file", Map.of("owner", 7, "repo", "r", "path", "a"),
                    "owner", "'owner' must be a string, got number");
            assertRefused(client, "get_file", Map.of("owner", "o", "repo", "r"), "path",
                    "'path' is required");
            assertRefused(client, "get_file", Map.of("owner", "o", "repo", "r", "path",
                    "../../etc/passwd"), "path", "no path traversal");
            assertRefused(client, "get_file", Map.of("owner", "o", "repo", "r", "path",
                    "/etc/passwd"), "path", "relative to the repository root");
            assertRefused(client, "get_file", Map.of("owner", "o", "repo", "r", "path",
                    "a%2e%2e%2fb"), "path", "percent-encoded");
            assertRefused(client, "get_file", Map.of("owner", "o", "repo", "r", "path",
                    "a\u0000b"), "path", "NUL");
            assertRefused(client, "get_file", Map.of("owner", "-bad-", "repo", "r", "path", "a"),
                    "owner", "not a valid GitHub owner");
            assertRefused(client, "read_repo", Map.of("owner", "o", "repo", ".."), "repo",
                    "not a valid GitHub repository name");
            assertRefused(client, "push_files", Map.of("owner", "o", "repo", "r", "branch",
                    "main", "message", "m", "files", List.of(Map.of("path", "a", "content",
                            "x"))),
                    "branch", "starting with 'agent-'");
            assertRefused(client, "github_api_get", Map.of("path", "/user/repos"), "path",
                    "/repos/{owner}/{repo}");
        }

        HttpResponse<String> notJson = rawPost(token, "{\"jsonrpc\":", Map.of());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("-32700");
        assertNoJavaInternals(notJson);
        HttpResponse<String> batch = rawPost(token, "[" + INITIALIZE + "]", Map.of());
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(batch.body()).contains("-32600").contains("batches");
        HttpResponse<String> noVersion = rawPost(token, "{\"id\":1,\"method\":\"tools/list\"}",
                Map.of());
        assertThat(noVersion.body()).contains("'jsonrpc' must be");
        HttpResponse<String> nullId = rawPost(token, "{\"jsonrpc\":\"2.0\",\"id\":null,"
                + "\"method\":\"tools/list\"}", Map.of());
        assertThat(nullId.statusCode()).isEqualTo(400);
        assertThat(nullId.body()).contains("MCP forbids null");
        HttpResponse<String> huge = rawPost(token, INITIALIZE.replace("\"raw\"", "\"" + "x"
                .repeat(30_000) + "\""), Map.of());
        assertThat(huge.statusCode()).isEqualTo(413);
        assertNoJavaInternals(huge);
        HttpResponse<String> evilOrigin = rawPost(token, INITIALIZE, Map.of("Origin",
                "http://evil.example"));
        assertThat(evilOrigin.statusCode()).isEqualTo(403);
        assertThat(evilOrigin.body()).contains("Origin 'http://evil.example' is not allowed");

        assertThat(requestsOf(agent)).as("nothing published for refused calls").isEmpty();
    }

    @Test
    void aBodyDeclaredOverTheBoundIsRefusedUnreadEvenWithoutAToken() {
        RawHttp.Answer answer = RawHttp.exchange(null, port, "POST /mcp HTTP/1.1\r\nHost:"
                + " 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\nAccept:"
                + " application/json, text/event-stream\r\nContent-Length: 100000000"
                + "\r\nConnection: close", new byte[0], 20);

        assertThat(answer.status()).as(answer.text()).isEqualTo(413);
        assertThat(answer.body()).contains("tollgate.ingress.max-request-bytes");
    }

    @Test
    void acceptsConfiguredAndLoopbackOrigins() {
        String token = mint(agent());

        HttpResponse<String> configured = rawPost(token, INITIALIZE, Map.of("Origin",
                "https://console.example"));
        HttpResponse<String> loopback = rawPost(token, INITIALIZE, Map.of("Origin",
                "http://localhost:6274"));

        assertThat(configured.statusCode()).isEqualTo(200);
        assertThat(loopback.statusCode()).isEqualTo(200);
    }

    @Test
    void transportErrorsCarryNoJavaException() {
        String token = mint(agent());

        HttpResponse<String> stream = send("GET", token, "application/json");
        HttpResponse<String> endSession = send("DELETE", token, "application/json, "
                + "text/event-stream");
        HttpResponse<String> badAccept = HttpCalls.post(mcpUrl(), token, INITIALIZE, Map.of(
                "Accept", "text/plain"));
        HttpResponse<String> aResponse = rawPost(token, "{\"jsonrpc\":\"2.0\",\"id\":7,"
                + "\"result\":{}}", Map.of());

        assertThat(stream.statusCode()).isEqualTo(405);
        assertThat(stream.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(endSession.statusCode()).isEqualTo(405);
        assertThat(badAccept.statusCode()).isEqualTo(400);
        assertThat(aResponse.statusCode()).isEqualTo(400);
        for (HttpResponse<String> response : List.of(stream, endSession, badAccept, aResponse)) {
            assertNoJavaInternals(response);
            assertThat(HttpCalls.json(response)).containsEntry("jsonrpc", "2.0").containsKey(
                    "error");
        }
    }

    private HttpResponse<String> send(String method, String token, String accept) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(mcpUrl()))
                    .header("Authorization", "Bearer " + token).header("Accept", accept)
                    .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " /mcp failed", e);
        }
    }

    @Test
    void noSessionIsKeptSoEveryRequestStandsOnItsOwnToken() {
        String owner = agent();
        String other = agent();
        HttpResponse<String> opened = rawPost(mint(owner), INITIALIZE, Map.of());

        HttpResponse<String> withoutInitialize = rawPost(mint(other), "{\"jsonrpc\":\"2.0\","
                + "\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"status\"}}",
                Map
                        .of("Mcp-Session-Id", "a-session-of-" + owner));

        assertThat(opened.statusCode()).isEqualTo(200);
        assertThat(opened.headers().firstValue("Mcp-Session-Id")).isEmpty();
        assertThat(withoutInitialize.statusCode()).as(withoutInitialize.body()).isEqualTo(200);
        Map<String, Object> result = (Map<String, Object>) HttpCalls.json(withoutInitialize).get(
                "result");
        assertThat((Map<String, Object>) result.get("structuredContent")).containsEntry("agent",
                other);
    }

    @Test
    void anUnsupportedProtocolVersionIsRefused() {
        String token = mint(agent());

        HttpResponse<String> unknown = rawPost(token, INITIALIZE, Map.of("MCP-Protocol-Version",
                "2099-01-01"));
        HttpResponse<String> known = rawPost(token, INITIALIZE, Map.of("MCP-Protocol-Version",
                "2025-06-18"));

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unsupported MCP-Protocol-Version '2099-01-01'")
                .contains("2025-11-25");
        assertThat(HttpCalls.json(unknown)).as("the refusal answers the request's own id")
                .containsEntry("id", 1);
        assertThat(known.statusCode()).isEqualTo(200);
    }

    private static void assertRefused(McpSyncClient client, String tool,
            Map<String, Object> arguments, String field, String messagePart) {
        McpSchema.CallToolResult result = McpClients.call(client, tool, arguments);

        assertThat(result.isError()).as(tool + " " + arguments).isTrue();
        Map<String, Object> error = McpClients.structured(result);
        assertThat(error).containsEntry("status", "invalid_arguments").containsEntry("field",
                field);
        assertThat((String) error.get("message")).contains(messagePart);
    }

    private static String sign(String key, Instant expiresAt, String agent) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("tollgate").audience(
                "tollgate-mcp").subject(agent).jwtID("jti-" + agent).issueTime(Date.from(expiresAt
                        .minusSeconds(3600)))
                .expirationTime(Date.from(expiresAt)).claim("env",
                        "ci")
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(
                StandardCharsets.UTF_8));
    }
}
