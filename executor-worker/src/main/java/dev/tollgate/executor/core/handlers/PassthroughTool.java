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
 * github_api_get (and forgejo_api_get, whose routes its definition limits): a GET of a REST path under the decided repository, and nothing else. The path was
 * normalized and its target parsed by the tool's definition; the decision was made on that target.
 * GitHub's answer is given whole or not at all: one larger than an answer may carry is
 * {@code result_too_large}, saying how many items fit a page.
 */
final class PassthroughTool {

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
            throw Refusal.forbidden(call.tool().toolName() + " path " + path + " is outside the"
                    + " decided"
                    + " repository " + call.target().repository());
        }
        StringBuilder encodedPath = new StringBuilder(call.repoPath());
        for (int i = 4; i < parts.length; i++) {
            encodedPath.append('/').append(encode(parts[i]));
        }
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        new TreeMap<>(call.args().strings("query")).forEach((k, v) -> query.add(encode(k) + "="
                + encode(v)));
        JsonNode answer = whole(call, encodedPath + query.toString(), path);
        if (parts.length > 5 && parts[4].equalsIgnoreCase("contents") && !call.target().paths()
                .named().isEmpty()) {
            // the contents route's one named path: a followed symbolic link answers another
            // (forgejo_api_get names none: its routes count as reading every path)
            ContentsTools.requireDecidedPath(call, call.target().paths().named().get(0), answer);
        }
        return answer;
    }

    /**
     * A forge's answer to GET {@code encodedPath}, whole or not at all: one larger than an
     * answer may carry is {@code result_too_large}, saying how to ask for less ({@code shown}
     * names the path in that message).
     */
    static JsonNode whole(ToolCall call, String encodedPath, String shown) {
        GitHubResponse response = call.session().send("GET", encodedPath, Optional.empty());
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(response));
        }
        String body = response.body();
        JsonNode result = body.isBlank() ? object() : GitHubSession.JSON.readTree(body);
        long size = Narrowing.jsonBytes(result);
        if (size > call.resultBudget()) {
            throw Narrowing.tooLarge("the answer to GET " + shown, size, call.resultBudget(),
                    Narrowing.hint(call, result, size));
        }
        return result;
    }
}
