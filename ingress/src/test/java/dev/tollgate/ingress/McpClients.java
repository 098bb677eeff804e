package dev.tollgate.ingress;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** The MCP Java SDK's own client over Streamable HTTP, as an agent would use it. */
public final class McpClients {

    public static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(JsonMapper
            .builder().build());

    private McpClients() {
    }

    public static McpSyncClient connect(int port, String token) {
        return connect(port, token, List.of("2025-03-26", "2025-06-18", "2025-11-25"));
    }

    public static McpSyncClient connect(int port, String token, List<String> protocolVersions) {
        HttpRequest.Builder requests = HttpRequest.newBuilder();
        if (token != null) {
            requests.header("Authorization", "Bearer " + token);
        }
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                "http://127.0.0.1:" + port).endpoint("/mcp").requestBuilder(requests)
                .jsonMapper(MAPPER).supportedProtocolVersions(protocolVersions).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(40))
                .initializationTimeout(Duration.ofSeconds(20)).build();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    public static McpSchema.CallToolResult call(McpSyncClient client, String tool,
            Map<String, Object> arguments) {
        return client
                .callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
    }
}
