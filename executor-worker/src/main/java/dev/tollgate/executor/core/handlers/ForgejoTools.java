package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.encodeRef;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Forgejo/Gitea tools, on the API v1 its servers share (paths relative to
 * {@code https://host/api/v1}): reads, a push of many files in one commit through the contents
 * API (no git credential), draft pull requests and pending reviews. Each write carries the
 * request's marker (a commit trailer, a hidden line in a body) and a redelivered request finds
 * its earlier write instead of writing again, as on GitHub.
 */
final class ForgejoTools {

    /** Forgejo calls a draft pull request one whose title starts so. */
    static final String DRAFT_PREFIX = "WIP: ";
    /** Forgejo's largest page. */
    private static final int MAX_LIMIT = 50;

    private ForgejoTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.FORGEJO_GET_FILE, ContentsTools::getFile,
                Tool.FORGEJO_LIST_PULL_REQUESTS, ForgejoTools::listPullRequests,
                Tool.FORGEJO_LIST_ISSUES, ForgejoTools::listIssues, Tool.FORGEJO_API_GET,
                PassthroughTool::get, Tool.FORGEJO_PUSH_FILES, ForgejoTools::pushFiles,
                Tool.FORGEJO_CREATE_PR, ForgejoTools::createPullRequest,
                Tool.FORGEJO_CREATE_PENDING_REVIEW, ForgejoTools::createPendingReview);
    }

    /** {@code ?state=...&page=...&limit=...} from the call's arguments. */
    private static String listing(ToolCall call, String more) {
        return "?state=" + call.requiredText("state") + more + "&page=" + call.args().number(
                "page") + "&limit=" + Math.min(MAX_LIMIT, call.args().number("per_page"));
    }

    static JsonNode listPullRequests(ToolCall call) {
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/pulls" + listing(call, "")).forEach(pull -> result
                .add(pullRequest(pull)));
        return result;
    }

    static JsonNode listIssues(ToolCall call) {
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/issues" + listing(call, "&type=issues")).forEach(
                issue -> {
                    ObjectNode entry = pick(issue, "number", "title", "state", "comments",
                            "html_url", "created_at", "updated_at");
                    entry.put("author", issue.path("user").path("login").asString(null));
                    ArrayNode labels = entry.putArray("labels");
                    issue.path("labels").forEach(label -> labels.add(label.path("name")
                            .asString("")));
                    result.add(entry);
                });
        return result;
    }

    private static ObjectNode pullRequest(JsonNode pull) {
        ObjectNode entry = pick(pull, "number", "title", "state", "draft", "html_url",
                "created_at", "updated_at");
        entry.put("author", pull.path("user").path("login").asString(null));
        entry.put("head", pull.path("head").path("ref").asString(null));
        entry.put("head_sha", pull.path("head").path("sha").asString(null));
        entry.put("base", pull.path("base").path("ref").asString(null));
        return entry;
    }

    /**
     * Every change in one commit on the agent's branch, through Forgejo's "change files" API: the
     * branch is created from {@code from} (default: the default branch) when it does not exist.
     * Each written path is a create or, when the branch has it already, an update naming the
     * blob it replaces (so a file changed meanwhile is a conflict, not overwritten unseen).
     */
    static JsonNode pushFiles(ToolCall call) {
        String branch = GitDataTools.agentBranch(call);
        Preconditions.check(call);
        Optional<JsonNode> existing = call.session().find(call.repoPath() + "/branches/"
                + encodeRef(branch));
        if (existing.isPresent()) {
            JsonNode head = existing.get().path("commit");
            if (call.mayHaveWrittenBefore() && Markers.carries(head.path("message").asString(
                    null), call.requestId())) {
                return Results.pushResult(call, branch, head.path("id").asString(null), "html_url",
                        head.path("url").asString(null), false).put("deduplicated", true);
            }
        }
        String source = existing.isPresent()
                ? branch
                : Optional.ofNullable(call.text("from")).orElseGet(() -> call.session().get(call
                        .repoPath()).path("default_branch").asString());
        ObjectNode body = object().put("branch", source).put("message", call.requiredText(
                "message") + "\n\n" + Markers.trailer(call.requestId()));
        if (existing.isEmpty()) {
            body.put("new_branch", branch);
        }
        ArrayNode files = body.putArray("files");
        for (Args file : call.args().objects("files")) {
            files.add(change(call, source, file));
        }
        JsonNode answer = call.session().call("POST", call.repoPath() + "/contents", body);
        JsonNode commit = answer.path("commit");
        return Results.pushResult(call, branch, commit.path("sha").asString(null), "html_url",
                commit.path("html_url").asString(null), existing.isEmpty());
    }

    /** One entry of the change: create, update (with the blob it replaces), rename or delete. */
    private static ObjectNode change(ToolCall call, String source, Args file) {
        String path = file.text("path");
        ObjectNode entry = object().put("path", path);
        if (Boolean.TRUE.equals(file.flag("delete"))) {
            return entry.put("operation", "delete").put("sha", blobSha(call, source, path)
                    .orElseThrow(() -> absent(path, source)));
        }
        String content = file.text("content");
        entry.put("content", "base64".equals(file.text("encoding"))
                ? content.replace("\n", "").replace("\r", "")
                : Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)));
        String previous = file.text("previous_path");
        if (previous != null) {
            return entry.put("operation", "update").put("from_path", previous).put("sha", blobSha(
                    call, source, previous).orElseThrow(() -> absent(previous, source)));
        }
        Optional<String> sha = blobSha(call, source, path);
        return sha.isPresent()
                ? entry.put("operation", "update").put("sha", sha.get())
                : entry.put("operation", "create");
    }

    private static GitHubCallException absent(String path, String branch) {
        return new GitHubCallException(GitHubError.of(ErrorClass.NOT_FOUND, 404, path
                + " does not exist on " + branch + ": nothing to delete or rename", null));
    }

    /** The blob SHA of {@code path} on {@code branch}, empty when there is no file there. */
    private static Optional<String> blobSha(ToolCall call, String branch, String path) {
        return call.session().find(call.repoPath() + "/contents/" + Paths.filePath(path) + "?ref="
                + encodeRef(branch)).filter(
                        found -> found.isObject() && "file".equals(found.path(
                                "type").asString("")))
                .map(found -> found.path("sha").asString());
    }

    /**
     * A pull request from the agent's branch; a draft unless the call says otherwise, which
     * Forgejo marks by the title's {@value #DRAFT_PREFIX} prefix. A redelivery finds the one it
     * opened by the marker in its body.
     */
    static JsonNode createPullRequest(ToolCall call) {
        Preconditions.check(call);
        Target target = call.target();
        Optional<JsonNode> earlier = Results.marked(call, () -> call.session().get(call
                .repoPath() + "/pulls?state=open&limit=" + MAX_LIMIT));
        if (earlier.isPresent()) {
            return pullRequest(earlier.get()).put("deduplicated", true);
        }
        boolean draft = !Boolean.FALSE.equals(target.draft());
        String title = call.requiredText("title");
        if (draft && !isDraftTitle(title)) {
            title = DRAFT_PREFIX + title;
        }
        ObjectNode body = object().put("title", title).put("head", target.head().branch()).put(
                "base", target.base()).put("body",
                        Markers.withMarker(call.text("body"), call
                                .requestId()));
        ObjectNode result = pullRequest(call.session().call("POST", call.repoPath() + "/pulls",
                body));
        result.put("draft", result.path("draft").asBoolean(draft));
        return result;
    }

    static boolean isDraftTitle(String title) {
        String lower = title.toLowerCase(Locale.ROOT);
        return lower.startsWith("wip:") || lower.startsWith("[wip]");
    }

    /**
     * A pending review (Forgejo's event {@code PENDING}) with its line comments, carrying the
     * marker in its body; a redelivery finds it among the pull request's reviews.
     */
    static JsonNode createPendingReview(ToolCall call) {
        long number = call.target().numbers().named().get(0);
        String path = call.repoPath() + "/pulls/" + number + "/reviews";
        Optional<JsonNode> earlier = Results.marked(call, () -> call.session().get(path));
        if (earlier.isPresent()) {
            return review(earlier.get()).put("deduplicated", true);
        }
        ObjectNode body = object().put("event", "PENDING").put("body", Markers.withOwner(call
                .text("body"), call.requestId(), call.session().agentId()));
        ArrayNode comments = body.putArray("comments");
        List<Args> given = call.args().objects("comments");
        for (Args comment : given) {
            comments.addObject().put("path", comment.text("path")).put("body", comment.text(
                    "body")).put("new_position", comment.number("line"));
        }
        return review(call.session().call("POST", path, body));
    }

    private static ObjectNode review(JsonNode review) {
        return pick(review, "id", "state", "html_url", "submitted_at");
    }
}
