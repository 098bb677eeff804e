package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "server.address=127.0.0.1"})
class TokenApiIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    @Autowired
    dev.tollgate.ingress.kafka.KafkaListeners listeners;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private Map<String, Object> mint(String agent) {
        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent + "\", \"environment\": \"dev\", \"expires-in\": 3600}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HttpCalls.json(response);
    }

    @Test
    void adminMintsATokenThatAuthenticatesTheAgent() throws Exception {
        String agent = KafkaTestBroker.uniqueName("bot");

        Map<String, Object> body = mint(agent);

        assertThat(body).containsKeys("token", "expires-at", "token-id");
        assertThat(((Number) body.get("expires-at")).longValue()).isGreaterThan(System
                .currentTimeMillis() / 1000);
        AgentIdentity identity = tokens.authenticate((String) body.get("token"));
        assertThat(identity.agentId()).isEqualTo(agent);
        assertThat(identity.environment()).isEqualTo("dev");
    }

    @Test
    void issuingPublishesAnEventWithoutTheTokenValue() {
        String agent = KafkaTestBroker.uniqueName("bot");

        Map<String, Object> body = mint(agent);

        List<ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent), 1);
        assertThat(events).hasSize(1);
        AgentTokenChanged event = events.get(0).value();
        assertThat(event.getAction()).isEqualTo(AgentTokenAction.ISSUED);
        assertThat(event.getTokenId()).isEqualTo(body.get("token-id"));
        assertThat(event.getActor()).isEqualTo("admin-key");
        assertThat(event.getClientAddress()).as("who minted it, from where").isEqualTo(
                "127.0.0.1");
        assertThat(event.toString()).doesNotContain((String) body.get("token"));
        assertThat(new String(events.get(0).serializedValueSize() > 0
                ? event.toString()
                        .getBytes()
                : new byte[0])).doesNotContain(((String) body.get("token")).split(
                        "\\.")[2]);
    }

    @Test
    void mintingWithoutOrWithAWrongAdminKeyIsRefusedWithAChallenge() {
        String body = "{\"agent\": \"x\", \"environment\": \"dev\"}";

        HttpResponse<String> missing = HttpCalls.post(url("/admin/tokens"), null, body);
        HttpResponse<String> wrong = HttpCalls.post(url("/admin/tokens"), "not-the-key", body);

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains(
                "Bearer realm=\"tollgate-admin\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow()).contains(
                "error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void badMintRequestsGetAClearError() {
        HttpResponse<String> badAgent = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                "{\"agent\": \"../x\", \"environment\": \"dev\"}");
        HttpResponse<String> badExpiry = HttpCalls.post(url("/admin/tokens"),
                TestConfig.ADMIN_KEY, "{\"agent\": \"a\", \"environment\": \"dev\", "
                        + "\"expires-in\": \"soon\"}");
        HttpResponse<String> notJson = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                "{nope");

        assertThat(badAgent.statusCode()).isEqualTo(400);
        assertThat(HttpCalls.json(badAgent).get("message").toString()).startsWith(
                "agent must be");
        assertThat(badExpiry.statusCode()).isEqualTo(400);
        assertThat(HttpCalls.json(badExpiry).get("message").toString()).startsWith(
                "expires-in must be a whole number of seconds");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).doesNotContain("Exception");
    }

    @Test
    void anExplicitlyEmptyNarrowingIsRefusedAndMintsNothing() {
        String agent = KafkaTestBroker.uniqueName("narrowed");
        String head = "{\"agent\": \"" + agent + "\", \"environment\": \"dev\", \"grants\": ";

        HttpResponse<String> noRepositories = HttpCalls.post(url("/admin/tokens"),
                TestConfig.ADMIN_KEY, head + "{\"repositories\": []}}");
        HttpResponse<String> noTools = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                head + "{\"repositories\": [\"octo/hello\"], \"tools\": []}}");
        HttpResponse<String> noAxis = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                head + "{}}");
        HttpResponse<String> narrowed = HttpCalls.post(url("/admin/tokens"),
                TestConfig.ADMIN_KEY, head + "{\"repositories\": [\"octo/hello\"]}}");

        assertThat(noRepositories.statusCode()).as(noRepositories.body()).isEqualTo(400);
        assertThat(HttpCalls.json(noRepositories).get("message").toString()).contains(
                "grants.repositories is empty, which would narrow nothing",
                "omit grants.repositories to not narrow by repository");
        assertThat(noRepositories.body()).doesNotContain("\"token\"");
        assertThat(noTools.statusCode()).as(noTools.body()).isEqualTo(400);
        assertThat(HttpCalls.json(noTools).get("message").toString()).contains(
                "grants.tools is empty", "omit grants.tools to not narrow by tool");
        assertThat(noAxis.statusCode()).as(noAxis.body()).isEqualTo(400);
        assertThat(HttpCalls.json(noAxis).get("message").toString()).contains(
                "grants is empty", "omit grants");
        assertThat(narrowed.statusCode()).as(narrowed.body()).isEqualTo(200);
        List<ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent), 1);
        assertThat(events).as("only the narrowed mint is recorded").singleElement()
                .satisfies(event -> assertThat(event.value().getReason()).isEqualTo(
                        "grants narrowed to {\"repositories\":[\"octo/hello\"]}"));
        assertThat(KafkaProbe.readAll(Topics.AGENT_TOKENS)).filteredOn(record -> record.value()
                .getAgentId().equals(agent)).hasSize(1);
    }

    @Test
    void whileTheTokenRecordsAreNotReadNoTokenIsAcceptedAndTheCallerIsToldWhy() {
        String agent = KafkaTestBroker.uniqueName("stale");
        String token = (String) mint(agent).get("token");
        assertThat(listeners.tokenRecordsRead()).isTrue();

        HttpResponse<String> rotate;
        HttpResponse<String> mcp;
        tokens.revocationsCurrentWhile(() -> false); // as while the reader is failing
        try {
            rotate = HttpCalls.post(url("/token/rotate"), token, "");
            mcp = HttpCalls.post(url("/mcp"), token, "{\"jsonrpc\": \"2.0\", \"id\": 1,"
                    + " \"method\": \"ping\"}");
        } finally {
            tokens.revocationsCurrentWhile(listeners::tokenRecordsRead);
        }
        HttpResponse<String> rotateAgain = HttpCalls.post(url("/token/rotate"), token, "");

        assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(503);
        assertThat(rotate.headers().firstValue("Retry-After")).contains("5");
        assertThat(HttpCalls.json(rotate)).containsEntry("error", "revocations_unavailable");
        assertThat(rotate.body()).contains("cannot tell whether a token was revoked")
                .doesNotContain(
                        "\"token\"");
        assertThat(mcp.statusCode()).as(mcp.body()).isEqualTo(503);
        assertThat(mcp.headers().firstValue("Retry-After")).contains("5");
        assertThat(mcp.body()).contains("gateway.agent-tokens");
        assertThat(rotateAgain.statusCode()).as("once the reader reads again").isEqualTo(200);
        assertThat(KafkaProbe.await(Topics.AGENT_TOKENS, event -> event.getAgentId().equals(
                agent), 2)).extracting(record -> record.value().getAction()).containsExactly(
                        AgentTokenAction.ISSUED, AgentTokenAction.ROTATED);
    }

    @Test
    void rotationReturnsAFreshTokenOfTheSameFamilyAndRecordsItOnce() throws Exception {
        String agent = KafkaTestBroker.uniqueName("bot");
        Map<String, Object> minted = mint(agent);
        String old = (String) minted.get("token");

        HttpResponse<String> rotated = HttpCalls.post(url("/token/rotate"), old, "");
        HttpResponse<String> forked = HttpCalls.post(url("/token/rotate"), old, "");

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        Map<String, Object> fresh = HttpCalls.json(rotated);
        assertThat(fresh.get("token")).isNotEqualTo(old);
        assertThat(fresh.get("token-id")).isEqualTo(minted.get("token-id") + ".1");
        assertThat(fresh.get("family-expires-at")).isEqualTo(minted.get("family-expires-at"));
        assertThat(tokens.authenticate((String) fresh.get("token")).agentId()).isEqualTo(agent);
        assertThat(tokens.authenticate(old).agentId()).as("old token works during the grace")
                .isEqualTo(agent);
        assertThat(forked.statusCode()).as("rotating the replaced token again").isEqualTo(409);
        assertThat(HttpCalls.json(forked)).containsEntry("error", "token_already_rotated");
        List<ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent), 2);
        assertThat(events).extracting(record -> record.value().getAction()).containsExactly(
                AgentTokenAction.ISSUED, AgentTokenAction.ROTATED);
        assertThat(events).extracting(ConsumerRecord::key).containsOnly("family:" + minted.get(
                "token-id"));
        AgentTokenChanged rotation = events.get(1).value();
        assertThat(rotation.getActor()).as("the agent, marked as one").isEqualTo("agent:"
                + agent);
        assertThat(events.get(0).value().getActor()).as("the admin who minted").isEqualTo(
                "admin-key");
        assertThat(rotation.getTokenId()).isEqualTo(minted.get("token-id"));
        assertThat(rotation.getReplacementTokenId()).isEqualTo(fresh.get("token-id"));
        assertThat(rotation.getGeneration()).isEqualTo(1);
        assertThat(rotation.getFamilyExpiresAt().getEpochSecond()).isEqualTo(((Number) minted
                .get("family-expires-at")).longValue());
    }

    @Test
    void anAgentCannotFloodTheTokenTopicWithRotations() {
        String agent = KafkaTestBroker.uniqueName("bot");
        Map<String, Object> minted = mint(agent);
        String token = (String) minted.get("token");
        List<Integer> statuses = new java.util.ArrayList<>();

        for (int i = 0; i < 8; i++) {
            HttpResponse<String> rotated = HttpCalls.post(url("/token/rotate"), token, "");
            statuses.add(rotated.statusCode());
            if (rotated.statusCode() == 200) {
                token = (String) HttpCalls.json(rotated).get("token");
            }
        }

        assertThat(statuses).as("rotations within an hour").containsExactly(200, 200, 200, 200,
                200, 200, 429, 429);
        assertThat(rejection(token)).as("the newest rotation still works").isNull();
        assertThat(KafkaProbe.await(Topics.AGENT_TOKENS, event -> event.getAgentId().equals(
                agent), 7)).hasSize(7);
        assertThat(KafkaProbe.await(Topics.TOKEN_HISTORY, event -> event.getAgentId().equals(
                agent), 7)).as("the issue and six rotations, kept forever for the audit")
                .hasSize(7);
    }

    @Test
    void theTokenTopicIsCompactedSoReplayHoldsOneRecordPerFamily() throws Exception {
        try (Admin admin = KafkaTestBroker.get().admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC,
                    Topics.AGENT_TOKENS.name());

            Config config = admin.describeConfigs(List.of(topic)).all().get(30,
                    TimeUnit.SECONDS).get(topic);

            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            // compacted within the hour after an hour's segment: the replay stays flat
            assertThat(config.get("segment.ms").value()).isEqualTo("3600000");
            assertThat(config.get("max.compaction.lag.ms").value()).isEqualTo("3600000");
            assertThat(config.get("min.compaction.lag.ms").value()).isEqualTo("0");
        }
    }

    @Test
    void anAdminRequestIsAuthenticatedBeforeAByteOfItsBodyIsRead() {
        String head = "POST /admin/tokens HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000"
                + "\r\nConnection: close";

        RawHttp.Answer wrongKey = RawHttp.exchange(null, port, head
                + "\r\nAuthorization: Bearer not-the-admin-key-0123456789abcdef", new byte[0],
                20);
        RawHttp.Answer noKey = RawHttp.exchange(null, port, head, "{\"agent\"".getBytes(
                StandardCharsets.UTF_8), 20);

        assertThat(wrongKey.status()).as(wrongKey.text()).isEqualTo(401);
        assertThat(noKey.status()).as(noKey.text()).isEqualTo(401);
    }

    @Test
    void oversizedBodiesAreRefusedUnreadOrAsSoonAsTheyPassTheBound() {
        String admin = "Authorization: Bearer " + TestConfig.ADMIN_KEY;
        String declared = "POST %s HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000"
                + "\r\nConnection: close\r\n%s";
        byte[] chunk = ("10000\r\n" + "{".repeat(0x10000) + "\r\n").getBytes(
                StandardCharsets.UTF_8);
        byte[] chunks = new byte[chunk.length * 2];
        System.arraycopy(chunk, 0, chunks, 0, chunk.length);
        System.arraycopy(chunk, 0, chunks, chunk.length, chunk.length);

        RawHttp.Answer mintUnauthenticated = RawHttp.exchange(null, port, String.format(
                declared, "/admin/tokens", "X-Nothing: 1"), new byte[0], 20);
        RawHttp.Answer mint = RawHttp.exchange(null, port, String.format(declared,
                "/admin/tokens", admin), new byte[0], 20);
        RawHttp.Answer revoke = RawHttp.exchange(null, port, String.format(declared,
                "/admin/tokens/revoke", admin), new byte[0], 20);
        RawHttp.Answer rotate = RawHttp.exchange(null, port, String.format(declared,
                "/token/rotate", "X-Nothing: 1"), new byte[0], 20);
        RawHttp.Answer chunked = RawHttp.exchange(null, port, "POST /admin/tokens HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n" + admin, chunks, 20);

        for (RawHttp.Answer answer : List.of(mintUnauthenticated, mint, revoke, rotate,
                chunked)) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(413);
            assertThat(answer.body()).contains("payload_too_large");
        }
    }

    @Test
    void theAdminAndRotateEndpointsRefuseAForeignHostOrOrigin() {
        String mintHead = "POST /admin/tokens HTTP/1.1\r\nContent-Type: application/json"
                + "\r\nAuthorization: Bearer " + TestConfig.ADMIN_KEY + "\r\nConnection: close"
                + "\r\nContent-Length: 40\r\n";
        byte[] body = "{\"agent\": \"rebound\", \"environment\": \"dev\"}".substring(0, 40)
                .getBytes(StandardCharsets.UTF_8);
        String token = (String) mint(KafkaTestBroker.uniqueName("bot")).get("token");

        RawHttp.Answer rebound = RawHttp.exchange(null, port, mintHead + "Host: evil.example",
                body, 20);
        RawHttp.Answer crossOrigin = RawHttp.exchange(null, port, mintHead + "Host: 127.0.0.1:"
                + port + "\r\nOrigin: http://evil.example", body, 20);
        RawHttp.Answer rotate = RawHttp.exchange(null, port, "POST /token/rotate HTTP/1.1\r\n"
                + "Host: evil.example\r\nAuthorization: Bearer " + token
                + "\r\nContent-Length: 0\r\nConnection: close", new byte[0], 20);

        for (RawHttp.Answer answer : List.of(rebound, crossOrigin, rotate)) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(403);
            assertThat(answer.body()).contains("host_not_allowed");
        }
        assertThat(KafkaProbe.readAll(Topics.AGENT_TOKENS)).noneMatch(record -> record.value()
                .getAgentId().equals("rebound"));
    }

    @Test
    void duplicateFieldsInAnAdminBodyAreRefused() {
        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                "{\"agent\": \"a\", \"environment\": \"dev\", \"agent\": \"b\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(HttpCalls.json(response).get("message").toString()).contains("duplicate");
    }

    @Test
    void rotationNeedsAValidAgentToken() {
        HttpResponse<String> missing = HttpCalls.post(url("/token/rotate"), null, "");
        HttpResponse<String> forged = HttpCalls.post(url("/token/rotate"), "eyJhbGciOiJub25lIn0."
                + "eyJzdWIiOiJhIn0.", "");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains(
                "Bearer realm=\"tollgate\"");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow()).contains(
                "error=\"invalid_token\"");
    }

    @Test
    void revokingATokenStopsItsFamilyAndOnlyIt() throws Exception {
        String agent = KafkaTestBroker.uniqueName("bot");
        Map<String, Object> first = mint(agent);
        Map<String, Object> second = mint(agent);
        // used once before: remembered as verified, which must not outlive its revocation
        assertThat(tokens.authenticate((String) first.get("token")).agentId()).isEqualTo(agent);
        String rotation = (String) HttpCalls.json(HttpCalls.post(url("/token/rotate"),
                (String) first.get("token"), "")).get("token");

        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"token-id\": \"" + first.get("token-id") + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(rejection((String) first.get("token"))).isEqualTo("token has been revoked");
        assertThat(rejection(rotation)).as("its rotation").isEqualTo("token has been revoked");
        assertThat(tokens.authenticate((String) second.get("token")).agentId()).isEqualTo(agent);
        assertThat(HttpCalls.post(url("/token/rotate"), (String) first.get("token"), "")
                .statusCode()).isEqualTo(401);
    }

    @Test
    void revokingAnAgentStopsAllItsTokensAndIsRecorded() {
        String agent = KafkaTestBroker.uniqueName("bot");
        String token = (String) mint(agent).get("token");

        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"agent\": \"" + agent + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(rejection(token)).contains("have been revoked");
        List<ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent)
                        && event.getAction() == AgentTokenAction.REVOKED,
                1);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).value().getTokenId()).isNull();
    }

    private Map<String, Object> mintIn(String agent, String environment) {
        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens"), TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent + "\", \"environment\": \"" + environment
                        + "\", \"expires-in\": 3600}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HttpCalls.json(response);
    }

    /** What /mcp answers a token: 401 once refused; a held token gets past it (400 for "{}"). */
    private HttpResponse<String> overMcp(String token) {
        return HttpCalls.post(url("/mcp"), token, "{}", Map.of("Accept",
                "application/json, text/event-stream"));
    }

    /** An MCP client initializes with the token (throws if the gateway refuses it). */
    private void initializes(String token) {
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();
        }
    }

    private Map<String, Object> agentView(String agent, String environment) {
        HttpResponse<String> response = HttpCalls.get(url("/admin/agents?agent=" + agent
                + "&environment=" + environment), TestConfig.ADMIN_KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HttpCalls.json(response);
    }

    @Test
    void revokingAnAgentInOneEnvironmentLeavesTheSameAgentIdInAnotherWorking() {
        String agent = KafkaTestBroker.uniqueName("deployer");
        String prod = (String) mintIn(agent, "prod").get("token");
        String scratch = (String) mintIn(agent, "scratch").get("token");
        initializes(prod);

        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"agent\": \"" + agent
                        + "\", \"environment\": \"prod\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        HttpResponse<String> refused = overMcp(prod);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(overMcp(scratch).statusCode()).as("scratch's token gets past the door")
                .isEqualTo(400);
        initializes(scratch);
        assertThat(refused.body() + refused.headers().firstValue("WWW-Authenticate").orElse(
                "")).contains("in environment prod", "have been revoked");
        assertThat(HttpCalls.json(response)).containsEntry("revoked-agent", agent).containsEntry(
                "environment", "prod").containsEntry("applies-to", "environment prod only");
        assertThat(agentView(agent, "prod")).containsEntry("revoked_in", "prod").extractingByKey(
                "revoked_at").isNotNull();
        assertThat(agentView(agent, "scratch")).containsEntry("revoked_at", null).containsEntry(
                "revoked_in", null);
        List<ConsumerRecord<String, AgentTokenChanged>> records = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent) && event
                        .getAction() == AgentTokenAction.REVOKED,
                1);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("agent-in:prod:" + agent);
        assertThat(records.get(0).value().getEnvironment()).isEqualTo("prod");
    }

    @Test
    void revokingAnAgentWithoutAnEnvironmentRevokesItInEveryEnvironmentAndSaysSo() {
        String agent = KafkaTestBroker.uniqueName("deployer");
        String prod = (String) mintIn(agent, "prod").get("token");
        String scratch = (String) mintIn(agent, "scratch").get("token");

        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"agent\": \"" + agent + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(HttpCalls.json(response)).containsEntry("environment", null).containsEntry(
                "applies-to", "every environment");
        assertThat(overMcp(prod).statusCode()).isEqualTo(401);
        assertThat(overMcp(scratch).statusCode()).isEqualTo(401);
        assertThat(agentView(agent, "prod")).containsEntry("revoked_in", "every environment");
        assertThat(agentView(agent, "scratch")).containsEntry("revoked_in", "every environment");
    }

    @Test
    void aRevocationNamingABadEnvironmentIsRefusedAndChangesNothing() {
        String agent = KafkaTestBroker.uniqueName("deployer");
        String prod = (String) mintIn(agent, "prod").get("token");
        Map<String, String> bodies = Map.of(
                "{\"agent\": \"" + agent + "\", \"environment\": \"Prod!\"}",
                "environment must be an environment name",
                "{\"agent\": \"" + agent + "\", \"environment\": \"\"}",
                "environment must be an environment name",
                "{\"agent\": \"" + agent + "\", \"environment\": null}",
                "environment must be an environment name",
                "{\"agent\": \"" + agent + "\", \"environment\": [\"prod\"]}",
                "environment must be an environment name",
                "{\"agent\": \"" + agent + "\", \"env\": \"prod\"}", "unknown field 'env'",
                "{\"token-id\": \"" + java.util.UUID.randomUUID()
                        + "\", \"environment\": \"prod\"}",
                "environment applies to revoking an agent");

        bodies.forEach((body, message) -> {
            HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                    TestConfig.ADMIN_KEY, body);
            assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
            assertThat(HttpCalls.json(response).get("message").toString()).as(body).contains(
                    message);
        });

        initializes(prod);
        assertThat(agentView(agent, "prod")).containsEntry("revoked_at", null);
        // a good revocation after them: the only revocation record of the agent is its own
        HttpResponse<String> good = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"agent\": \"" + agent
                        + "\", \"environment\": \"scratch\"}");
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(KafkaProbe.readAll(Topics.AGENT_TOKENS)).filteredOn(record -> record.value()
                .getAgentId().equals(agent)
                && record.value()
                        .getAction() == AgentTokenAction.REVOKED)
                .extracting(ConsumerRecord::key).containsExactly("agent-in:scratch:" + agent);
        initializes(prod);
    }

    @Test
    void revocationMustNameExactlyOneTarget() {
        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(HttpCalls.json(response).get("message").toString()).contains(
                "exactly one of");
    }

    private String rejection(String token) {
        try {
            tokens.authenticate(token);
            return null;
        } catch (TokenRejectedException e) {
            return e.getMessage();
        }
    }
}
