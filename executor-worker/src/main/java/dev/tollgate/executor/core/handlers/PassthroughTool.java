package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;

import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubSession;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * github_api_get: a GET of a REST path under the decided repository, and nothing else. The path was
 * normalized and its target parsed by the tool's definition; the decision was made on that target.
 */
final class PassthroughTool {

    /** How much of a passthrough answer an agent gets. */
    static final int MAX_PASSTHROUGH_CHARS = 512 * 1024;

    private PassthroughTool() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.GITHUB_API_GET, PassthroughTool::get);
    }

    static JsonNode get(ToolCall call) {
        String path = call.requiredText("path");
        String[] parts = path.split("/", -1);
        if (parts.length < 4 || !parts[0].isEmpty() || !parts[1].equals("repos")
                || !(parts[2] + "/" + parts[3]).equals(call.target().repository())) {
            throw Refusal.forbidden("github_api_get path " + path + " is outside the decided"
                    + " repository " + call.target().repository());
        }
        StringBuilder encodedPath = new StringBuilder(call.repoPath());
        for (int i = 4; i < parts.length; i++) {
            encodedPath.append('/').append(encode(parts[i]));
        }
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        new TreeMap<>(call.args().strings("query")).forEach((k, v) -> query.add(encode(k) + "="
                + encode(v)));
        GitHubResponse response = call.session().send("GET", encodedPath + query.toString(),
                Optional.empty());
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(response));
        }
        String body = response.body();
        if (body.length() > MAX_PASSTHROUGH_CHARS) {
            return object().put("truncated", true).put("body", body.substring(0,
                    MAX_PASSTHROUGH_CHARS));
        }
        return body.isBlank() ? object() : GitHubSession.JSON.readTree(body);
    }
}
