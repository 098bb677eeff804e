package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A fleet's SPIFFE JWT-SVIDs, without {@code iss}, at the real MCP endpoint: the trust domain's
 * bundle is served on loopback, an SVID's tool call reaches Kafka as the agent its SPIFFE ID's path
 * maps to, an SVID whose SPIFFE ID only looks like the trust domain's gets a 401 saying why, and
 * revoking the agent stops its SVIDs (which carry no {@code iat}).
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.oidc.issuers.fleet.spiffe-trust-domain=example.org",
        "tollgate.ingress.oidc.issuers.fleet.audiences=" + SpiffeIntegrationTest.AUDIENCE,
        "tollgate.ingress.oidc.issuers.fleet.agent-prefix=" + SpiffeIntegrationTest.PREFIX,
        "tollgate.ingress.oidc.issuers.fleet.environment=ci",
        "tollgate.ingress.oidc.issuers.fleet.max-token-lifetime=10m"})
class SpiffeIntegrationTest {

    static final String AUDIENCE = "tollgate-spiffe-it";
    static final String PREFIX = "spiffe-it:";
    private static final ECKey KEY = generate();
    private static final AtomicInteger BUNDLE_FETCHES = new AtomicInteger();
    private static HttpServer bundle;
    private static TestResponder responder;

    @LocalServerPort
    int port;

    private static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("spire-1").keyUse(new KeyUse("jwt-svid"))
                    .generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void trustDomain(DynamicPropertyRegistry registry) throws IOException {
        bundle = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] keys = ("{\"spiffe_sequence\":1,\"keys\":[" + KEY.toPublicJWK().toJSONString()
                + "]}").getBytes(StandardCharsets.UTF_8);
        bundle.createContext("/keys", exchange -> {
            BUNDLE_FETCHES.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keys.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(keys);
            }
        });
        bundle.start();
        registry.add("tollgate.ingress.oidc.issuers.fleet.jwks-uri", () -> "http://127.0.0.1:"
                + bundle.getAddress().getPort() + "/keys");
    }

    @BeforeAll
    static void start() {
        KafkaProbe.provisionTopics();
        responder = new TestResponder(PREFIX);
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.close();
        }
        if (bundle != null) {
            bundle.stop(0);
        }
    }

    /** An SVID as SPIRE mints one for {@code spiffeId}, without iss and iat. */
    private static String svid(String spiffeId) {
        Instant now = Instant.now();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KEY
                    .getKeyID()).type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder()
                            .subject(spiffeId).audience(AUDIENCE).expirationTime(Date.from(now
                                    .plus(Duration.ofMinutes(5))))
                            .build());
            jwt.sign(new ECDSASigner(KEY));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> initialize(String token) {
        return HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token, "{\"jsonrpc\":\"2.0\","
                + "\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":"
                + "\"1\"}}}", Map.of("Accept", "application/json, text/event-stream"));
    }

    @Test
    void anSvidsToolCallIsDecidedForTheAgentItsSpiffeIdNames() {
        String workload = KafkaTestBroker.uniqueName("agent");
        String agent = PREFIX + "ns/ci/sa/" + workload;

        try (McpSyncClient client = McpClients.connect(port, svid("spiffe://example.org/ns/ci/sa/"
                + workload))) {
            client.initialize();
            McpSchema.CallToolResult result = McpClients.call(client, "get_file", Map.of("owner",
                    "octo", "repo", "app", "path", "README.md"));

            assertThat(result.isError()).as(result.toString()).isFalse();
            @SuppressWarnings("unchecked")
            Map<String, Object> answer = (Map<String, Object>) McpClients.structured(result).get(
                    "result");
            assertThat(answer).containsEntry("agent", agent).containsEntry("environment", "ci");
        }
        List<ConsumerRecord<String, ToolCallRequested>> published = KafkaProbe.readAll(
                Topics.REQUESTS).stream().filter(
                        record -> record.value().getAgentId().equals(
                                agent))
                .toList();
        assertThat(published).as("requests of %s", agent).hasSize(1);
        assertThat(published.get(0).value().getGatewayTokenId()).startsWith("oidc:fleet:");
        assertThat(BUNDLE_FETCHES.get()).isPositive();
    }

    @Test
    void anSvidOfALookalikeSpiffeIdIsRefusedWithTheReason() {
        HttpResponse<String> upper = initialize(svid("spiffe://EXAMPLE.org/agent"));
        HttpResponse<String> evil = initialize(svid("spiffe://example.org.evil.com/agent"));
        HttpResponse<String> dots = initialize(svid("spiffe://example.org/a/../agent"));

        assertThat(upper.statusCode()).as(upper.body()).isEqualTo(401);
        assertThat(upper.body()).contains("its sub is not a SPIFFE ID").contains(
                "trust domain with other characters");
        assertThat(evil.statusCode()).as(evil.body()).isEqualTo(401);
        assertThat(evil.body()).contains("is not trusted by this gateway").doesNotContain("evil");
        assertThat(dots.statusCode()).as(dots.body()).isEqualTo(401);
        assertThat(dots.body()).contains("'.' or '..' path segment");
    }

    @Test
    void revokingTheAgentStopsItsSvidsThatCarryNoIat() {
        String workload = KafkaTestBroker.uniqueName("revoked");
        String token = svid("spiffe://example.org/" + workload);
        assertThat(initialize(token).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                "{\"agent\":\"" + PREFIX
                        + workload + "\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        HttpResponse<String> refused = initialize(token);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(refused.body()).contains("have been revoked");
    }
}
