package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.Tool;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reviews: create_pending_review, list_review_comments, reply_to_review_comment. */
final class ReviewTools {

    private ReviewTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.CREATE_PENDING_REVIEW, ReviewTools::createPendingReview,
                Tool.LIST_REVIEW_COMMENTS, ReviewTools::listReviewComments,
                Tool.REPLY_TO_REVIEW_COMMENT, ReviewTools::replyToReviewComment);
    }

    /** One page of {@code GET /pulls/{n}/comments}, oldest first as GitHub lists them. */
    static JsonNode listReviewComments(ToolCall call) {
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/pulls/" + call.target().numbers().named().get(0)
                + "/comments?per_page=" + call.args().number("per_page") + "&page=" + call
                        .args().number("page"))
                .forEach(comment -> {
                    ObjectNode picked = pick(comment, "id", "path", "line", "side",
                            "in_reply_to_id", "diff_hunk", "body", "created_at", "html_url");
                    picked.put("author", comment.path("user").path("login").asString(null));
                    result.add(picked);
                });
        return result;
    }

    /**
     * {@code POST /pulls/{n}/comments/{id}/replies} carrying the request's marker, after a search
     * of the pull request's newest review comments for it (a redelivery returns the reply made).
     */
    static JsonNode replyToReviewComment(ToolCall call) {
        Preconditions.check(call);
        String pull = call.repoPath() + "/pulls/" + call.target().numbers().named().get(0);
        Optional<JsonNode> earlier = Results.marked(call, () -> call.session().get(pull
                + "/comments?sort=created&direction=desc&per_page="
                + Results.MARKER_SEARCH_PAGE));
        if (earlier.isPresent()) {
            return pick(earlier.get(), "id", "in_reply_to_id", "html_url").put("deduplicated",
                    true);
        }
        ObjectNode body = object().put("body", Markers.withMarker(call.requiredText("body"), call
                .requestId()));
        return pick(call.session().call("POST", pull + "/comments/" + call.args().number(
                "comment_id") + "/replies", body), "id", "in_reply_to_id", "html_url");
    }

    static JsonNode createPendingReview(ToolCall call) {
        Preconditions.check(call);
        long number = call.target().numbers().named().get(0);
        String path = call.repoPath() + "/pulls/" + number + "/reviews";
        // GitHub lists reviews oldest first, with neither a sort nor a since: a redelivery's
        // review is among the newest, so the last pages are searched (Results.newestOf).
        Optional<JsonNode> earlier = Results.marked(call, () -> Results.newestOf(call, path));
        if (earlier.isPresent()) {
            return pick(earlier.get(), "id", "state", "html_url").put("deduplicated", true);
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
