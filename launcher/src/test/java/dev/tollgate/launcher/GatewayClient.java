package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the launcher's tests run a standalone against the GitHub stand-in, and reach it: as its
 * admin, and as an agent over MCP.
 */
final class GatewayClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private GatewayClient() {
    }

    /**
     * The standalone with every role: data under {@code runDir}, the policy file, the test App
     * (its key file) on {@code github}, the admin key, and {@code more} launcher arguments.
     */
    static TollgateLauncher start(Path runDir, Path policy, Path appKey, GitHubStandIn github,
            String adminKey, String... more) {
        List<String> args = new ArrayList<>(List.of("--data-dir", runDir.toString(),
                "--kafka-port", "0", "--server.port=0", "--tollgate.policy.file=" + policy,
                "--tollgate.github.app-id=" + TestApp.APP_ID, "--tollgate.github.private-key-file="
                        + appKey,
                "--tollgate.github.api-url=" + github.apiUrlText(),
                "--tollgate.admin-key=" + adminKey));
        args.addAll(List.of(more));
        return TollgateLauncher.start(LauncherOptions.parse(args.toArray(String[]::new), Map
                .of()));
    }

    /** Stops what {@link #start} started, either of them possibly never started. */
    static void stop(TollgateLauncher tollgate, GitHubStandIn github) {
        if (tollgate != null) {
            tollgate.close();
        }
        if (github != null) {
            github.close();
        }
    }

    /** A gateway token for {@code agent} in {@code environment}, minted with the admin key. */
    static String mint(int port, String adminKey, String agent, String environment)
            throws IOException, InterruptedException {
        return mint(port, adminKey, agent, environment, null);
    }

    /** A token narrowed by {@code grantsJson} (the mint request's {@code grants}), or not (null). */
    static String mint(int port, String adminKey, String agent, String environment,
            String grantsJson) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/admin/tokens"))
                .header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"agent\":\"" + agent
                        + "\",\"environment\":\"" + environment + "\",\"expires-in\":600"
                        + (grantsJson == null ? "" : ",\"grants\":" + grantsJson) + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("token").asString();
    }

    /** An MCP client (Streamable HTTP) holding {@code token}; not yet initialized. */
    static McpSyncClient connect(int port, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + port).endpoint("/mcp").requestBuilder(HttpRequest
                        .newBuilder().header("Authorization", "Bearer " + token))
                .jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(40))
                .initializationTimeout(Duration.ofSeconds(20)).build();
    }

    /**
     * A client that opens the server stream when it connects and hands each tool list it is sent
     * after a notifications/tools/list_changed to {@code toolsChanged}.
     */
    static McpSyncClient listening(int port, String token,
            java.util.function.Consumer<List<McpSchema.Tool>> toolsChanged) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + port).endpoint("/mcp").requestBuilder(HttpRequest
                        .newBuilder().header("Authorization", "Bearer " + token))
                .openConnectionOnStartup(true).jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(40))
                .initializationTimeout(Duration.ofSeconds(20)).toolsChangeConsumer(toolsChanged)
                .build();
    }

    /** A tool call's structured answer. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient agent, String tool,
            Map<String, Object> arguments) {
        McpSchema.CallToolResult result = agent.callTool(McpSchema.CallToolRequest.builder(tool)
                .arguments(arguments).build());
        return (Map<String, Object>) result.structuredContent();
    }
}
