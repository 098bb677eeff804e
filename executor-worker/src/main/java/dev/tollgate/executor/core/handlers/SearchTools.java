package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Code and issue search inside the one repository the call names. The query the agent gives has
 * no scope qualifier (the tools module refuses {@code repo:}, {@code org:}, {@code user:}); the
 * gateway adds {@code repo:owner/name}, the token is minted for that repository only, and every
 * result outside it is dropped again here, so what GitHub's query parser or public repositories
 * would add never reaches the agent.
 */
final class SearchTools {

    private SearchTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.SEARCH_CODE, SearchTools::searchCode, Tool.SEARCH_ISSUES,
                SearchTools::searchIssues);
    }

    /** Files whose code matches, best match first. */
    static JsonNode searchCode(ToolCall call) {
        String full = call.owner() + "/" + call.repo();
        JsonNode answer = call.session().get(searchPath("code", call));
        return results(answer, item -> full.equalsIgnoreCase(item.path("repository").path(
                "full_name").asString("")), item -> pick(item, "name", "path", "sha",
                        "html_url"));
    }

    /** Issues and pull requests that match, best match first. */
    static JsonNode searchIssues(ToolCall call) {
        String suffix = ("/repos/" + call.owner() + "/" + call.repo()).toLowerCase(Locale.ROOT);
        JsonNode answer = call.session().get(searchPath("issues", call));
        return results(answer, item -> item.path("repository_url").asString("").toLowerCase(
                Locale.ROOT).endsWith(suffix), item -> {
                    ObjectNode one = pick(item, "number", "title", "state", "html_url",
                            "created_at", "updated_at", "comments");
                    one.put("pull_request", item.has("pull_request"));
                    one.put("author", item.path("user").path("login").asString(null));
                    ArrayNode labels = one.putArray("labels");
                    item.path("labels").forEach(label -> labels.add(label.path("name")
                            .asString("")));
                    return one;
                });
    }

    private static String searchPath(String kind, ToolCall call) {
        String query = call.requiredText("query") + " repo:" + call.owner() + "/" + call.repo();
        return "/search/" + kind + "?q=" + encode(query) + "&per_page=" + call.args().number(
                "per_page") + "&page=" + call.args().number("page");
    }

    private static JsonNode results(JsonNode answer, Predicate<JsonNode> inRepository,
            Function<JsonNode, ObjectNode> view) {
        ObjectNode result = object().put("total_count", answer.path("total_count").asLong())
                .put("incomplete_results", answer.path("incomplete_results").asBoolean(false));
        ArrayNode items = result.putArray("items");
        int dropped = 0;
        for (JsonNode item : answer.path("items")) {
            if (inRepository.test(item)) {
                items.add(view.apply(item));
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            result.put("dropped_outside_repository", dropped);
        }
        return result;
    }
}
