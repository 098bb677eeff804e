package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.NodeScripts;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * notifications/tools/list_changed, end to end with a real broker: a new policy on gateway.policy
 * reaches the agents whose tools it changed, on the stream their client opened with GET /mcp — the
 * TypeScript SDK's client hears it and lists again — and only them; a revoked token's stream ends
 * and cannot be opened again. The keep-alive is a second here so a revocation shows at once.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0",
        "tollgate.ingress.streams.keep-alive=1s"})
class ToolListChangedIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @BeforeAll
    static void provision() {
        KafkaProbe.provisionTopics();
    }

    /** The broker is shared by this JVM's tests: leave gateway.policy saying nothing is known. */
    @AfterEach
    void forgetTheGrants() {
        publish("sha256:none", null);
    }

    private static void publish(String version, List<ToolGrant> grants) {
        PolicyEvents.publish("list-changed-it.toml", version, grants);
    }

    private static ToolGrant grant(String agent, Set<Tool> tools) {
        return PolicyEvents.grant(agent, tools);
    }

    private String mcp() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    private Map<String, Object> mint(String agent) {
        HttpResponse<String> response = HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent
                        + "\", \"environment\": \"ci\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HttpCalls.json(response);
    }

    /** Waits until {@code lines} has one that {@code wanted} accepts; fails with all it saw. */
    private static String awaitLine(List<String> lines, Predicate<String> wanted, String what,
            Supplier<String> seen) throws InterruptedException {
        return awaitLine(() -> List.copyOf(lines), wanted, what, seen);
    }

    /** Waits until what {@code lines} gives has a line {@code wanted} accepts. */
    private static String awaitLine(Supplier<List<String>> lines, Predicate<String> wanted,
            String what, Supplier<String> seen) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : lines.get()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; saw: "
                + seen.get());
    }

    /** Lists {@code token}'s tools until {@code done} holds (the policy published was read). */
    private void awaitListed(String token, Predicate<List<String>> done) throws Exception {
        try (McpSyncClient client = McpClients.connect(port, token)) {
            client.initialize();
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<String> names = List.of();
            while (System.nanoTime() < deadline) {
                names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
                if (done.test(names)) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("the policy published was not read within "
                    + WAIT.toSeconds() + " s; listed: " + names);
        }
    }

    @Test
    void theTypeScriptClientHearsItsToolsChangeAndListsThemAgain() throws Exception {
        String agent = KafkaTestBroker.uniqueName("ts-reader");
        publish("sha256:ts-one", List.of(grant(agent, Tier.READ.tools())));
        String token = (String) mint(agent).get("token");
        Path module = Path.of("").toAbsolutePath();
        NodeScripts scripts = NodeScripts.install(module.resolve("src/test/oauth"), module
                .resolve("target/oauth"), List.of("list-changed.mjs"));

        try (NodeScripts.Running client = scripts.start(WAIT, "ready ", "list-changed.mjs",
                mcp(), token)) {
            // the first list may still be the policy before this one, read a moment later
            assertThat(client.output()).contains("\"listChanged\":true");
            publish("sha256:ts-two", List.of(grant(agent, EnumSet.of(Tool.GET_FILE))));

            String changed = awaitLine(() -> {
                try {
                    return client.lines();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, line -> line.equals("changed [\"status\",\"get_file\",\"get_request_status\"]"),
                    "notification and new list", () -> {
                        try {
                            return client.output();
                        } catch (IOException e) {
                            return e.toString();
                        }
                    });

            assertThat(changed).isNotNull();
            assertThat(client.output()).doesNotContain("transport: ");
        }
    }

    /** A GET /mcp stream read line by line as it arrives, and whether it has ended. */
    private final class Listening implements AutoCloseable {

        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<HttpResponse<Stream<String>>> response;
        volatile boolean ended;

        Listening(String token, String lastEventId) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mcp())).header(
                    "Authorization", "Bearer " + token).header("Accept", "text/event-stream")
                    .header("MCP-Protocol-Version", "2025-11-25").GET();
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAcceptAsync(answer -> {
                try (Stream<String> body = answer.body()) {
                    body.forEach(lines::add);
                } catch (RuntimeException e) {
                    lines.add("(failed: " + e + ")");
                } finally {
                    ended = true;
                }
            });
        }

        int status() throws Exception {
            return response.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                    .statusCode();
        }

        long notifications() {
            return lines.stream().filter(line -> line.contains(
                    "notifications/tools/list_changed")).count();
        }

        String seen() {
            return lines + (ended ? " (ended)" : " (open)");
        }

        @Override
        public void close() {
            response.cancel(true);
        }
    }

    @Test
    void onlyTheAgentWhoseToolsChangedIsNotifiedAndARevokedTokensStreamEnds() throws Exception {
        String reader = KafkaTestBroker.uniqueName("reader");
        String writer = KafkaTestBroker.uniqueName("writer");
        publish("sha256:one", List.of(grant(reader, Tier.READ.tools()), grant(writer, EnumSet.of(
                Tool.CREATE_ISSUE))));
        Map<String, Object> readerToken = mint(reader);
        String writerToken = (String) mint(writer).get("token");
        // this replica has read policy one: streams opened now start from its lists
        awaitListed((String) readerToken.get("token"), names -> names.contains("get_file")
                && !names.contains("create_issue"));

        try (Listening readerStream = new Listening((String) readerToken.get("token"), null);
                Listening writerStream = new Listening(writerToken, null)) {
            assertThat(readerStream.status()).isEqualTo(200);
            assertThat(writerStream.status()).isEqualTo(200);
            assertThat(readerStream.response.get().headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            awaitLine(readerStream.lines, line -> line.startsWith("id: tools-"), "priming event",
                    readerStream::seen);
            awaitLine(writerStream.lines, line -> line.startsWith("id: tools-"), "priming event",
                    writerStream::seen);

            publish("sha256:two", List.of(grant(reader, EnumSet.of(Tool.GET_FILE)), grant(writer,
                    EnumSet.of(Tool.CREATE_ISSUE))));
            awaitLine(readerStream.lines, line -> line.contains("list_changed"),
                    "notification for the reader", readerStream::seen);
            publish("sha256:three", List.of(grant(reader, EnumSet.of(Tool.GET_FILE)), grant(
                    writer, EnumSet.of(Tool.CREATE_ISSUE, Tool.COMMENT_ON_ISSUE))));
            awaitLine(writerStream.lines, line -> line.contains("list_changed"),
                    "notification for the writer", writerStream::seen);

            assertThat(writerStream.notifications()).as("the writer's tools did not change with "
                    + "policy two: one notification, for three; saw %s", writerStream.seen())
                    .isEqualTo(1);
            assertThat(readerStream.notifications()).as("the reader's tools did not change with "
                    + "three; saw %s", readerStream.seen()).isEqualTo(1);

            HttpResponse<String> revoke = HttpCalls.post("http://127.0.0.1:" + port
                    + "/admin/tokens/revoke", TestConfig.ADMIN_KEY,
                    "{\"token-id\": \""
                            + readerToken.get("token-id") + "\"}");
            assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(200);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!readerStream.ended && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(readerStream.ended).as("the revoked token's stream ended; saw %s",
                    readerStream.seen()).isTrue();
            assertThat(writerStream.ended).isFalse();
        }
        try (Listening again = new Listening((String) readerToken.get("token"), null)) {
            assertThat(again.status()).as("a revoked token opens no stream").isEqualTo(401);
        }
    }

    @Test
    void aClientBackAfterAChangeItMissedIsNotifiedAtOnce() throws Exception {
        String agent = KafkaTestBroker.uniqueName("away");
        publish("sha256:before", List.of(grant(agent, Tier.READ.tools())));
        String token = (String) mint(agent).get("token");
        awaitListed(token, names -> names.contains("list_issues") && !names.contains(
                "create_issue"));
        String before;
        try (Listening first = new Listening(token, null)) {
            before = awaitLine(first.lines, line -> line.startsWith("id: tools-"),
                    "priming event", first::seen).substring("id: ".length());
        }
        publish("sha256:while-away", List.of(grant(agent, EnumSet.of(Tool.GET_FILE))));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        // until this replica has read the new policy, the tag is still the one it had
        while (System.nanoTime() < deadline) {
            try (Listening back = new Listening(token, before)) {
                String first = awaitLine(back.lines, line -> line.startsWith("id: "),
                        "first event", back::seen);
                seen.add(first);
                if (!first.equals("id: " + before)) {
                    awaitLine(back.lines, line -> line.contains("list_changed"),
                            "notification", back::seen);
                    assertThat(back.notifications()).isEqualTo(1);
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never told of the change; first events: " + seen);
    }

    @Test
    void aGetThatDoesNotAcceptAnEventStreamIs405() {
        String token = (String) mint(KafkaTestBroker.uniqueName("plain")).get("token");
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(mcp()))
                    .header("Authorization", "Bearer " + token).header("Accept",
                            "application/json")
                    .GET().build(),
                    HttpResponse.BodyHandlers
                            .ofString());
            assertThat(answer.statusCode()).isEqualTo(405);
            assertThat(answer.headers().firstValue("Allow")).contains("GET, POST");
            assertThat(answer.body()).contains("text/event-stream");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
