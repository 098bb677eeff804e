package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Issues: create_issue. */
final class IssueTools {

    private IssueTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.CREATE_ISSUE, IssueTools::createIssue);
    }

    static JsonNode createIssue(ToolCall call) {
        Preconditions.check(call);
        Optional<JsonNode> earlier = findMarked(call, false);
        if (earlier.isPresent()) {
            return issueResult(earlier.get()).put("deduplicated", true);
        }
        ObjectNode body = object().put("title", call.requiredText("title")).put("body", Markers
                .withMarker(call.text("body"), call.requestId()));
        if (!call.target().labels().isEmpty()) {
            call.target().labels().forEach(body.putArray("labels")::add);
        }
        return issueResult(call.session().call("POST", call.repoPath() + "/issues", body));
    }

    /**
     * Finds an issue, or a pull request, carrying this request's marker among the newest (pull
     * requests through the pulls list, which {@code pull_requests} permission can read).
     */
    static Optional<JsonNode> findMarked(ToolCall call, boolean pull) {
        JsonNode recent = call.session().get(call.repoPath() + (pull ? "/pulls" : "/issues")
                + "?state=all&sort=created&direction=desc&per_page="
                + Results.MARKER_SEARCH_PAGE);
        for (JsonNode issue : recent) {
            boolean isPull = pull || issue.has("pull_request");
            if (isPull == pull && Markers.carries(issue.path("body").asString(null), call
                    .requestId())) {
                return Optional.of(issue);
            }
        }
        return Optional.empty();
    }

    static ObjectNode issueResult(JsonNode issue) {
        return pick(issue, "number", "title", "state", "html_url");
    }
}
