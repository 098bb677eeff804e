package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.NodeScripts;
import dev.tollgate.testsupport.WithKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Workload identity end to end with real parts: a local OAuth 2 / OIDC provider from npm
 * ({@code oauth2-mock-server}) as the trusted issuer, and the TypeScript MCP SDK's client with
 * nothing but the MCP URL and its client credentials. The client follows the 401's
 * {@code resource_metadata} (RFC 9728) to the provider, gets a token for this resource
 * (client_credentials with an RFC 8707 resource indicator), and its call reaches Kafka as the
 * agent and environment the issuer's configuration maps its claims to. Tokens for another
 * resource, and tokens of a revoked agent, are refused; workload tokens are never rotated into
 * gateway tokens. Admins of the same provider (their tokens for another audience, with roles) mint
 * and revoke as themselves, and each event records who; the shared admin key still works, as
 * break-glass, and says so on its events. Node 20+ and the npm registry are needed (as for the other npm-checked tests).
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.oidc.issuers.local.agent-prefix=oidc-it:",
        "tollgate.ingress.oidc.issuers.local.environment-claim=namespace",
        "tollgate.ingress.oidc.issuers.local.authorization-server=true",
        "tollgate.ingress.oidc.admin-issuers.people.audiences="
                + OAuthClientIntegrationTest.ADMIN_AUDIENCE})
class OAuthClientIntegrationTest {

