package dev.tollgate.bench;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Agents of the gateway: MCP sessions over Streamable HTTP with the MCP Java SDK's client, opened
 * once and reused for every call, as real agents do. The SDK's HTTP client runs on this class's
 * own executor, never on the common pool (on 2 cores that pool is one thread).
 */
final class Gateway implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JacksonMcpJsonMapper MCP_JSON = new JacksonMcpJsonMapper(JSON);

    private final String baseUrl;
    private final String token;
    private final ExecutorService httpThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<McpSyncClient> open = new java.util.concurrent.CopyOnWriteArrayList<>();

    Gateway(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** Mints a gateway token with the admin API. */
    static String mintToken(String baseUrl, String adminKey, String agent) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl
                    + "/admin/tokens")).header("Authorization", "Bearer " + adminKey).header(
                            "Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"agent\":\"" + agent
                            + "\",\"environment\":\"bench\",\"expires-in\":3600}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 && response.statusCode() != 201) {
                throw new IllegalStateException("POST /admin/tokens answered " + response
                        .statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body()).get("token").asString();
        }
    }

    /** Opens (initializes) one MCP session. */
    McpSyncClient session() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                baseUrl).endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header(
                        "Authorization", "Bearer " + token))
                .customizeClient(client -> client.executor(httpThreads).version(
                        HttpClient.Version.HTTP_1_1))
                .jsonMapper(MCP_JSON).build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        open.add(client);
        return client;
    }

    /** One {@code get_file} call; true when the gateway answered {@code succeeded}. */
    static boolean getFile(McpSyncClient client, String owner, String repo) {
        McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder(
                "get_file").arguments(Map.of("owner", owner, "repo", repo, "path", "README.md"))
                .build());
        return succeeded(result);
    }

    static boolean succeeded(McpSchema.CallToolResult result) {
        if (Boolean.TRUE.equals(result.isError())) {
            return false;
        }
        return result.structuredContent() instanceof Map<?, ?> map && "succeeded".equals(map.get(
                "status"));
    }

    static String describe(McpSchema.CallToolResult result) {
        Object structured = result.structuredContent();
        if (structured != null) {
            return structured.toString();
        }
        JsonNode text = JSON.valueToTree(result.content());
        return text.toString();
    }

    @Override
    public void close() {
        for (McpSyncClient client : open) {
            try {
                client.closeGracefully();
            } catch (RuntimeException e) {
                // the run is over; a session that does not close cleanly changes no figure
            }
        }
        httpThreads.shutdownNow();
    }
}
