package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ToolGrant;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * tools/list and status as the policy's grants on gateway.policy say, read from a real broker:
 * an agent sees the tools its grants and its token can allow, a newer policy replaces them, and a
 * policy event without grants (an older decision worker) lists every tool again.
 */
@SuppressWarnings("unchecked")
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-partition=0"})
class ToolListIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

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
        PolicyEvents.publish("tool-list-it.toml", version, grants);
    }

    private static ToolGrant grant(String agent, Set<Tool> tools) {
        return PolicyEvents.grant(agent, tools);
    }

    private static List<String> names(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    /** Lists until {@code done} holds, at most WAIT; the last list either way. */
    private static List<String> listUntil(McpSyncClient client, Predicate<List<String>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> names = names(client);
        while (!done.test(names) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            names = names(client);
        }
        return names;
    }

    private String mint(String agent) {
        return HttpCalls.mint("http://127.0.0.1:" + port, agent);
    }

    @Test
    void anAgentIsListedWhatItsGrantsCanAllowAndANewerPolicyReplacesThem() throws Exception {
        String reader = KafkaTestBroker.uniqueName("reader");
        String writer = KafkaTestBroker.uniqueName("writer");
        publish("sha256:one", List.of(grant(reader, Tier.READ.tools()), grant(writer, EnumSet.of(
                Tool.CREATE_ISSUE))));

        try (McpSyncClient readerClient = McpClients.connect(port, mint(reader));
                McpSyncClient writerClient = McpClients.connect(port, mint(writer));
                McpSyncClient strangerClient = McpClients.connect(port, mint("stranger"))) {
            readerClient.initialize();
            writerClient.initialize();
            strangerClient.initialize();
            List<String> readerTools = listUntil(readerClient, names -> !names.contains(
                    "create_issue"));
            List<String> writerTools = names(writerClient);
            List<String> strangerTools = names(strangerClient);
            Map<String, Object> status = McpClients.structured(McpClients.call(readerClient,
                    "status", Map.of()));

            assertThat(readerTools).as("a read-only agent").contains("get_file", "status",
                    "get_request_status").noneMatch(
                            name -> Tool.byToolName(name).orElseThrow()
                                    .kind() == Tool.Kind.WRITE);
            assertThat(writerTools).containsExactly("status", "create_issue",
                    "get_request_status");
            assertThat(strangerTools).containsExactly("status", "get_request_status");
            assertThat(status).containsEntry("policy_version", "sha256:one");
            assertThat(status.get("tools")).isEqualTo(readerTools);
            assertThat((List<Map<String, Object>>) status.get("grants")).singleElement()
                    .satisfies(grant -> {
                        assertThat(grant).containsEntry("grant", "grant for " + reader)
                                .containsEntry("repositories", List.of("octo/app"));
                        assertThat((List<String>) grant.get("tools")).contains("get_file");
                    });

            publish("sha256:two", List.of(grant(reader, EnumSet.of(Tool.GET_FILE))));
            List<String> afterEdit = listUntil(readerClient, names -> !names.contains(
                    "list_issues"));

            assertThat(afterEdit).containsExactly("status", "get_file", "get_request_status");

            publish("sha256:old-writer", null);
            List<String> unknown = listUntil(strangerClient, names -> names.size() > 2);

            assertThat(unknown).as("grants unknown: every tool is listed")
                    .containsExactlyElementsOf(ToolCatalogue.standard().names());
        }
    }

    /** A token for {@code agent} in ci narrowed by {@code grantsJson}. */
    private String mintNarrowed(String agent, String grantsJson) {
        return (String) HttpCalls.json(HttpCalls.post("http://127.0.0.1:" + port
                + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent
                        + "\", \"environment\": \"ci\", \"grants\": " + grantsJson + "}"))
                .get("token");
    }

    @Test
    void aNarrowedTokenIsListedOnlyWhatItsNarrowingLeavesOnTheRepositoriesItLeaves()
            throws Exception {
        String agent = KafkaTestBroker.uniqueName("narrowed");
        publish("sha256:three", List.of(grant(agent, Tier.READ.tools())));
        String toTools = mintNarrowed(agent, "{\"tools\": [\"get_file\", \"create_issue\"]}");
        String toOtherRepositories = mintNarrowed(agent, "{\"repositories\": [\"other/*\"]}");
        String toTheGrantedOwner = mintNarrowed(agent, "{\"repositories\": [\"octo/*\"]}");

        try (McpSyncClient tools = McpClients.connect(port, toTools);
                McpSyncClient elsewhere = McpClients.connect(port, toOtherRepositories);
                McpSyncClient owner = McpClients.connect(port, toTheGrantedOwner)) {
            tools.initialize();
            elsewhere.initialize();
            owner.initialize();
            List<String> narrowedToTools = listUntil(tools, names -> !names.contains(
                    "list_issues"));
            List<String> narrowedElsewhere = listUntil(elsewhere, names -> !names.contains(
                    "get_file"));
            List<String> narrowedToOwner = names(owner);

            assertThat(narrowedToTools).as("create_issue is in the token but not in the grants")
                    .containsExactly("status", "get_file", "get_request_status");
            assertThat(narrowedElsewhere).as("narrowed to repositories no grant reaches")
                    .containsExactly("status", "get_request_status");
            assertThat(narrowedToOwner).as("octo/* reaches the grant on octo/app").contains(
                    "get_file", "list_issues").doesNotContain("create_issue");
        }
    }
}
