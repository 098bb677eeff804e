package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Issues: read one, list them and their comments, open, comment on and update them. */
final class IssueTools {

    private IssueTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.GET_ISSUE, IssueTools::getIssue, Tool.LIST_ISSUES,
                IssueTools::listIssues, Tool.LIST_ISSUE_COMMENTS, IssueTools::listComments,
                Tool.CREATE_ISSUE, IssueTools::createIssue, Tool.COMMENT_ON_ISSUE,
                IssueTools::commentOnIssue, Tool.UPDATE_ISSUE, IssueTools::updateIssue);
    }

    static JsonNode getIssue(ToolCall call) {
        return issue(call.session().get(call.repoPath() + "/issues/" + number(call)), true);
    }

    static JsonNode listIssues(ToolCall call) {
        StringJoiner query = new StringJoiner("&", "?", "");
        query.add("state=" + call.text("state"));
        List<String> labels = call.args().texts("labels");
        if (!labels.isEmpty()) {
            query.add("labels=" + encode(String.join(",", labels)));
        }
        query.add("sort=updated").add("per_page=" + call.args().number("per_page")).add("page="
                + call.args().number("page"));
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/issues" + query).forEach(issue -> result.add(
                issue(issue, false)));
        return result;
    }

    static JsonNode listComments(ToolCall call) {
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/issues/" + number(call) + "/comments?per_page="
                + call.args().number("per_page") + "&page=" + call.args().number("page"))
                .forEach(comment -> result.add(pick(comment, "id", "body", "created_at",
                        "updated_at", "html_url").put("author",
                                comment.path("user").path(
                                        "login").asString(null))));
        return result;
    }

    /** A comment on the conversation, found again by its marker when redelivered. */
    static JsonNode commentOnIssue(ToolCall call) {
        Preconditions.check(call);
        return PullTools.comment(call, number(call));
    }

    /** A PATCH of the fields given; labels and assignees replace what is there. */
    static JsonNode updateIssue(ToolCall call) {
        Preconditions.check(call);
        ObjectNode body = object();
        for (String field : List.of("title", "body", "state")) {
            if (call.text(field) != null) {
                body.put(field, call.text(field));
            }
        }
        if (call.args().values().containsKey("labels")) {
            call.args().texts("labels").forEach(body.putArray("labels")::add);
        }
        if (call.args().values().containsKey("assignees")) {
            call.args().texts("assignees").forEach(body.putArray("assignees")::add);
        }
        if (body.isEmpty()) {
            throw Refusal.invalid("update_issue changes nothing: give a title, body, state,"
                    + " labels or assignees");
        }
        return issue(call.session().call("PATCH", call.repoPath() + "/issues/" + number(call),
                body), false);
    }

    private static long number(ToolCall call) {
        return call.target().numbers().named().get(0);
    }

    /** An issue as agents see it; the body only when one issue is asked for. */
    private static ObjectNode issue(JsonNode issue, boolean withBody) {
        ObjectNode result = pick(issue, "number", "title", "state", "comments", "created_at",
                "updated_at", "html_url");
        if (withBody) {
            result.put("body", issue.path("body").asString(null));
        }
        result.put("author", issue.path("user").path("login").asString(null));
        result.put("is_pull_request", issue.has("pull_request"));
        ArrayNode labels = result.putArray("labels");
        issue.path("labels").forEach(label -> labels.add(label.path("name").asString()));
        ArrayNode assignees = result.putArray("assignees");
        issue.path("assignees").forEach(user -> assignees.add(user.path("login").asString()));
        return result;
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
        if (!call.mayHaveWrittenBefore()) {
            return Optional.empty(); // no earlier delivery can have written: nothing to find
        }
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
