package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.WithKafka;
import java.net.http.HttpResponse;
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
        "tollgate.ingress.rate-limit.agent-period=1h"})
class RateLimitIntegrationTest {

    @LocalServerPort
    int port;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    @Test
    void adminAndAgentRequestsOverTheLimitGet429WithRetryAfter() {
        String url = "http://127.0.0.1:" + port;
        HttpResponse<String> first = HttpCalls.post(url + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"limited\", \"environment\": \"dev\"}");
        HttpResponse<String> second = HttpCalls.post(url + "/admin/tokens", "wrong-key", "{}");
        HttpResponse<String> third = HttpCalls.post(url + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"limited\", \"environment\": \"dev\"}");
        String token = (String) HttpCalls.json(first).get("token");
        HttpResponse<String> rotated = HttpCalls.post(url + "/token/rotate", token, "");
        HttpResponse<String> rotatedAgain = HttpCalls.post(url + "/token/rotate", token, "");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(401);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 3600L);
        assertThat(HttpCalls.json(third)).containsEntry("error", "rate_limited");
        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotatedAgain.statusCode()).isEqualTo(429);
        assertThat(rotatedAgain.headers().firstValue("Retry-After")).isPresent();
        String fresh = (String) HttpCalls.json(rotated).get("token");
        HttpResponse<String> mcp = HttpCalls.post(url + "/mcp", fresh, "{}", java.util.Map.of(
                "Accept", "application/json, text/event-stream"));
        assertThat(mcp.statusCode()).isEqualTo(429);
        assertThat(mcp.headers().firstValue("Retry-After")).isPresent();
        assertThat(mcp.body()).contains("rate limit of agent limited");
    }
}
