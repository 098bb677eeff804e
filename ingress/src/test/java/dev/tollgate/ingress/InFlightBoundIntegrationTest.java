package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.Topics;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The bound on an agent's requests in progress (promise 11), with calls held by the stand-in
 * executor until the test releases them: the reply timeout (60 s) is far longer than the test
 * needs, so the bound is checked while the held calls certainly hold their places, however busy
 * the machine. (It was a test of McpEndpointIntegrationTest under its 3 s reply timeout, where a
 * slow machine let the held calls end before the refusal was tried.)
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.reply-timeout=60s",
        "tollgate.ingress.max-requests-in-flight-per-agent="
                + InFlightBoundIntegrationTest.IN_FLIGHT})
class InFlightBoundIntegrationTest {

    static final int IN_FLIGHT = 3;
    private static final String PREFIX = "bound-it-";
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

    private String mint(String agent) {
        return HttpCalls.mint("http://127.0.0.1:" + port, agent);
    }

    private static List<ConsumerRecord<String, ToolCallRequested>> requestsOf(String agent) {
        return KafkaProbe.readAll(Topics.REQUESTS).stream().filter(record -> record.value()
                .getAgentId().equals(agent)).toList();
    }

    @Test
    void anAgentAtItsBoundOfRequestsInProgressIsRefusedAndOthersAreServed() throws Exception {
        String busy = KafkaTestBroker.uniqueName(PREFIX + "busy");
        responder.hold(busy);
        String token = mint(busy);
        ExecutorService callers = Executors.newFixedThreadPool(IN_FLIGHT);
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();
            Map<String, Future<McpSchema.CallToolResult>> held = new LinkedHashMap<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                String repo = "held" + i;
                held.put(repo, callers.submit(() -> McpClients.call(client, "read_repo", Map.of(
                        "owner", "octo", "repo", repo))));
            }
            List<ConsumerRecord<String, ToolCallRequested>> published = awaitHeld(busy, held,
                    client, callers);

            HttpResponse<String> refused = HttpCalls.post("http://127.0.0.1:" + port + "/mcp",
                    token, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":"
                            + "{\"name\":\"read_repo\",\"arguments\":{\"owner\":\"octo\","
                            + "\"repo\":\"refused\"}}}",
                    Map.of("Accept",
                            "application/json, text/event-stream"));
            HttpResponse<String> sameIdElsewhere = HttpCalls.post("http://127.0.0.1:" + port
                    + "/mcp", HttpCalls.mint("http://127.0.0.1:" + port, busy, "prod"),
                    "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":"
                            + "{\"name\":\"status\",\"arguments\":{}}}",
                    Map.of("Accept",
                            "application/json, text/event-stream"));
            McpSchema.CallToolResult othersCall;
            try (McpSyncClient other = McpClients.connect(port, mint(KafkaTestBroker.uniqueName(
                    PREFIX + "other")))) {
                other.initialize();
                othersCall = McpClients.call(other, "read_repo", Map.of("owner", "octo", "repo",
                        "hello"));
            }

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(refused.body()).contains("already has " + IN_FLIGHT
                    + " requests in progress").contains(
                            "tollgate.ingress.max-requests-in-flight-per-agent");
            assertThat(McpClients.structured(othersCall)).containsEntry("status", "succeeded");
            assertThat(sameIdElsewhere.statusCode()).as("the same agent ID in environment prod,"
                    + " with ci's at its bound: %s", sameIdElsewhere.body()).isEqualTo(200);
            assertThat(sameIdElsewhere.body()).contains("\"environment\":\"prod\"");

            for (ConsumerRecord<String, ToolCallRequested> request : published) {
                assertThat(responder.release(request.key())).as("held: %s", request.key())
                        .isTrue();
            }
            for (Future<McpSchema.CallToolResult> call : held.values()) {
                assertThat(McpClients.structured(call.get(60, TimeUnit.SECONDS))).containsEntry(
                        "status", "succeeded");
            }
            assertThat(McpClients.structured(McpClients.call(client, "status", Map.of())))
                    .as("served again once its calls ended").containsEntry("agent", busy);
            assertThat(requestsOf(busy)).as("nothing published for the refused request")
                    .hasSize(IN_FLIGHT);
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * Waits until every held call is on the topic. A held call that ended before its request was
     * published was refused at the bound because the client had a request of its own in progress
     * at that moment (its listening stream, say): it is made again, up to three times.
     */
    private List<ConsumerRecord<String, ToolCallRequested>> awaitHeld(String agent,
            Map<String, Future<McpSchema.CallToolResult>> held, McpSyncClient client,
            ExecutorService callers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, List<String>> endedEarly = new HashMap<>();
        while (true) {
            List<ConsumerRecord<String, ToolCallRequested>> published = requestsOf(agent);
            List<String> repos = new ArrayList<>();
            published.forEach(record -> repos.add(record.value().getTarget().getRepo()));
            if (published.size() >= IN_FLIGHT) {
                assertThat(repos).as("each held call once").containsExactlyInAnyOrderElementsOf(
                        held.keySet());
                return published;
            }
            for (Map.Entry<String, Future<McpSchema.CallToolResult>> call : held.entrySet()) {
                String repo = call.getKey();
                if (call.getValue().isDone() && !repos.contains(repo)) {
                    String answer;
                    try {
                        answer = String.valueOf(McpClients.structured(call.getValue().get()));
                    } catch (java.util.concurrent.ExecutionException e) {
                        answer = String.valueOf(e.getCause());
                    }
                    List<String> answers = endedEarly.computeIfAbsent(repo, r -> new ArrayList<>());
                    answers.add(answer);
                    assertThat(answers).as("held call %s ended unpublished each time", repo)
                            .hasSizeLessThan(3);
                    call.setValue(callers.submit(() -> McpClients.call(client, "read_repo", Map
                            .of("owner", "octo", "repo", repo))));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after 60 s, " + published.size() + " of " + IN_FLIGHT
                        + " held calls were on the topic (" + repos + "); calls that ended"
                        + " unpublished and what they answered: " + endedEarly);
            }
            Thread.sleep(200);
        }
    }
}