    static final String ADMIN_AUDIENCE = "https://tollgate.example.com/admin";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static NodeScripts scripts;
    private static NodeScripts.Running idp;
    private static String issuer;
    private static int port;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) throws IOException {
        Path module = Path.of("").toAbsolutePath();
        scripts = NodeScripts.install(module.resolve("src/test/oauth"), module.resolve(
                "target/oauth"), List.of("idp.mjs", "client.mjs"));
        idp = scripts.start(Duration.ofSeconds(60), "ready ", "idp.mjs", String.valueOf(
                freePort()), "ci");
        issuer = idp.readyLine().substring("ready ".length()).strip();
        port = freePort();
        registry.add("server.port", () -> port);
        registry.add("tollgate.ingress.oidc.resource", () -> "http://127.0.0.1:" + port + "/mcp");
        registry.add("tollgate.ingress.oidc.issuers.local.issuer", () -> issuer);
        registry.add("tollgate.ingress.oidc.admin-issuers.people.issuer", () -> issuer);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @BeforeAll
    static void provision() {
        KafkaProbe.provisionTopics();
    }

    @AfterAll
    static void stopProvider() {
        if (idp != null) {
            idp.close();
        }
    }

    private static String mcp() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** A token straight from the provider (client_credentials), for {@code resource}. */
    private static String tokenFor(String client, String resource) throws Exception {
        String form = Map.of("grant_type", "client_credentials", "client_id", client,
                "client_secret", "s3cret", "resource", resource).entrySet().stream().map(
                        e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
                                StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(issuer
                + "/token")).header("Content-Type", "application/x-www-form-urlencoded").POST(
                        HttpRequest.BodyPublishers.ofString(form))
                .build(),
                HttpResponse.BodyHandlers
                        .ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (String) HttpCalls.JSON.readValue(response.body(), Map.class).get("access_token");
    }

    private static HttpResponse<String> initialize(String token) {
        return HttpCalls.post(mcp(), token, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\""
                + ":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                Map.of("Accept",
                        "application/json, text/event-stream"));
    }

    @Test
    void anMcpClientThatSupportsOAuthFindsTheProviderGetsATokenAndIsDecidedAsTheMappedAgent()
            throws Exception {
        try (TestResponder responder = new TestResponder("oidc-it:")) {
            String output = scripts.node(120, "client.mjs", mcp(), "agent-7", "s3cret", issuer);

            assertThat(output).as("the client's output").contains("\"get_file\"").contains(
                    "oidc-it:agent-7").contains("\\\"environment\\\":\\\"ci\\\"");
        }
        // the provider was asked for a token for this resource, by the client's own discovery
        assertThat(idp.lines()).anyMatch(line -> line.startsWith("token ") && line.contains(
                "\"client\":\"agent-7\"") && line.contains("\"resource\":\"" + mcp() + "\""));
    }

    @Test
    void theEndpointPointsAtItsMetadataAndTheMetadataAtTheProvider() throws Exception {
        HttpResponse<String> refused = initialize(null);
        assertThat(refused.statusCode()).isEqualTo(401);
        String metadataUrl = "http://127.0.0.1:" + port
                + "/.well-known/oauth-protected-resource/mcp";
        assertThat(refused.headers().firstValue("WWW-Authenticate")).contains(
                "Bearer realm=\"tollgate\", resource_metadata=\"" + metadataUrl + "\"");

        HttpResponse<String> metadata = HTTP.send(HttpRequest.newBuilder(URI.create(metadataUrl))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(HttpCalls.JSON.readValue(metadata.body(), Map.class)).containsEntry("resource",
                mcp()).containsEntry("authorization_servers", List.of(issuer));
    }

    @Test
    void aTokenTheProviderIssuedForAnotherResourceIsRefused() throws Exception {
        HttpResponse<String> response = initialize(tokenFor("agent-8",
                "https://other.example.com/mcp"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("not issued for this gateway");
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).contains(
                "error=\"invalid_token\"").contains("resource_metadata=");
        assertThat(initialize(tokenFor("agent-8", mcp())).statusCode()).isEqualTo(200);
    }

    @Test
    void aWorkloadTokenIsNotRotatedIntoAGatewayToken() throws Exception {
        HttpResponse<String> response = HttpCalls.post("http://127.0.0.1:" + port
                + "/token/rotate", tokenFor("agent-9", mcp()), "");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("not_a_gateway_token").doesNotContain("\"token\"");
    }

    private static HttpResponse<String> mint(String credential, String agent) {
        return HttpCalls.post("http://127.0.0.1:" + port + "/admin/tokens", credential,
                "{\"agent\":\"" + agent + "\",\"environment\":\"dev\"}");
    }

    private static String actorOf(String agent) {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe
                .await(Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent), 1);
        assertThat(events).as("token events of %s", agent).hasSize(1);
        return events.get(0).value().getActor();
    }

    @Test
    void anAdminWithItsOwnIdentityMintsAndRevokesAsItselfWithinItsRoles() throws Exception {
        String minter = tokenFor("admin-mint", ADMIN_AUDIENCE);
        String agent = KafkaTestBroker.uniqueName("minted");

        HttpResponse<String> minted = mint(minter, agent);
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        assertThat(actorOf(agent)).isEqualTo("oidc:people:admin-mint");

        HttpResponse<String> refused = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens/revoke", minter, "{\"agent\":\"" + agent + "\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("insufficient_role").contains("tollgate:revoke");

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens/revoke", tokenFor("admin-revoke", ADMIN_AUDIENCE),
                "{\"agent\":\"" + agent + "\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    }

    @Test
    void anAdminWithTheReadRoleReadsWhatTheGatewayKnowsOfAnAgentAndNoOtherRoleMay()
            throws Exception {
        String reader = tokenFor("admin-read", ADMIN_AUDIENCE);
        String agent = KafkaTestBroker.uniqueName("read") + "/ns:ci";

        HttpResponse<String> before = readAgent(reader, agent, "ci");
        assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
        assertThat(HttpCalls.json(before)).containsEntry("agent", agent).containsEntry(
                "environment", "ci").containsEntry("revoked_at", null).containsKey("grants")
                .containsKey("policy_version");
        assertThat(before.headers().firstValue("Cache-Control")).contains("no-store");

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens/revoke", tokenFor("admin-revoke", ADMIN_AUDIENCE),
                "{\"agent\":\"" + agent + "\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        HttpResponse<String> after = readAgent(reader, agent, "ci");
        assertThat(HttpCalls.json(after).get("revoked_at")).as(after.body()).isNotNull();

        HttpResponse<String> minter = readAgent(tokenFor("admin-mint", ADMIN_AUDIENCE), agent,
                "ci");
        assertThat(minter.statusCode()).as(minter.body()).isEqualTo(403);
        assertThat(minter.body()).contains("insufficient_role", "tollgate:read");
        assertThat(readAgent(TestConfig.ADMIN_KEY, agent, "ci").statusCode()).as(
                "the break-glass key").isEqualTo(200);
        assertThat(readAgent(null, agent, "ci").statusCode()).isEqualTo(401);
        assertThat(readAgent(tokenFor("agent-11", mcp()), agent, "ci").statusCode()).as(
                "an agent's token").isEqualTo(401);
        HttpResponse<String> bad = readAgent(reader, "../etc", "ci");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("name an agent and an environment");
    }

    private static HttpResponse<String> readAgent(String credential, String agent,
            String environment) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/admin/agents?agent=" + URLEncoder.encode(agent,
                        StandardCharsets.UTF_8)
                + "&environment=" + environment)).GET();
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAdminTokenIsNoAgentsAndAnAgentsTokenNoAdmins() throws Exception {
        HttpResponse<String> asAgent = initialize(tokenFor("admin-mint", ADMIN_AUDIENCE));
        assertThat(asAgent.statusCode()).isEqualTo(401);
        assertThat(asAgent.body()).contains("not issued for this gateway");

        // an agent's token of the same provider, presented as an admin's: no role, no mint
        HttpResponse<String> asAdmin = mint(tokenFor("admin-mint", mcp()), "never");
        assertThat(asAdmin.statusCode()).as(asAdmin.body()).isEqualTo(401);
        assertThat(asAdmin.body()).contains("admin token refused").contains(
                "not issued for this gateway");
    }

    @Test
    void theSharedAdminKeyStillWorksAsBreakGlassAndSaysSo() {
        String agent = KafkaTestBroker.uniqueName("glass");

        HttpResponse<String> minted = mint(TestConfig.ADMIN_KEY, agent);

        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        assertThat(actorOf(agent)).isEqualTo("admin-key (break-glass)");
    }

    @Test
    void revokingTheAgentRefusesItsWorkloadTokensIssuedBefore() throws Exception {
        String token = tokenFor("agent-10", mcp());
        assertThat(initialize(token).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens/revoke", TestConfig.ADMIN_KEY, "{\"agent\":\"oidc-it:agent-10\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        HttpResponse<String> refused = initialize(token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("have been revoked");
    }
}
