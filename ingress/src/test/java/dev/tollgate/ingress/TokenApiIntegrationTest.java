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
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
        assertThat(event.getActor()).isEqualTo("admin");
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
    void rotationReturnsAFreshTokenAndRecordsBothChanges() throws Exception {
        String agent = KafkaTestBroker.uniqueName("bot");
        String old = (String) mint(agent).get("token");

        HttpResponse<String> rotated = HttpCalls.post(url("/token/rotate"), old, "");

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String fresh = (String) HttpCalls.json(rotated).get("token");
        assertThat(fresh).isNotEqualTo(old);
        assertThat(tokens.authenticate(fresh).agentId()).isEqualTo(agent);
        assertThat(tokens.authenticate(old).agentId()).as("old token works during the grace")
                .isEqualTo(agent);
        List<ConsumerRecord<String, AgentTokenChanged>> events = KafkaProbe.await(
                Topics.AGENT_TOKENS, event -> event.getAgentId().equals(agent), 3);
        assertThat(events).extracting(record -> record.value().getAction()).containsExactly(
                AgentTokenAction.ISSUED, AgentTokenAction.ISSUED, AgentTokenAction.ROTATED);
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
    void revokingATokenStopsItAndOnlyIt() throws Exception {
        String agent = KafkaTestBroker.uniqueName("bot");
        Map<String, Object> first = mint(agent);
        Map<String, Object> second = mint(agent);
        // used once before: remembered as verified, which must not outlive its revocation
        assertThat(tokens.authenticate((String) first.get("token")).agentId()).isEqualTo(agent);

        HttpResponse<String> response = HttpCalls.post(url("/admin/tokens/revoke"),
                TestConfig.ADMIN_KEY, "{\"token-id\": \"" + first.get("token-id") + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(rejection((String) first.get("token"))).isEqualTo("token has been revoked");
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
