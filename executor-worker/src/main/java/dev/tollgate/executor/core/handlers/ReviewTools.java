package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reviews: pending reviews created, updated, deleted and submitted; review comments listed and
 * replied to.
 *
 * <p>Every agent's reviews are made by the same GitHub App, so GitHub cannot tell them apart: a
 * pending review's body ends with the marker of the agent whose request created it
 * ({@link Markers#withOwner}), and update, delete and submit act only on a pending review whose
 * last line names the calling agent. An agent's own text always comes before that line, so it
 * cannot name another.
 */
final class ReviewTools {

    private ReviewTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.CREATE_PENDING_REVIEW, ReviewTools::createPendingReview,
                Tool.UPDATE_PENDING_REVIEW, ReviewTools::updatePendingReview,
                Tool.DISCARD_PENDING_REVIEW, ReviewTools::discardPendingReview,
                Tool.SUBMIT_PENDING_REVIEW, ReviewTools::submitPendingReview,
                Tool.LIST_REVIEW_COMMENTS, ReviewTools::listReviewComments,
                Tool.REPLY_TO_REVIEW_COMMENT, ReviewTools::replyToReviewComment);
    }

    /** The summary replaced, the markers kept: {@code PUT /pulls/{n}/reviews/{id}}. */
    static JsonNode updatePendingReview(ToolCall call) {
        String path = reviewPath(call);
        JsonNode review = ownPending(call, call.session().get(path));
        String markers = Markers.trailingMarkers(review.path("body").asString()).orElse(Markers
                .agent(call.session().agentId()));
        ObjectNode body = object().put("body", call.requiredText("body") + "\n\n" + markers);
        return pick(call.session().call("PUT", path, body), "id", "state", "html_url");
    }

    /**
     * {@code DELETE /pulls/{n}/reviews/{id}}; a review already gone (a redelivery, or deleted by
     * hand) is answered as such without a write.
     */
    static JsonNode discardPendingReview(ToolCall call) {
        String path = reviewPath(call);
        Optional<JsonNode> review = call.session().find(path);
        if (review.isEmpty()) {
            return object().put("id", call.args().number("review_id")).put("deleted", false).put(
                    "already_gone", true);
        }
        ownPending(call, review.get());
        call.session().call("DELETE", path, null);
        return object().put("id", call.args().number("review_id")).put("deleted", true);
    }

    /**
     * {@code POST /pulls/{n}/reviews/{id}/events} with COMMENT or REQUEST_CHANGES; a review of
     * this agent's that is already submitted (a redelivery) is answered as it is.
     */
    static JsonNode submitPendingReview(ToolCall call) {
        String path = reviewPath(call);
        JsonNode review = call.session().get(path);
        String owner = owned(call, review);
        if (!"PENDING".equals(review.path("state").asString())) {
            return pick(review, "id", "state", "html_url").put("already_submitted", true);
        }
        // GitHub needs a body for COMMENT and REQUEST_CHANGES: the one given, else the review's
        String text = call.text("body");
        String body = text == null
                ? review.path("body").asString()
                : text + "\n\n" + Markers.trailingMarkers(review.path("body").asString())
                        .orElse(Markers.agent(owner));
        ObjectNode event = object().put("event", call.text("event")).put("body", body);
        return pick(call.session().call("POST", path + "/events", event), "id", "state",
                "html_url");
    }

    private static String reviewPath(ToolCall call) {
        return call.repoPath() + "/pulls/" + call.target().numbers().named().get(0) + "/reviews/"
                + call.args().number("review_id");
    }

    /** The review, if it is pending and this agent's; else a refusal naming why. */
    private static JsonNode ownPending(ToolCall call, JsonNode review) {
        owned(call, review);
        if (!"PENDING".equals(review.path("state").asString())) {
            throw Refusal.forbidden("review " + review.path("id").asLong() + " is "
                    + review.path("state").asString("not pending").toLowerCase(Locale.ROOT)
                    + ", not pending: only a pending review can be changed or deleted");
        }
        return review;
    }

    /** The review's owner, if it is the calling agent; else a refusal. */
    private static String owned(ToolCall call, JsonNode review) {
        Optional<String> owner = Markers.owner(review.path("body").asString(null));
        if (owner.isEmpty() || !owner.get().equals(call.session().agentId())) {
            throw Refusal.forbidden("review " + review.path("id").asLong() + " was not started "
                    + "by this agent through the gateway (create_pending_review): an agent "
                    + "changes only its own pending reviews");
        }
        return owner.get();
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
        ObjectNode body = object().put("body", Markers.withOwner(call.text("body"), call
                .requestId(), call.session().agentId()));
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
