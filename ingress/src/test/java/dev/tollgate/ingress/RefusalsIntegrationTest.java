package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
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
        "tollgate.ingress.refusals.interval=500ms", "tollgate.ingress.trusted-proxies=127.0.0.1",
        "tollgate.ingress.reply-timeout=2s",
        "tollgate.ingress.rate-limit.write-kib-limit-for-period=64",
        "tollgate.ingress.rate-limit.agent-period=1h"})
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
        long started = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> refused = HttpCalls.post("http://127.0.0.1:" + port + "/mcp",
                    forged, INITIALIZE, Map.of("Accept", "application/json, text/event-stream",
                            "X-Forwarded-For", client));
            assertThat(refused.statusCode()).isEqualTo(401);
        }
        long intervals = (System.nanoTime() - started) / 500_000_000L + 2;

        List<ConsumerRecord<String, AccessRefused>> records = KafkaProbe.awaitUntil(
                Topics.REFUSALS, event -> event.getClientAddress().equals(client) && event
                        .getReason().equals("credential_invalid"),
                found -> total(found) >= 300);

        assertThat(total(records)).as("refusals counted").isEqualTo(300);
        assertThat(records.size()).as("records for 300 refusals: one per 500 ms interval the flood"
                + " spanned, at most").isLessThanOrEqualTo((int) Math.min(intervals, 299));
        AccessRefused first = records.getFirst().value();
        assertThat(first.getEndpoint()).isEqualTo("mcp");
        assertThat(first.getDetail()).contains("token signature is not valid");
        assertThat(records).as("no credential held: no agent, no environment").allSatisfy(
                record -> assertThat(record.value().getEnvironment()).isNull());
        assertThat(records.getFirst().key()).isEqualTo(client);
        assertThat(records.toString()).doesNotContain(parts[2].substring(4)).doesNotContain(
                parts[1]);
    }

    @Test
    void aPushCarryingACredentialIsRefusedBeforeKafkaSeesItAndCounted() throws Exception {
        String agent = KafkaTestBroker.uniqueName("leaky");
        String token = "ghp_" + "R8f2kQ9mXv3LwT7nYb4Hc6Jd1Pz5Ua0Es2Gi";
        io.modelcontextprotocol.spec.McpSchema.CallToolResult result;
        try (io.modelcontextprotocol.client.McpSyncClient client = McpClients.connect(port,
                HttpCalls.mint("http://127.0.0.1:" + port, agent))) {
            client.initialize();
            result = McpClients.call(client, "push_files", Map.of("owner", "octo", "repo", "app",
                    "branch", "agent-fix", "message", "docs", "files", List.of(Map.of("path",
                            "README.md", "content", "# Hello\n\ntoken: " + token + "\n"))));
        }

        Map<String, Object> answer = McpClients.structured(result);
        assertThat(answer).containsEntry("status", "secret_in_content");
        assertThat((String) answer.get("message")).contains(
                "README.md line 3 holds what looks like a GitHub token (ghp_").doesNotContain(
                        token
                                .substring(4));
        assertThat(KafkaProbe.awaitUntil(Topics.REFUSALS, event -> agent.equals(event
                .getAgentId()) && event.getReason().equals("secret_in_content"), found -> !found
                        .isEmpty()))
                .hasSize(1).allSatisfy(record -> assertThat(record.value()
                        .toString()).doesNotContain(token.substring(4)));
        assertThat(KafkaProbe.readAll(Topics.REQUESTS)).noneMatch(record -> record.value()
                .getAgentId().equals(agent));
    }

    @Test
    void anAgentsWriteContentIsBoundedPerPeriodAndTheExcessCounted() {
        String agent = KafkaTestBroker.uniqueName("bulky");
        String token = HttpCalls.mint("http://127.0.0.1:" + port, agent);
        String body = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"create_issue\",\"arguments\":{\"owner\":\"octo\",\"repo\":"
                + "\"app\",\"title\":\"t\",\"body\":\"" + "x".repeat(40 * 1024) + "\"}}}";
        Map<String, String> headers = Map.of("Accept", "application/json, text/event-stream",
                "MCP-Protocol-Version", "2025-06-18");

        HttpResponse<String> first = HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token,
                body, headers);
        HttpResponse<String> second = HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token,
                body, headers);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as("41 + 41 KiB > 64 KiB").isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(second.body()).contains("write-kib-limit-for-period");
        assertThat(KafkaProbe.awaitUntil(Topics.REFUSALS, event -> agent.equals(event
                .getAgentId()) && event.getReason().equals("rate_limited"), found -> !found
                        .isEmpty()))
                .hasSize(1);
    }

    @Test
    void invalidArgumentsAreCountedForTheAgentThatSentThem() throws Exception {
        String agent = KafkaTestBroker.uniqueName("sloppy");
        try (io.modelcontextprotocol.client.McpSyncClient client = McpClients.connect(port,
                HttpCalls.mint("http://127.0.0.1:" + port, agent))) {
            client.initialize();
            for (int i = 0; i < 3; i++) {
                assertThat(McpClients.structured(McpClients.call(client, "get_file", Map.of(
                        "owner", "octo", "path", "a.md")))).containsEntry("status",
                                "invalid_arguments");
            }
        }

        List<ConsumerRecord<String, AccessRefused>> records = KafkaProbe.awaitUntil(
                Topics.REFUSALS, event -> agent.equals(event.getAgentId()) && event.getReason()
                        .equals("invalid_arguments"),
                found -> total(found) >= 3);
        assertThat(total(records)).as("invalid calls counted (in one interval or more)")
                .isEqualTo(3);
        assertThat(records).allSatisfy(record -> assertThat(record.value().getDetail()).contains(
                "Invalid arguments for get_file"));
    }

    @Test
    void refusalsOfTheSameAgentIdInTwoEnvironmentsAreRecordedApartWithTheirEnvironment()
            throws Exception {
        String agent = KafkaTestBroker.uniqueName("twin");
        Map<String, Integer> calls = Map.of("prod", 2, "scratch", 1);
        for (Map.Entry<String, Integer> environment : calls.entrySet()) {
            try (io.modelcontextprotocol.client.McpSyncClient client = McpClients.connect(port,
                    HttpCalls.mint("http://127.0.0.1:" + port, agent, environment.getKey()))) {
                client.initialize();
                for (int i = 0; i < environment.getValue(); i++) {
                    assertThat(McpClients.structured(McpClients.call(client, "get_file", Map.of(
                            "owner", "octo", "path", "a.md")))).containsEntry("status",
                                    "invalid_arguments");
                }
            }
        }

        List<ConsumerRecord<String, AccessRefused>> records = KafkaProbe.awaitUntil(
                Topics.REFUSALS, event -> agent.equals(event.getAgentId()) && event.getReason()
                        .equals("invalid_arguments"),
                found -> total(found) >= 3);

        assertThat(total(records)).as("invalid calls counted").isEqualTo(3);
        assertThat(total(records.stream().filter(record -> "prod".equals(record.value()
                .getEnvironment())).toList())).as("prod's").isEqualTo(2);
        assertThat(total(records.stream().filter(record -> "scratch".equals(record.value()
                .getEnvironment())).toList())).as("scratch's").isEqualTo(1);
    }

    @Test
    void theClientsAddressIsOnEveryRequestAndEveryTokenEvent() throws Exception {
        String agent = KafkaTestBroker.uniqueName("where");
        String admin = client();
        String caller = "203.0.113." + (1 + (int) (System.nanoTime() % 250));
        HttpResponse<String> minted = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\":\"" + agent
                        + "\",\"environment\":\"dev\"}",
                Map.of("X-Forwarded-For", admin));
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        String token = (String) HttpCalls.json(minted).get("token");

        HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token, "{\"jsonrpc\":\"2.0\","
                + "\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"get_file\","
                + "\"arguments\":{\"owner\":\"octo\",\"repo\":\"app\",\"path\":\"a.md\"}}}",
                Map.of("Accept", "application/json, text/event-stream", "X-Forwarded-For",
                        caller, "MCP-Protocol-Version", "2025-06-18"));

        assertThat(KafkaProbe.await(Topics.AGENT_TOKENS, event -> event.getAgentId().equals(
                agent), 1)).singleElement().satisfies(record -> assertThat(record.value()
                        .getClientAddress()).isEqualTo(admin));
        assertThat(KafkaProbe.await(Topics.REQUESTS, event -> event.getAgentId().equals(agent),
                1)).singleElement().satisfies(
                        record -> assertThat(record.value()
                                .getClientAddress()).isEqualTo(caller));
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
