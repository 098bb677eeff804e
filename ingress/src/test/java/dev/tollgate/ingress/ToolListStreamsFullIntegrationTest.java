package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A replica holds at most tollgate.ingress.streams.max event streams: one more agent's is refused
 * with 503 and a reason, and that agent's calls still work — only notifications are lost.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.streams.max=1", "tollgate.ingress.streams.per-agent=1"})
class ToolListStreamsFullIntegrationTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration
            .ofSeconds(10)).build();

    @LocalServerPort
    int port;

    @BeforeAll
    static void provision() {
        KafkaProbe.provisionTopics();
    }

    private HttpRequest stream(String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp")).header(
                "Authorization", "Bearer " + token).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    @Test
    void oneStreamTooManyIsRefusedAndTheAgentsCallsStillWork() throws Exception {
        String first = HttpCalls.mint("http://127.0.0.1:" + port, KafkaTestBroker.uniqueName(
                "first"));
        String second = HttpCalls.mint("http://127.0.0.1:" + port, KafkaTestBroker.uniqueName(
                "second"));

        HttpResponse<InputStream> held = HTTP.send(stream(first), HttpResponse.BodyHandlers
                .ofInputStream());
        try (InputStream body = held.body()) {
            HttpResponse<String> refused = HTTP.send(stream(second), HttpResponse.BodyHandlers
                    .ofString());
            try (McpSyncClient client = McpClients.connect(port, second)) {
                client.initialize();

                assertThat(held.statusCode()).isEqualTo(200);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat(HttpCalls.json(refused)).containsEntry("jsonrpc", "2.0");
                assertThat(refused.body()).contains("tollgate.ingress.streams.max");
                assertThat(client.listTools().tools()).as("its calls still work").isNotEmpty();
                assertThat(McpClients.structured(McpClients.call(client, "status", Map.of())))
                        .containsKey("agent");
            }
        }
    }
}
