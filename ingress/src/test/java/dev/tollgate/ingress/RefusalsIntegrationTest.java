package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.WithKafka;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every refusal at the door reaches {@code gateway.refusals} on a real broker, counted: a flood of
 * forged tokens is a few records whose counts add up to the flood, with the check that failed and
 * never the token; a wrong admin key and an unknown Host are counted as theirs. The clients are
 * told apart by the address a trusted proxy (this test, on loopback) forwards, as behind nginx;
 * other test classes' refusals on the shared broker come from other addresses.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.refusals.interval=500ms", "tollgate.ingress.trusted-proxies=127.0.0.1"})
class RefusalsIntegrationTest {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
            + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    @LocalServerPort
    int port;

    /** An address of TEST-NET-2 no other test uses. */
    private static String client() {
        return "198.51.100." + (1 + (int) (System.nanoTime() % 250));
    }

    @BeforeAll
    static void provision() {
        KafkaProbe.provisionTopics();
    }

    private static long total(List<ConsumerRecord<String, AccessRefused>> records) {
        return records.stream().mapToLong(record -> record.value().getCount()).sum();
    }

    @Test
    void aFloodOfForgedTokensIsAFewCountedRecordsWithTheFailedCheckAndNoToken() {
        String mint = HttpCalls.mint("http://127.0.0.1:" + port, "flood-victim");
        String[] parts = mint.split("\\.");
        String forged = parts[0] + "." + parts[1] + ".AAAA" + parts[2].substring(4);
        String client = client();
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> refused = HttpCalls.post("http://127.0.0.1:" + port + "/mcp",
                    forged, INITIALIZE, Map.of("Accept", "application/json, text/event-stream",
                            "X-Forwarded-For", client));
            assertThat(refused.statusCode()).isEqualTo(401);
        }

        List<ConsumerRecord<String, AccessRefused>> records = KafkaProbe.awaitUntil(
                Topics.REFUSALS, event -> event.getClientAddress().equals(client) && event
                        .getReason().equals("credential_invalid"),
                found -> total(found) >= 300);

        assertThat(total(records)).as("refusals counted").isEqualTo(300);
        assertThat(records.size()).as("records for 300 refusals").isLessThanOrEqualTo(30);
        AccessRefused first = records.getFirst().value();
        assertThat(first.getEndpoint()).isEqualTo("mcp");
        assertThat(first.getDetail()).contains("token signature is not valid");
        assertThat(records.getFirst().key()).isEqualTo(client);
        assertThat(records.toString()).doesNotContain(parts[2].substring(4)).doesNotContain(
                parts[1]);
    }

    @Test
    void aWrongAdminKeyAndAnUnknownHostAreCountedAsTheirs() {
        String client = client();
        HttpResponse<String> wrongKey = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens", "not-the-admin-key-0123456789abcdef0123456789",
                "{\"agent\":\"x\",\"environment\":\"dev\"}", Map.of("X-Forwarded-For",
                        client));
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        HttpResponse<String> badHost = HttpCalls.post("http://127.0.0.1:" + port + "/mcp", null,
                INITIALIZE, Map.of("Origin", "https://evil.example", "X-Forwarded-For", client));
        assertThat(badHost.statusCode()).isEqualTo(403);

        assertThat(KafkaProbe.awaitUntil(Topics.REFUSALS, event -> event.getClientAddress()
                .equals(client) && event.getEndpoint().equals("admin")
                && event.getReason()
                        .equals("credential_invalid"),
                found -> !found.isEmpty())).hasSize(1)
                .allSatisfy(record -> assertThat(record.value().toString()).doesNotContain(
                        "not-the-admin-key"));
        assertThat(KafkaProbe.awaitUntil(Topics.REFUSALS, event -> event.getClientAddress()
                .equals(client) && event.getEndpoint().equals("mcp")
                && event.getReason()
                        .equals("host_not_allowed"),
                found -> !found.isEmpty())).hasSize(1);
    }
}
