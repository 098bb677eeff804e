package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.Tool;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reviews: create_pending_review. */
final class ReviewTools {

    private ReviewTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.CREATE_PENDING_REVIEW, ReviewTools::createPendingReview);
    }

    static JsonNode createPendingReview(ToolCall call) {
        Preconditions.check(call);
        long number = call.target().numbers().named().get(0);
        String path = call.repoPath() + "/pulls/" + number + "/reviews";
        for (JsonNode review : call.session().get(path + "?per_page="
                + Results.MARKER_SEARCH_PAGE)) {
            if (Markers.carries(review.path("body").asString(null), call.requestId())) {
                return pick(review, "id", "state", "html_url").put("deduplicated", true);
            }
        }
        // No "event": GitHub keeps the review PENDING until a human submits it.
        ObjectNode body = object().put("body", Markers.withMarker(call.text("body"), call
                .requestId()));
        if (call.text("commit_id") != null) {
            body.put("commit_id", call.text("commit_id"));
        }
        ArrayNode comments = body.putArray("comments");
        for (Args comment : call.args().objects("comments")) {
            comments.addObject().put("path", comment.text("path")).put("line", comment.number(
                    "line")).put("side", comment.text("side")).put("body", comment.text("body"));
        }
        return pick(call.session().call("POST", path, body), "id", "state", "html_url");
    }
}
