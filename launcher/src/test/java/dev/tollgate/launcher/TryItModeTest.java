package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.JiraStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.tools.ErrorCode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A GitHub App is either configured whole, or not at all (try-it mode): a half-configured one
 * fails start-up naming the problem, and in try-it mode a call the policy allows is answered
 * {@code github_not_configured} instead of waiting for an executor that does not run.
 */
class TryItModeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN_KEY = "try-it-admin-key-0123456789abcdef0123456789";

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anAppIdWithAnUnreadableKeyFailsStartUpNamingTheKeyBeforeAnythingStarts() {
        Path run = data.resolve("run");
        String[] args = {"--data-dir", run.toString(), "--kafka-port", "0", "--server.port=0",
                "--tollgate.github.app-id=" + TestApp.APP_ID,
                "--tollgate.github.private-key-file=" + data.resolve("missing.pem")};

        assertThatThrownBy(() -> TollgateLauncher.start(LauncherOptions.parse(args, Map.of())))
                .hasMessageContaining("executor-worker is configured but cannot start")
                .hasMessageContaining("tollgate.github.private-key-file").hasMessageContaining(
                        "missing.pem");
        assertThat(run).as("nothing started, not even the data folder").doesNotExist();
    }

    @Test
    void aKeyWithoutAnAppIdFailsTollgateRunWithTheReasonAndExitCodeOne() throws Exception {
        Path key = TestApp.writeKeyFile(Files.createDirectories(data.resolve("keys")),
                "app-pkcs1.pem");
        Path notKey = Files.writeString(data.resolve("keys/not-a-key.pem"), "hello");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int noAppId = run(out, err, "--tollgate.github.private-key-file=" + key);
        String noAppIdErr = err.toString(StandardCharsets.UTF_8);
        err.reset();
        int notAKey = run(out, err, "--tollgate.github.app-id=" + TestApp.APP_ID,
                "--tollgate.github.private-key-file=" + notKey);

        assertThat(noAppId).as(noAppIdErr).isEqualTo(1);
        assertThat(noAppIdErr).contains("could not start", "tollgate.github.app-id is not set");
        assertThat(notAKey).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("could not start",
                "not a PEM RSA private key").doesNotContain("hello");
    }

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... settings) {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.resolve("run")
                .toString(), "--kafka-port", "0", "--server.port=0"));
        args.addAll(List.of(settings));
        return RunCommand.commandLine(Map.of(), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args.toArray(String[]::new));
    }

    @Test
    void withoutAnyAppAnAllowedCallIsAnsweredGithubNotConfiguredAndADeniedOneIsDenied()
            throws Exception {
        Path policy = Files.writeString(data.resolve("policy.toml"), """
                version = 1

                [[grant]]
                name = "try-it agent reads hello-world"
                agents = ["agent-try"]
                repos = ["octo-org/hello-world"]
                allow = ["read"]
                """);
        allowedIsNotConfiguredAndDeniedIsDenied("--tollgate.policy.file=" + policy);
    }

    /** The same with the policy as service-gator's command line gives it, to tollgate run. */
    @Test
    void theSameWithServiceGatorsCommandLineInsteadOfAPolicyFile() throws Exception {
        allowedIsNotConfiguredAndDeniedIsDenied("--gh-repo", "octo-org/hello-world:read");
    }

    private void allowedIsNotConfiguredAndDeniedIsDenied(String... policy) throws Exception {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.resolve("run").toString(),
                "--kafka-port", "0", "--server.port=0", "--tollgate.admin-key=" + ADMIN_KEY));
        args.addAll(List.of(policy));
        try (TollgateLauncher tollgate = TollgateLauncher.start(LauncherOptions.parse(args
                .toArray(String[]::new), Map.of()));
                McpSyncClient agent = connect(tollgate, mintGatewayToken(
                        tollgate, "agent-try"))) {
            agent.initialize();

            Map<String, Object> allowed = finalAnswer(agent, call(agent, "get_file", Map.of(
                    "owner", "octo-org", "repo", "hello-world", "path", "README.md")));
            Map<String, Object> denied = finalAnswer(agent, call(agent, "get_file", Map.of(
                    "owner", "octo-org", "repo", "secrets", "path", "key.txt")));

            assertThat(allowed.get("status")).as(allowed.toString()).isEqualTo("failed");
            assertThat(allowed.get("error_code")).as(allowed.toString()).isEqualTo(
                    ErrorCode.GITHUB_NOT_CONFIGURED.code());
            assertThat(allowed.get("retryable")).isEqualTo(false);
            assertThat((String) allowed.get("message")).contains("without a GitHub App",
                    "tollgate.github.app-id");
            assertThat(denied.get("status")).as(denied.toString()).isEqualTo("denied");
            assertThat(denied.get("error_code")).isEqualTo(ErrorCode.POLICY_DENIED.code());
        }
    }

    /**
     * Without a GitHub App but with another forge, the executor starts and acts on that forge
     * alone: a JIRA search is performed with the site's token, and a GitHub call the policy
     * allows is answered github_not_configured by the executor instead of waiting.
     */
    @Test
    void withOnlyAJiraSiteTheExecutorActsOnJiraAndAnswersGitHubCallsNotConfigured()
            throws Exception {
        Path policy = Files.writeString(data.resolve("policy.toml"), """
                [gh.repos]
                "octo-org/hello-world" = { read = true }
                [jira.projects]
                "PROJ" = { read = true }
                """);
        // a Data Center service account's OAuth 2.0 client credentials, the secret in a file
        Path secret = Files.writeString(data.resolve("jira-client-secret"), "svc-secret-1\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions
                .fromString("rw-------"));
        try (JiraStandIn jira = JiraStandIn.dataCenter()) {
            jira.serviceAccount("svc-client", "svc-secret-1", java.time.Duration.ofHours(1));
            jira.project("PROJ", "Project");
            jira.issue("PROJ", "Works without GitHub", "d");
            List<String> args = List.of("--data-dir", data.resolve("run").toString(),
                    "--kafka-port", "0", "--server.port=0", "--tollgate.admin-key=" + ADMIN_KEY,
                    "--tollgate.policy.file=" + policy, "--tollgate.jira.api-url=" + jira
                            .apiUrl(),
                    "--tollgate.jira.oauth.client-id=svc-client",
                    "--tollgate.jira.oauth.client-secret-file=" + secret);
            try (TollgateLauncher tollgate = TollgateLauncher.start(LauncherOptions.parse(args
                    .toArray(String[]::new), Map.of()));
                    McpSyncClient agent = connect(tollgate, mintGatewayToken(tollgate,
                            "agent-try"))) {
                agent.initialize();

                Map<String, Object> found = finalAnswer(agent, call(agent, "jira_search", Map.of(
                        "project", "PROJ")));
                Map<String, Object> github = finalAnswer(agent, call(agent, "get_file", Map.of(
                        "owner", "octo-org", "repo", "hello-world", "path", "README.md")));

                assertThat(found.get("status")).as(found.toString()).isEqualTo("succeeded");
                assertThat(found.toString()).contains("Works without GitHub");
                assertThat(github.get("status")).as(github.toString()).isEqualTo("failed");
                assertThat(github.get("error_code")).isEqualTo(ErrorCode.GITHUB_NOT_CONFIGURED
                        .code());
                assertThat((String) github.get("message")).contains("no GitHub App",
                        "jira:jira", "tollgate.github.app-id");
            }
            assertThat(jira.tokensIssued()).as("one access token, from the site's own token"
                    + " endpoint").isEqualTo(1);
            assertThat(jira.received()).filteredOn(received -> received.path().startsWith(
                    "/rest/api/")).isNotEmpty().allSatisfy(received -> {
                        assertThat(received.authorization()).startsWith("Bearer atl-oauth-");
                        assertThat(received.toString()).doesNotContain("svc-secret-1");
                    });
        }
    }

    /**
     * The final answer: the call's own, or (on a machine so busy that the ingress stopped waiting)
     * the one get_request_status gives once it is there. No timing is asserted: only that a final
     * answer arrives, where without try-it mode none ever would.
     */
    private static Map<String, Object> finalAnswer(McpSyncClient agent,
            Map<String, Object> answer) {
        Map<String, Object> last = answer;
        for (int asked = 0; "pending".equals(last.get("status")); asked++) {
            assertThat(asked).as("still pending after %d get_request_status calls: %s", asked,
                    last).isLessThan(10);
            last = call(agent, "get_request_status", Map.of("request_id", answer.get(
                    "request_id")));
        }
        return last;
    }

    private String mintGatewayToken(TollgateLauncher tollgate, String agent) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + tollgate.httpPort() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"agent\":\"" + agent
                        + "\",\"environment\":\"dev\",\"expires-in\":600}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("token").asString();
    }

    private static McpSyncClient connect(TollgateLauncher tollgate, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + tollgate.httpPort()).endpoint("/mcp").requestBuilder(
                        HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(40))
                .initializationTimeout(Duration.ofSeconds(20)).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> call(McpSyncClient agent, String tool,
            Map<String, Object> arguments) {
        McpSchema.CallToolResult result = agent.callTool(McpSchema.CallToolRequest.builder(tool)
                .arguments(arguments).build());
        return (Map<String, Object>) result.structuredContent();
    }
}
