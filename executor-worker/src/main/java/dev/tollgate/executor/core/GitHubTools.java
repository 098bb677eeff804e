package dev.tollgate.executor.core;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every catalogued tool as its GitHub REST calls, with results trimmed to what agents need. Writes
 * that create something visible (issues, pull requests, comments, reviews, check runs, commits) look
 * for their request's hidden marker first, so a redelivered request finds its earlier write.
 */
public final class GitHubTools {

    /** Branches agents may create and push to. */
    public static final String AGENT_BRANCH_PREFIX = "agent-";
    /** How much of a passthrough answer an agent gets. */
    static final int MAX_PASSTHROUGH_CHARS = 512 * 1024;
    /** How many recent items are searched for a marker. */
    static final int MARKER_SEARCH_PAGE = 100;

    private GitHubTools() {
    }

    /** Performs the call; returns the trimmed result. */
    public static JsonNode perform(ToolCall call) {
        return switch (call.action()) {
            case READ_REPO -> readRepo(call);
            case GET_FILE -> getFile(call);
            case LIST_PULL_REQUESTS -> listPullRequests(call);
            case GITHUB_API_GET -> apiGet(call);
            case CREATE_ISSUE -> createIssue(call);
            case CREATE_PR -> createPullRequest(call);
            case CREATE_PULL_REQUEST_COMMENT -> createComment(call);
            case CREATE_CHECK_RUN -> createCheckRun(call);
            case CREATE_PENDING_REVIEW -> createPendingReview(call);
            case CREATE_BRANCH -> createBranch(call);
            case PUSH_FILES -> pushFiles(call);
            case STATUS, GET_REQUEST_STATUS -> throw ToolCallExecutor.invalid(call.action()
                    .toolName() + " is answered by the ingress, not the executor");
        };
    }

    // ---- reads -------------------------------------------------------------------------------

    static JsonNode readRepo(ToolCall call) {
        JsonNode repo = call.session().get(call.repoPath());
        ObjectNode result = pick(repo, "full_name", "description", "default_branch",
                "visibility", "private", "fork", "archived", "html_url", "topics");
        ArrayNode entries = result.putArray("entries");
        call.session().find(call.repoPath() + "/contents/").ifPresent(listing -> listing.forEach(
                entry -> entries.add(pick(entry, "name", "path", "type", "size"))));
        return result;
    }

