package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;

import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Jql;
import dev.tollgate.tools.Tool;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JIRA tools, on its REST API v2 (paths relative to {@code https://site/rest/api/2}), which
 * JIRA Cloud and Data Center both serve; Cloud searches through {@code /search/jql} (its
 * {@code /search} is removed), Data Center through {@code /search}, as the site's credential
 * says ({@code tollgate.jira.deployment}).
 *
 * <p>Every call stays in the project the policy decided on: a search is narrowed by
 * {@link Jql#narrow} and its answer filtered again by project; an issue key is checked to be in
 * that project before anything is read from or written to it (JIRA answers a moved issue's old
 * key with the issue in its new project). Writes happen at most once per request: a created
 * issue carries a {@value #LABEL_PREFIX}… label and a comment a {@value #PROPERTY} property that
 * a redelivery looks for; a transition is not made again once the issue has its status.
 */
final class JiraTools {

    /** The label a created issue carries, with the request ID after it. */
    static final String LABEL_PREFIX = Jql.GATEWAY_LABEL_PREFIX;
    /** The comment property that names the request that wrote it. */
    static final String PROPERTY = "tollgate.request";

    private static final String SEARCH_FIELDS = "summary,status,issuetype,labels,created,"
            + "updated,project";
    private static final String ISSUE_FIELDS = "summary,description,status,issuetype,labels,"
            + "created,updated,project,reporter";

    private JiraTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.JIRA_SEARCH, JiraTools::search, Tool.JIRA_GET_ISSUE,
                JiraTools::getIssue, Tool.JIRA_CREATE_ISSUE, JiraTools::createIssue,
                Tool.JIRA_ADD_COMMENT, JiraTools::addComment, Tool.JIRA_TRANSITION_ISSUE,
                JiraTools::transition);
    }

    /** Whether the site is JIRA Cloud, as its credential says. */
    static boolean cloud(ToolCall call) {
        return call.session().hostCredential().filter(
                credential -> credential instanceof GitHubRequest.Credential.JiraToken token
                        && token.cloud())
                .isPresent();
    }

    private static String project(ToolCall call) {
        return call.target().owner();
    }

    private static String issueKey(ToolCall call) {
        return call.requiredText("issue_key");
    }

    private static String issuePath(ToolCall call) {
        return "/issue/" + Paths.encode(issueKey(call));
    }

    /** Whether a JIRA issue (as answered) is in the decided project. */
    private static boolean inProject(ToolCall call, JsonNode issue) {
        return issue.path("fields").path("project").path("key").asString("").equalsIgnoreCase(
                project(call));
    }

    /**
     * The issue ({@code fields}, and whatever {@code &expand=} asks for), read only when it is in
     * the decided project: JIRA answers an issue moved to
     * another project under its old key too, and the policy spoke about this one.
     */
    private static JsonNode issueInProject(ToolCall call, String fields) {
        JsonNode issue = call.session().get(issuePath(call) + "?fields=" + fields);
        if (!inProject(call, issue)) {
            // without naming where it went: that project's key is not the agent's to learn
            throw Refusal.forbidden(issueKey(call) + " has moved to another project: the policy"
                    + " allowed project " + project(call) + " only; nothing was done");
        }
        return issue;
    }

    /**
     * One page of the project's issues matching the agent's JQL, narrowed to the project. An
     * issue JIRA answers outside the project (it should answer none: a project named like the
     * granted key, where no project has that key, is one way) is dropped unseen and uncounted,
     * and a page that held one has no next page: a count, or paging through JIRA's total, would
     * tell the agent how many of another project's issues match a query of its choosing.
     */
    static JsonNode search(ToolCall call) {
        String jql = Jql.narrow(project(call), call.text("jql"));
        Page page = page(call, jql, call.args().number("max_results"), call.text("next_page"));
        ArrayNode issues = array();
        boolean outside = false;
        for (JsonNode issue : page.issues()) {
            if (inProject(call, issue)) {
                issues.add(summary(issue));
            } else {
                outside = true;
            }
        }
        ObjectNode result = object().put("project", project(call)).put("jql", jql);
        result.set("issues", issues);
        return result.put("next_page", outside ? null : page.next().orElse(null));
    }

    /** A page of a search: its issues and the token of the next page, if any. */
    private record Page(Iterable<JsonNode> issues, Optional<String> next) {
    }

    private static Page page(ToolCall call, String jql, long max, String next) {
        String query = "jql=" + Paths.encode(jql) + "&maxResults=" + max + "&fields="
                + SEARCH_FIELDS;
        if (cloud(call)) {
            JsonNode answer = call.session().get("/search/jql?" + query + (next == null
                    ? ""
                    : "&nextPageToken=" + Paths.encode(next)));
            String token = answer.path("nextPageToken").asString(null);
            boolean last = answer.path("isLast").asBoolean(token == null);
            return new Page(answer.path("issues"), last || token == null
                    ? Optional.empty()
                    : Optional.of(token));
        }
        long startAt;
        try {
            startAt = next == null ? 0 : Long.parseLong(next);
        } catch (NumberFormatException e) {
            throw Refusal.invalid("next_page '" + next + "' is not one an earlier answer gave");
        }
        JsonNode answer = call.session().get("/search?" + query + "&startAt=" + startAt);
        long seen = startAt + answer.path("issues").size();
        return new Page(answer.path("issues"), seen < answer.path("total").asLong(0)
                && !answer.path("issues").isEmpty()
                        ? Optional.of(Long.toString(seen))
                        : Optional.empty());
    }

    private static ObjectNode summary(JsonNode issue) {
        JsonNode fields = issue.path("fields");
        ObjectNode entry = object().put("key", issue.path("key").asString(null)).put("summary",
                fields.path("summary").asString(null)).put("status",
                        fields.path("status").path(
                                "name").asString(null))
                .put("type", fields.path("issuetype").path("name")
                        .asString(null));
        entry.set("labels", fields.path("labels").isArray() ? fields.get("labels") : array());
        return entry.put("created", fields.path("created").asString(null)).put("updated", fields
                .path("updated").asString(null));
    }

    /** The issue, its latest 50 comments (newest first) and the transitions it offers now. */
    static JsonNode getIssue(ToolCall call) {
        JsonNode issue = issueInProject(call, ISSUE_FIELDS + "&expand=transitions");
        JsonNode fields = issue.path("fields");
        ObjectNode result = summary(issue).put("project", project(call)).put("description",
                fields.path("description").asString(null)).put("reporter",
                        fields.path(
                                "reporter").path("displayName").asString(null));
        JsonNode comments = call.session().get(issuePath(call)
                + "/comment?maxResults=50&orderBy=-created");
        ArrayNode shaped = result.putArray("comments");
        comments.path("comments").forEach(comment -> shaped.add(object().put("id", comment.path(
                "id").asString(null)).put("author", comment.path("author").path("displayName")
                        .asString(null))
                .put("body", comment.path("body").asString(null)).put(
                        "created", comment.path("created").asString(null))));
        result.put("comment_total", comments.path("total").asLong(shaped.size()));
        ArrayNode transitions = result.putArray("transitions");
        issue.path("transitions").forEach(
                transition -> transitions.add(object().put("id", transition.path("id").asString(
                        null)).put("name", transition.path("name").asString(null)).put("to",
                                transition.path("to").path("name").asString(null))));
        return result;
    }

    /**
     * A new issue in the decided project, labelled with the request's marker: a redelivery
     * finds the issue it created by that label and creates none.
     */
    static JsonNode createIssue(ToolCall call) {
        String label = LABEL_PREFIX + call.requestId();
        if (call.mayHaveWrittenBefore()) {
            String jql = "project = \"" + project(call) + "\" AND labels = \"" + label + "\"";
            for (JsonNode issue : page(call, jql, 1, null).issues()) {
                if (inProject(call, issue)) {
                    return object().put("key", issue.path("key").asString(null)).put("id", issue
                            .path("id").asString(null)).put("deduplicated", true);
                }
            }
        }
        ObjectNode fields = object();
        fields.putObject("project").put("key", project(call));
        fields.put("summary", call.requiredText("summary"));
        fields.putObject("issuetype").put("name", Optional.ofNullable(call.text("issue_type"))
                .orElse("Task"));
        if (call.text("description") != null) {
            fields.put("description", call.text("description"));
        }
        ArrayNode labels = fields.putArray("labels");
        call.args().texts("labels").forEach(labels::add);
        labels.add(label);
        ObjectNode body = object();
        body.set("fields", fields);
        JsonNode created = call.session().call("POST", "/issue", body);
        return object().put("key", created.path("key").asString(null)).put("id", created.path(
                "id").asString(null)).put("project", project(call));
    }

    /**
     * A comment carrying a {@value #PROPERTY} property that names the request: a redelivery
     * finds it among the issue's comments and writes none.
     */
    static JsonNode addComment(ToolCall call) {
        issueInProject(call, "project");
        if (call.mayHaveWrittenBefore()) {
            JsonNode comments = call.session().get(issuePath(call)
                    + "/comment?expand=properties&maxResults=100&orderBy=-created");
            for (JsonNode comment : comments.path("comments")) {
                for (JsonNode property : comment.path("properties")) {
                    if (property.path("key").asString("").equals(PROPERTY) && property.path(
                            "value").path("id").asString("").equals(call.requestId())) {
                        return commentResult(call, comment).put("deduplicated", true);
                    }
                }
            }
        }
        ObjectNode body = object().put("body", call.requiredText("body"));
        body.putArray("properties").add(object().put("key", PROPERTY).set("value", object().put(
                "id", call.requestId())));
        return commentResult(call, call.session().call("POST", issuePath(call) + "/comment",
                body));
    }

    private static ObjectNode commentResult(ToolCall call, JsonNode comment) {
        return object().put("issue_key", issueKey(call)).put("comment_id", comment.path("id")
                .asString(null)).put("created", comment.path("created").asString(null));
    }

    /**
     * The transition the agent named (by ID or name, any case), made unless the issue already
     * has the status it leads to; a transition the issue does not offer is refused with those
     * it does.
     */
    static JsonNode transition(ToolCall call) {
        JsonNode issue = issueInProject(call, "project,status&expand=transitions");
        String wanted = call.requiredText("transition").strip();
        String status = issue.path("fields").path("status").path("name").asString("");
        JsonNode offered = issue.path("transitions");
        JsonNode chosen = null;
        java.util.List<String> names = new java.util.ArrayList<>();
        for (JsonNode transition : offered) {
            names.add(transition.path("name").asString("") + " (" + transition.path("id")
                    .asString("") + ")");
            if (transition.path("id").asString("").equals(wanted) || transition.path("name")
                    .asString("").equalsIgnoreCase(wanted)) {
                chosen = transition;
            }
        }
        if (chosen == null) {
            if (status.equalsIgnoreCase(wanted)) {
                return object().put("issue_key", issueKey(call)).put("status", status).put(
                        "already_done", true);
            }
            throw Refusal.invalid(issueKey(call) + " (status " + status + ") offers no"
                    + " transition '" + wanted + "'; it offers " + names);
        }
        String to = chosen.path("to").path("name").asString("");
        if (!to.isEmpty() && to.equalsIgnoreCase(status)) {
            return object().put("issue_key", issueKey(call)).put("status", status).put(
                    "already_done", true);
        }
        ObjectNode body = object();
        body.putObject("transition").put("id", chosen.path("id").asString());
        call.session().call("POST", issuePath(call) + "/transitions", body);
        return object().put("issue_key", issueKey(call)).put("transition", chosen.path("name")
                .asString(null)).put("status", to.isEmpty() ? null : to);
    }
}
