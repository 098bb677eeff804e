package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.rate-limit.admin-limit-for-period=2",
        "tollgate.ingress.rate-limit.admin-period=1h",
        "tollgate.ingress.rate-limit.agent-limit-for-period=1",
        "tollgate.ingress.rate-limit.protocol-limit-for-period=30",
        "tollgate.ingress.rate-limit.agent-period=1h"})
class RateLimitIntegrationTest {

    @LocalServerPort
    int port;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    private RawHttp.Answer mintFrom(String address, String key, String agent) {
        return RawHttp.adminMint(port, address, null, key, agent);
    }

    @Test
    void aFloodOfWrongAdminKeysFromAnyAddressNeverLocksTheAdminOut() {
        String attacker = "127.0.0.2";
        List<Integer> flood = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            flood.add(mintFrom(attacker, "guess-" + i + "-0123456789abcdef0123456789", "x")
                    .status());
        }

        RawHttp.Answer throttled = mintFrom(attacker, "one-more-guess-0123456789abcdef01234",
                "x");
        RawHttp.Answer otherAddress = mintFrom("127.0.0.3", "a-wrong-key-0123456789abcdef0123456",
                "x");
        RawHttp.Answer adminFromTheAttackersAddress = mintFrom(attacker, TestConfig.ADMIN_KEY,
                KafkaTestBroker.uniqueName("admin-ok"));
        RawHttp.Answer adminElsewhere = mintFrom("127.0.0.1", TestConfig.ADMIN_KEY,
                KafkaTestBroker.uniqueName("admin-ok"));

        assertThat(flood.subList(0, 2)).as("the first wrong keys within the limit").containsOnly(
                401);
        assertThat(flood.subList(2, 25)).as("wrong keys over the limit").containsOnly(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(throttled.body()).contains("\"error\":\"rate_limited\"");
        assertThat(otherAddress.status()).as("another address is not throttled by the flood")
                .isEqualTo(401);
        assertThat(adminFromTheAttackersAddress.status()).as(adminFromTheAttackersAddress.text())
                .isEqualTo(200);
        assertThat(adminFromTheAttackersAddress.body()).contains("\"token\"");
        assertThat(adminElsewhere.status()).as(adminElsewhere.text()).isEqualTo(200);
    }

    @Test
    void agentRequestsOverTheLimitGet429WithRetryAfter() {
        String url = "http://127.0.0.1:" + port;
        HttpResponse<String> minted = HttpCalls.post(url + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"limited\", \"environment\": \"dev\"}");
        String token = (String) HttpCalls.json(minted).get("token");

        HttpResponse<String> rotated = HttpCalls.post(url + "/token/rotate", token, "");
        String fresh = (String) HttpCalls.json(rotated).get("token");
        HttpResponse<String> rotatedAgain = HttpCalls.post(url + "/token/rotate", fresh, "");
        HttpResponse<String> mcp = HttpCalls.post(url + "/mcp", fresh, toolCall(1), MCP);

        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(rotatedAgain.statusCode()).isEqualTo(429);
        assertThat(rotatedAgain.headers().firstValue("Retry-After")).isPresent();
        assertThat(HttpCalls.json(rotatedAgain)).containsEntry("error", "rate_limited");
        assertThat(mcp.statusCode()).isEqualTo(429);
        assertThat(mcp.headers().firstValue("Retry-After")).isPresent();
        assertThat(mcp.body()).contains("rate limit of agent limited");
    }

    @Test
    void theSameAgentIdInAnotherEnvironmentDoesNotSpendTheOthersLimit() {
        String url = "http://127.0.0.1:" + port;
        String agent = KafkaTestBroker.uniqueName("deployer");
        String scratch = HttpCalls.mint(url, agent, "scratch");
        String prod = HttpCalls.mint(url, agent, "prod");

        HttpResponse<String> scratchCall = HttpCalls.post(url + "/mcp", scratch, toolCall(1), MCP);
        HttpResponse<String> scratchAgain = HttpCalls.post(url + "/mcp", scratch, toolCall(2),
                MCP);
        HttpResponse<String> scratchRotation = HttpCalls.post(url + "/token/rotate", scratch, "");
        HttpResponse<String> prodCall = HttpCalls.post(url + "/mcp", prod, toolCall(3), MCP);

        assertThat(scratchCall.statusCode()).as(scratchCall.body()).isEqualTo(200);
        assertThat(scratchAgain.statusCode()).as("scratch's limit of 1 call is spent").isEqualTo(
                429);
        assertThat(scratchRotation.statusCode()).isEqualTo(429);
        assertThat(prodCall.statusCode()).as("prod's own call: %s", prodCall.body()).isEqualTo(
                200);
        assertThat(prodCall.body()).contains("\"result\"").contains("\"environment\":\"prod\"");
    }

    private static final java.util.Map<String, String> MCP = java.util.Map.of("Accept",
            "application/json, text/event-stream");

    private static String toolCall(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"status\",\"arguments\":{}}}";
    }

    private static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}";
    }

    @Test
    void aClientsBurstOfProtocolMessagesIsNeverRefusedAndSpendsNoneOfItsCalls() {
        String url = "http://127.0.0.1:" + port;
        String token = (String) HttpCalls.json(HttpCalls.post(url + "/admin/tokens",
                TestConfig.ADMIN_KEY, "{\"agent\": \"chatty\", \"environment\": \"dev\"}"))
                .get("token");

        List<Integer> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(HttpCalls.post(url + "/mcp", token, ping(i), MCP).statusCode());
        }
        HttpResponse<String> call = HttpCalls.post(url + "/mcp", token, toolCall(21), MCP);
        HttpResponse<String> secondCall = HttpCalls.post(url + "/mcp", token, toolCall(22), MCP);
        List<Integer> more = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            more.add(HttpCalls.post(url + "/mcp", token, ping(23 + i), MCP).statusCode());
        }
        HttpResponse<String> flood = HttpCalls.post(url + "/mcp", token, ping(31), MCP);

        assertThat(burst).as("20 pings, 20 times the call limit, within the protocol limit")
                .containsOnly(200);
        assertThat(call.statusCode()).as("the agent's one call is still there: %s", call.body())
                .isEqualTo(200);
        assertThat(call.body()).contains("\"result\"");
        assertThat(call.headers().firstValue("Content-Type")).as(
                "a client accepting both gets one JSON body, no SSE stream per POST")
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(call.headers().firstValue("Mcp-Session-Id")).as("no session").isEmpty();
        assertThat(secondCall.statusCode()).isEqualTo(429);
        assertThat(secondCall.body()).contains("rate limit of agent chatty");
        assertThat(HttpCalls.json(secondCall)).as("refused with the call's own id")
                .containsEntry("id", 22);
        assertThat(more).as("messages 23 to 30 of the protocol limit's 30").containsOnly(200);
        assertThat(flood.statusCode()).as("the 31st message: %s", flood.body()).isEqualTo(429);
        assertThat(flood.body()).contains("sends MCP messages faster than");
        assertThat(flood.headers().firstValue("Retry-After")).isPresent();
    }
}