    static JsonNode getFile(ToolCall call) {
        String path = call.requiredText("path");
        String ref = call.text("ref");
        JsonNode answer = call.session().get(call.repoPath() + "/contents/" + Paths.filePath(path)
                + (ref == null ? "" : "?ref=" + encode(ref)));
        if (answer.isArray()) {
            ObjectNode result = GitHubSession.JSON.createObjectNode().put("path", path).put(
                    "type", "dir");
            ArrayNode entries = result.putArray("entries");
            answer.forEach(entry -> entries.add(pick(entry, "name", "path", "type", "size")));
            return result;
        }
        ObjectNode result = pick(answer, "path", "type", "sha", "size", "html_url");
        String encoding = answer.path("encoding").asString("");
        if (encoding.equals("base64")) {
            byte[] bytes = Base64.getMimeDecoder().decode(answer.path("content").asString(""));
            try {
                result.put("encoding", "utf-8").put("content", StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes))
                        .toString());
            } catch (CharacterCodingException e) {
                result.put("encoding", "base64").put("content", Base64.getEncoder()
                        .encodeToString(bytes));
            }
        } else {
            result.put("encoding", encoding).put("note",
                    "content not inline (file larger than GitHub returns through this API)");
        }
        return result;
    }

    static JsonNode listPullRequests(ToolCall call) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (String name : List.of("state", "head", "base", "per_page", "page")) {
            String value = call.text(name);
            if (value != null) {
                query.add(name + "=" + encode(value));
            }
        }
        JsonNode pulls = call.session().get(call.repoPath() + "/pulls" + query);
        ArrayNode result = GitHubSession.JSON.createArrayNode();
        pulls.forEach(pull -> {
            ObjectNode item = pick(pull, "number", "title", "state", "draft", "html_url",
                    "created_at", "updated_at");
            item.put("author", pull.path("user").path("login").asString(null));
            item.put("head", pull.path("head").path("ref").asString(null));
            item.put("base", pull.path("base").path("ref").asString(null));
            result.add(item);
        });
        return result;
    }

    /** GET under {@code /repos/{owner}/{repo}} of a decided repository, and nothing else. */
    static JsonNode apiGet(ToolCall call) {
        String path = call.requiredText("path");
        String[] parts = path.split("/", -1);
        if (parts.length < 4 || !parts[0].isEmpty() || !parts[1].equals("repos")) {
            throw ToolCallExecutor.forbidden("github_api_get only reads paths under"
                    + " /repos/{owner}/{repo}: " + path);
        }
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.contains("%")
                    || part.contains("\\") || part.contains("?") || part.contains("#")) {
                throw ToolCallExecutor.forbidden("github_api_get refuses path " + path
                        + " (empty, dot or encoded segments, or a query in the path)");
            }
        }
        String target = (parts[2] + "/" + parts[3]).toLowerCase(Locale.ROOT);
        boolean decided = call.repositories().stream().anyMatch(r -> r.toLowerCase(Locale.ROOT)
                .equals(target)) && target.equals((call.owner() + "/" + call.repo()).toLowerCase(
                        Locale.ROOT));
        if (!decided) {
            throw ToolCallExecutor.forbidden("github_api_get path " + path
                    + " is outside the decided repository " + call.owner() + "/" + call.repo());
        }
        StringBuilder encodedPath = new StringBuilder("/repos/" + Paths.segment(parts[2]) + "/"
                + Paths.segment(parts[3]));
        for (int i = 4; i < parts.length; i++) {
            encodedPath.append('/').append(encode(parts[i]));
        }
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        JsonNode params = call.arguments().path("query");
        Map<String, String> sorted = new TreeMap<>();
        params.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asString()));
        sorted.forEach((k, v) -> query.add(encode(k) + "=" + encode(v)));
        GitHubResponse response = call.session().send("GET", encodedPath + query.toString(),
                Optional.empty());
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(response));
        }
        String body = response.body();
        if (body.length() > MAX_PASSTHROUGH_CHARS) {
            return GitHubSession.JSON.createObjectNode().put("truncated", true).put("body", body
                    .substring(0, MAX_PASSTHROUGH_CHARS));
        }
        return body.isBlank()
                ? GitHubSession.JSON.createObjectNode()
                : GitHubSession.JSON.readTree(body);
    }

    // ---- writes that create one visible thing ------------------------------------------------

    static JsonNode createIssue(ToolCall call) {
        checkPreconditions(call, null);
        Optional<JsonNode> earlier = findMarkedIssue(call, false);
        if (earlier.isPresent()) {
            return issueResult(earlier.get()).put("deduplicated", true);
        }
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("title", call.requiredText(
                "title")).put("body", Markers.withMarker(call.text("body"), call.requestId()));
        if (call.arguments().has("labels")) {
            body.set("labels", call.arguments().get("labels"));
        }
        return issueResult(call.session().call("POST", call.repoPath() + "/issues", body));
    }

    /** Opens a draft unless the (allowed) request said {@code draft: false}. */
    static JsonNode createPullRequest(ToolCall call) {
        checkPreconditions(call, null);
        Optional<JsonNode> earlier = findMarkedIssue(call, true);
        if (earlier.isPresent()) {
            return issueResult(earlier.get()).put("deduplicated", true);
        }
        boolean draft = call.arguments().path("draft").asBoolean(true);
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("title", call.requiredText(
                "title")).put("head", call.requiredText("head")).put("base", call.requiredText(
                        "base"))
                .put("body", Markers.withMarker(call.text("body"), call
                        .requestId()))
                .put("draft", draft);
        JsonNode pull = call.session().call("POST", call.repoPath() + "/pulls", body);
        ObjectNode result = issueResult(pull);
        result.put("draft", pull.path("draft").asBoolean(draft));
        return result;
    }

    static JsonNode createComment(ToolCall call) {
        checkPreconditions(call, null);
        long number = call.number("pull_number");
        String path = call.repoPath() + "/issues/" + number + "/comments";
        // Comments list oldest first: read the last page window GitHub gives for recent comments.
        for (JsonNode comment : call.session().get(path + "?per_page=" + MARKER_SEARCH_PAGE)) {
            if (Markers.carries(comment.path("body").asString(null), call.requestId())) {
                return pick(comment, "id", "html_url").put("deduplicated", true);
            }
        }
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("body", Markers.withMarker(
                call.requiredText("body"), call.requestId()));
        return pick(call.session().call("POST", path, body), "id", "html_url");
    }

    static JsonNode createPendingReview(ToolCall call) {
        checkPreconditions(call, null);
        long number = call.number("pull_number");
        String path = call.repoPath() + "/pulls/" + number + "/reviews";
        for (JsonNode review : call.session().get(path + "?per_page=" + MARKER_SEARCH_PAGE)) {
            if (Markers.carries(review.path("body").asString(null), call.requestId())) {
                return pick(review, "id", "state", "html_url").put("deduplicated", true);
            }
        }
        // No "event": GitHub keeps the review PENDING until a human submits it.
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("body", Markers.withMarker(
                call.text("body"), call.requestId()));
        if (call.text("commit_id") != null) {
            body.put("commit_id", call.text("commit_id"));
        }
        ArrayNode comments = body.putArray("comments");
        call.arguments().path("comments").forEach(comment -> comments.add(pick(comment, "path",
                "line", "side", "body")));
        return pick(call.session().call("POST", path, body), "id", "state", "html_url");
    }

    /** The check run's {@code external_id} is the request ID: found again on redelivery. */
    static JsonNode createCheckRun(ToolCall call) {
        checkPreconditions(call, null);
        String name = call.requiredText("name");
        String headSha = call.requiredText("head_sha");
        JsonNode existing = call.session().get(call.repoPath() + "/commits/" + encode(headSha)
                + "/check-runs?filter=all&per_page=" + MARKER_SEARCH_PAGE + "&check_name="
                + encode(name));
        for (JsonNode run : existing.path("check_runs")) {
            if (call.requestId().equals(run.path("external_id").asString(null))) {
                return pick(run, "id", "name", "status", "conclusion", "html_url").put(
                        "deduplicated", true);
            }
        }
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("name", name).put("head_sha",
                headSha).put("external_id", call.requestId());
        String status = call.text("status");
        body.put("status", status == null ? "completed" : status);
        if (call.text("conclusion") != null) {
            body.put("conclusion", call.text("conclusion"));
        }
        if (call.text("title") != null || call.text("summary") != null) {
            body.putObject("output").put("title", call.text("title") == null
                    ? name
                    : call.text("title")).put("summary", call.text("summary") == null
                            ? ""
                            : call.text("summary"));
        }
        return pick(call.session().call("POST", call.repoPath() + "/check-runs", body), "id",
                "name", "status", "conclusion", "html_url");
    }

    // ---- branches and commits ----------------------------------------------------------------

    static JsonNode createBranch(ToolCall call) {
        String branch = agentBranch(call);
        checkPreconditions(call, branch);
        String from = call.text("from");
        if (from == null) {
            from = call.session().get(call.repoPath()).path("default_branch").asString();
        }
        String sha = resolveRef(call, from);
        ObjectNode body = GitHubSession.JSON.createObjectNode().put("ref", "refs/heads/" + branch)
                .put("sha", sha);
        GitHubResponse response = call.session().send("POST", call.repoPath() + "/git/refs",
                Optional.of(body.toString()));
        if (response.status() == 422) {
            Optional<JsonNode> existing = call.session().find(call.repoPath() + "/git/ref/heads/"
                    + encodeRef(branch));
            if (existing.isPresent() && sha.equals(existing.get().path("object").path("sha")
                    .asString())) {
                // Already there at the same commit: a redelivery, or an identical earlier call.
                return branchResult(branch, sha, false).put("deduplicated", true);
            }
            GitHubError error = call.session().classify(response);
            if (existing.isEmpty()) {
                throw new GitHubCallException(error); // refused for another reason
            }
            throw new GitHubCallException(new GitHubError(ErrorClass.CONFLICT, error.status(),
                    "branch " + branch + " already exists at another commit", Optional.empty(),
                    Optional.empty(), error.fieldErrors(), error.documentationUrl()));
        }
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(response));
        }
        return branchResult(branch, sha, true);
    }

    /**
     * One commit with the files on an {@code agent-} branch through the Git Data API: blobs, a
     * tree on the branch's (or the default branch's) tree, a commit, then the ref created or
     * fast-forwarded. Never a force update.
     */
    static JsonNode pushFiles(ToolCall call) {
        String branch = agentBranch(call);
        checkPreconditions(call, branch);
        String message = call.requiredText("message");
        JsonNode files = call.arguments().path("files");
        if (!files.isArray() || files.isEmpty()) {
            throw ToolCallExecutor.invalid("argument 'files' must list at least one file");
        }
        Optional<JsonNode> ref = call.session().find(call.repoPath() + "/git/ref/heads/"
                + encodeRef(branch));
        String parent;
        if (ref.isPresent()) {
            parent = ref.get().path("object").path("sha").asString();
            JsonNode head = call.session().get(call.repoPath() + "/git/commits/" + parent);
            if (Markers.carries(head.path("message").asString(null), call.requestId())) {
                return pushResult(branch, parent, head.path("html_url").asString(null), files,
                        false).put("deduplicated", true);
            }
        } else {
            String base = call.session().get(call.repoPath()).path("default_branch").asString();
            parent = resolveRef(call, base);
        }
        String baseTree = call.session().get(call.repoPath() + "/git/commits/" + parent).path(
                "tree").path("sha").asString();
        ArrayNode tree = GitHubSession.JSON.createArrayNode();
        List<String> paths = new ArrayList<>();
        for (JsonNode file : files) {
            String path = file.path("path").asString("");
            Paths.filePath(path);
            ObjectNode blob = GitHubSession.JSON.createObjectNode().put("content", file.path(
                    "content").asString("")).put("encoding", "utf-8");
            String blobSha = call.session().call("POST", call.repoPath() + "/git/blobs", blob)
                    .path("sha").asString();
            tree.addObject().put("path", path).put("mode", "100644").put("type", "blob").put(
                    "sha", blobSha);
            paths.add(path);
        }
        ObjectNode treeBody = GitHubSession.JSON.createObjectNode().put("base_tree", baseTree);
        treeBody.set("tree", tree);
        String treeSha = call.session().call("POST", call.repoPath() + "/git/trees", treeBody)
                .path("sha").asString();
        ObjectNode commitBody = GitHubSession.JSON.createObjectNode().put("message", message
                + "\n\n" + Markers.trailer(call.requestId())).put("tree", treeSha);
        commitBody.putArray("parents").add(parent);
        JsonNode commit = call.session().call("POST", call.repoPath() + "/git/commits",
                commitBody);
        String commitSha = commit.path("sha").asString();
        if (ref.isPresent()) {
            ObjectNode update = GitHubSession.JSON.createObjectNode().put("sha", commitSha).put(
                    "force", false);
            GitHubResponse response = call.session().send("PATCH", call.repoPath()
                    + "/git/refs/heads/" + encodeRef(branch), Optional.of(update.toString()));
            if (response.status() == 422) {
                // The branch moved since we read it: fast-forward only, so the agent retries.
                GitHubError error = call.session().classify(response);
                throw new GitHubCallException(new GitHubError(ErrorClass.CONFLICT, 422, "branch "
                        + branch + " moved while pushing (" + error.message()
                        + "); nothing was force-updated", Optional.empty(), Optional.empty(),
                        List.of(), error.documentationUrl()));
            }
            if (!response.isSuccess()) {
                throw new GitHubCallException(call.session().classify(response));
            }
        } else {
            ObjectNode create = GitHubSession.JSON.createObjectNode().put("ref", "refs/heads/"
                    + branch).put("sha", commitSha);
            call.session().call("POST", call.repoPath() + "/git/refs", create);
        }
        return pushResult(branch, commitSha, commit.path("html_url").asString(null), files, ref
                .isEmpty());
    }

    // ---- preconditions -----------------------------------------------------------------------

    /**
     * The decision's preconditions, checked with the token before acting. Unknown ones refuse the
     * call: a check we cannot make is a check that failed.
     */
    static void checkPreconditions(ToolCall call, String branch) {
        JsonNode repo = null;
        for (String precondition : call.preconditions()) {
            switch (precondition) {
                case "require-fork" -> {
                    repo = repo == null ? call.session().get(call.repoPath()) : repo;
                    if (!repo.path("fork").asBoolean(false)) {
                        throw ToolCallExecutor.forbidden("precondition require-fork failed: "
                                + call.owner() + "/" + call.repo() + " is not a fork");
                    }
                }
                case "branch-not-default" -> {
                    requireBranch(precondition, branch);
                    repo = repo == null ? call.session().get(call.repoPath()) : repo;
                    if (branch.equals(repo.path("default_branch").asString())) {
                        throw ToolCallExecutor.forbidden("precondition branch-not-default failed: "
                                + branch + " is the default branch");
                    }
                }
                case "branch-not-protected" -> {
                    requireBranch(precondition, branch);
                    Optional<JsonNode> found = call.session().find(call.repoPath() + "/branches/"
                            + encodeRef(branch));
                    if (found.isPresent() && found.get().path("protected").asBoolean(false)) {
                        throw ToolCallExecutor.forbidden(
                                "precondition branch-not-protected failed: " + branch
                                        + " is protected");
                    }
                }
                default -> throw ToolCallExecutor.forbidden("unknown precondition '"
                        + precondition + "': refusing rather than acting unchecked");
            }
        }
    }

    private static void requireBranch(String precondition, String branch) {
        if (branch == null) {
            throw ToolCallExecutor.forbidden("precondition " + precondition
                    + " names a branch, but this tool writes none: refusing");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static String agentBranch(ToolCall call) {
        String branch = call.requiredText("branch");
        if (!branch.startsWith(AGENT_BRANCH_PREFIX) || branch.contains("..") || branch.endsWith(
                "/") || branch.contains("//")) {
            throw ToolCallExecutor.forbidden("branch " + branch + " is not an agent branch (must"
                    + " start with " + AGENT_BRANCH_PREFIX + ")");
        }
        return branch;
    }

    /** A branch (or, failing that, a tag) to its commit SHA. */
    private static String resolveRef(ToolCall call, String name) {
        Optional<JsonNode> head = call.session().find(call.repoPath() + "/git/ref/heads/"
                + encodeRef(name));
        Optional<JsonNode> ref = head.isPresent()
                ? head
                : call.session().find(call.repoPath() + "/git/ref/tags/" + encodeRef(name));
        return ref.orElseThrow(() -> new GitHubCallException(GitHubError.of(ErrorClass.NOT_FOUND,
                404, "no branch or tag named " + name, null))).path("object").path("sha")
                .asString();
    }

    /**
     * Finds an issue, or a pull request, carrying this request's marker among the newest (pull
     * requests through the pulls list, which {@code pull_requests} permission can read).
     */
    private static Optional<JsonNode> findMarkedIssue(ToolCall call, boolean pull) {
        JsonNode recent = call.session().get(call.repoPath() + (pull ? "/pulls" : "/issues")
                + "?state=all&sort=created&direction=desc&per_page=" + MARKER_SEARCH_PAGE);
        for (JsonNode issue : recent) {
            boolean isPull = pull || issue.has("pull_request");
            if (isPull == pull && Markers.carries(issue.path("body").asString(null), call
                    .requestId())) {
                return Optional.of(issue);
            }
        }
        return Optional.empty();
    }

    private static ObjectNode issueResult(JsonNode issue) {
        return pick(issue, "number", "title", "state", "html_url");
    }

    private static ObjectNode branchResult(String branch, String sha, boolean created) {
        return GitHubSession.JSON.createObjectNode().put("branch", branch).put("sha", sha).put(
                "created", created);
    }

    private static ObjectNode pushResult(String branch, String sha, String url, JsonNode files,
            boolean created) {
        ObjectNode result = GitHubSession.JSON.createObjectNode().put("branch", branch).put(
                "commit", sha).put("html_url", url).put("branch_created", created);
        ArrayNode paths = result.putArray("files");
        files.forEach(file -> paths.add(file.path("path").asString()));
        return result;
    }

    static ObjectNode pick(JsonNode from, String... fields) {
        ObjectNode result = GitHubSession.JSON.createObjectNode();
        for (String field : fields) {
            JsonNode value = from.get(field);
            if (value != null && !value.isNull()) {
                result.set(field, value);
            }
        }
        return result;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Ref names keep their '/' (agent-x/y) but each part is encoded. */
    static String encodeRef(String ref) {
        StringJoiner joined = new StringJoiner("/");
        for (String part : ref.split("/")) {
            joined.add(encode(part));
        }
        return joined.toString();
    }
}
