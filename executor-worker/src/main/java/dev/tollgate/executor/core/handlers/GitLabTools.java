package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The GitLab tools, on its REST API v4 (paths relative to {@code https://host/api/v4}), a
 * project addressed by its URL-encoded full path: reads, a push of many files in one commit
 * (the commits API with actions: no git credential), draft merge requests and approvals. Each
 * write carries the request's marker (a commit trailer, a hidden line in a description) or is
 * checked first (an approval), so a redelivered request never writes twice.
 */
final class GitLabTools {

    /** GitLab calls a merge request a draft when its title starts so. */
    static final String DRAFT_PREFIX = "Draft: ";

    private GitLabTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.GITLAB_GET_FILE, GitLabTools::getFile, Tool.GITLAB_LIST_MERGE_REQUESTS,
                GitLabTools::listMergeRequests, Tool.GITLAB_LIST_ISSUES, GitLabTools::listIssues,
                Tool.GITLAB_API_GET, GitLabTools::get, Tool.GITLAB_PUSH_FILES,
                GitLabTools::pushFiles, Tool.GITLAB_CREATE_MR, GitLabTools::createMergeRequest,
                Tool.GITLAB_APPROVE_MR, GitLabTools::approve);
    }

    /** {@code /projects/group%2Fsub%2Fproject}: the decided project, its path one segment. */
    static String project(ToolCall call) {
        return "/projects/" + Paths.encode(call.target().repository());
    }

    /**
     * The decided project as GitLab answers it, when it is that project. GitLab answers a moved or
     * renamed project's old path (and its group's) with the project where it is now, wherever
     * that is; the policy spoke about the path, not about whatever once had it.
     *
     * @throws GitHubCallException {@code forbidden} when GitLab answers another project
     */
    static JsonNode decidedProject(ToolCall call) {
        return inDecidedProject(call, call.session().get(project(call)));
    }

    /** {@code answer}, GitLab's answer for the decided project's path, when it is that project. */
    private static JsonNode inDecidedProject(ToolCall call, JsonNode answer) {
        String decided = call.target().repository();
        if (!answer.path("path_with_namespace").asString("").equalsIgnoreCase(decided)) {
            throw Refusal.forbidden("GitLab answered another project for " + decided + " (a"
                    + " project that moved away leaves its old path pointing at it): the policy"
                    + " allowed " + decided + " only; nothing was done");
        }
        return answer;
    }

    /**
     * A file's path as GitLab's files API takes it: the whole path one segment, encoded once
     * ({@code docs%2Fa%20b.txt}), so GitLab reads the very path the policy decided on; encoding
     * it segment by segment first and then whole would have GitLab read {@code docs/a%20b.txt}.
     */
    private static String encodePath(String path) {
        Paths.filePath(path); // refuses traversal
        return Paths.encode(path);
    }

    /** One file at a ref (default: the default branch), in the shape every forge's get_file has. */
    static JsonNode getFile(ToolCall call) {
        String path = call.target().paths().named().get(0);
        JsonNode decided = decidedProject(call);
        String ref = call.text("ref") != null
                ? call.text("ref")
                : decided.path("default_branch").asString();
        JsonNode file = call.session().get(project(call) + "/repository/files/" + encodePath(path)
                + "?ref=" + Paths.encode(ref));
        ObjectNode shaped = object().put("path", file.path("file_path").asString(path)).put(
                "type", "file").put("sha", file.path("blob_id").asString(null)).put("size", file
                        .path("size").asLong())
                .put("encoding", file.path("encoding").asString(
                        ""))
                .put("content", file.path("content").asString(""));
        return ContentsTools.fileResult(call, path, shaped);
    }

    private static String listing(ToolCall call) {
        return "?state=" + call.requiredText("state") + "&page=" + call.args().number("page")
                + "&per_page=" + call.args().number("per_page");
    }

    static JsonNode listMergeRequests(ToolCall call) {
        decidedProject(call);
        ArrayNode result = array();
        call.session().get(project(call) + "/merge_requests" + listing(call)).forEach(mr -> result
                .add(mergeRequest(mr)));
        return result;
    }

    private static ObjectNode mergeRequest(JsonNode mr) {
        ObjectNode entry = pick(mr, "iid", "title", "state", "draft", "web_url", "source_branch",
                "target_branch", "sha", "created_at", "updated_at");
        entry.put("author", mr.path("author").path("username").asString(null));
        return entry;
    }

    static JsonNode listIssues(ToolCall call) {
        decidedProject(call);
        ArrayNode result = array();
        call.session().get(project(call) + "/issues" + listing(call)).forEach(issue -> {
            ObjectNode entry = pick(issue, "iid", "title", "state", "labels", "user_notes_count",
                    "web_url", "created_at", "updated_at");
            entry.put("author", issue.path("author").path("username").asString(null));
            result.add(entry);
        });
        return result;
    }

    /** The passthrough: a GET of a route its definition opened, under the decided project. */
    static JsonNode get(ToolCall call) {
        String route = call.text("route");
        if (route != null) {
            decidedProject(call);
        }
        StringBuilder path = new StringBuilder(project(call));
        if (route != null) {
            for (String segment : route.split("/")) {
                path.append('/').append(Paths.encode(segment));
            }
        }
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        new TreeMap<>(call.args().strings("query")).forEach((k, v) -> query.add(Paths.encode(k)
                + "=" + Paths.encode(v)));
        JsonNode answer = PassthroughTool.whole(call, path + query.toString(), route == null
                ? "the project"
                : route);
        return route == null ? inDecidedProject(call, answer) : answer;
    }

    /**
     * The decision's preconditions, with GitLab's words for them: the project's
     * {@code default_branch}, a branch's {@code protected}, {@code forked_from_project}.
     */
    private static void preconditions(ToolCall call, Optional<JsonNode> branch,
            JsonNode projectInfo) {
        String written = call.target().branch();
        for (String precondition : call.preconditions()) {
            switch (precondition) {
                case "require-fork" -> {
                    if (projectInfo.path("forked_from_project").isMissingNode() || projectInfo
                            .path("forked_from_project").isNull()) {
                        throw Refusal.forbidden("precondition require-fork failed: " + call
                                .target().repository() + " is not a fork");
                    }
                }
                case "branch-not-default" -> {
                    if (written.equals(projectInfo.path("default_branch").asString())) {
                        throw Refusal.forbidden("precondition branch-not-default failed: "
                                + written + " is the default branch");
                    }
                }
                case "branch-not-protected" -> {
                    if (branch.isPresent() && branch.get().path("protected").asBoolean(false)) {
                        throw Refusal.forbidden("precondition branch-not-protected failed: "
                                + written + " is protected");
                    }
                }
                default -> throw Refusal.forbidden("unknown precondition '" + precondition
                        + "': refusing rather than acting unchecked");
            }
        }
    }

    /**
     * Every change in one commit on the agent's branch through the commits API: the branch is
     * started from {@code from} (default: the default branch) when it does not exist. A written
     * path the branch has already is an update naming the last commit that changed it (a file
     * changed meanwhile is a conflict, not overwritten unseen).
     */
    static JsonNode pushFiles(ToolCall call) {
        String branch = GitDataTools.agentBranch(call);
        JsonNode projectInfo = decidedProject(call);
        Optional<JsonNode> existing = call.session().find(project(call)
                + "/repository/branches/" + Paths.encode(branch));
        preconditions(call, existing, projectInfo);
        if (existing.isPresent() && call.mayHaveWrittenBefore() && Markers.carries(existing.get()
                .path("commit").path("message").asString(null), call.requestId())) {
            JsonNode head = existing.get().path("commit");
            return Results.pushResult(call, branch, head.path("id").asString(null), "web_url", head
                    .path("web_url").asString(null), false).put("deduplicated", true);
        }
        String source = existing.isPresent()
                ? branch
                : Optional.ofNullable(call.text("from")).orElseGet(() -> projectInfo.path(
                        "default_branch").asString());
        ObjectNode body = object().put("branch", branch).put("commit_message", call
                .requiredText("message") + "\n\n" + Markers.trailer(call.requestId()));
        if (existing.isEmpty()) {
            body.put("start_branch", source);
        }
        ArrayNode actions = body.putArray("actions");
        for (Args file : call.args().objects("files")) {
            actions.add(action(call, source, file));
        }
        JsonNode commit = call.session().call("POST", project(call) + "/repository/commits",
                body);
        return Results.pushResult(call, branch, commit.path("id").asString(null), "web_url",
                commit.path("web_url").asString(null), existing.isEmpty());
    }

    private static ObjectNode action(ToolCall call, String source, Args file) {
        String path = file.text("path");
        ObjectNode action = object().put("file_path", path);
        if (Boolean.TRUE.equals(file.flag("delete"))) {
            lastCommit(call, source, path).orElseThrow(() -> absent(path, source));
            return action.put("action", "delete");
        }
        boolean base64 = "base64".equals(file.text("encoding"));
        action.put("content", base64
                ? file.text("content").replace("\n", "").replace("\r", "")
                : file.text("content")).put("encoding", base64 ? "base64" : "text");
        String previous = file.text("previous_path");
        if (previous != null) {
            lastCommit(call, source, previous).orElseThrow(() -> absent(previous, source));
            return action.put("action", "move").put("previous_path", previous);
        }
        Optional<String> last = lastCommit(call, source, path);
        return last.isPresent()
                ? action.put("action", "update").put("last_commit_id", last.get())
                : action.put("action", "create");
    }

    private static GitHubCallException absent(String path, String branch) {
        return new GitHubCallException(GitHubError.of(ErrorClass.NOT_FOUND, 404, path
                + " does not exist on " + branch + ": nothing to delete or move", null));
    }

    /** The last commit that changed {@code path} on {@code branch}; empty when it is absent. */
    private static Optional<String> lastCommit(ToolCall call, String branch, String path) {
        return call.session().find(project(call) + "/repository/files/" + encodePath(path)
                + "?ref=" + Paths.encode(branch)).map(
                        file -> file.path("last_commit_id")
                                .asString());
    }

    /**
     * A merge request from the agent's branch; a draft unless the call says otherwise, which
     * GitLab marks by the title's {@value #DRAFT_PREFIX} prefix. A redelivery finds the one it
     * opened by the marker in its description.
     */
    static JsonNode createMergeRequest(ToolCall call) {
        Target target = call.target();
        decidedProject(call);
        String source = target.head().branch();
        Optional<JsonNode> earlier = Results.marked(call, () -> {
            java.util.List<JsonNode> open = new java.util.ArrayList<>();
            call.session().get(project(call) + "/merge_requests?state=opened&source_branch="
                    + Paths.encode(source) + "&per_page=100").forEach(
                            mr -> open.add(object().put(
                                    "body", mr.path("description").asString("")).set("mr", mr)));
            return open;
        });
        if (earlier.isPresent()) {
            return mergeRequest(earlier.get().path("mr")).put("deduplicated", true);
        }
        boolean draft = !Boolean.FALSE.equals(target.draft());
        String title = call.requiredText("title");
        if (draft && !isDraftTitle(title)) {
            title = DRAFT_PREFIX + title;
        }
        ObjectNode body = object().put("source_branch", source).put("target_branch", target
                .base()).put("title", title).put("description", Markers.withMarker(call.text(
                        "description"), call.requestId()));
        ObjectNode result = mergeRequest(call.session().call("POST", project(call)
                + "/merge_requests", body));
        result.put("draft", result.path("draft").asBoolean(draft));
        return result;
    }

    static boolean isDraftTitle(String title) {
        String lower = title.toLowerCase(Locale.ROOT);
        return lower.startsWith("draft:") || lower.startsWith("[draft]") || lower.startsWith(
                "(draft)");
    }

    /**
     * An approval by the gateway's GitLab user, unless it has approved already (then
     * {@code already_approved}, no write): approving is once per user, so a redelivery finds its
     * approval and writes nothing.
     */
    static JsonNode approve(ToolCall call) {
        long iid = call.target().numbers().named().get(0);
        decidedProject(call);
        String path = project(call) + "/merge_requests/" + iid;
        String me = call.session().get("/user").path("username").asString("");
        for (JsonNode approver : call.session().get(path + "/approvals").path("approved_by")) {
            if (approver.path("user").path("username").asString("").equalsIgnoreCase(me)) {
                return object().put("iid", iid).put("approved", true).put("already_approved",
                        true);
            }
        }
        JsonNode answer = call.session().call("POST", path + "/approve", null);
        return object().put("iid", iid).put("approved", true).put("approvals_left", answer.path(
                "approvals_left").asInt(0));
    }
}
