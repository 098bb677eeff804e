package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.handlers.Results.encodeRef;
import static dev.tollgate.executor.core.handlers.Results.object;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Args;
import dev.tollgate.tools.BranchRule;
import dev.tollgate.tools.Tool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Branches and commits: list_branches, and create_branch and push_files through the Git Data API. */
final class GitDataTools {

    private GitDataTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.LIST_BRANCHES, GitDataTools::listBranches, Tool.LIST_COMMITS,
                GitDataTools::listCommits, Tool.COMPARE_REFS, GitDataTools::compareRefs,
                Tool.GET_TREE, GitDataTools::getTree, Tool.CREATE_BRANCH,
                GitDataTools::createBranch, Tool.PUSH_FILES, GitDataTools::pushFiles);
    }

    /** Commits from a ref, newest first: SHA, first line of the message, author, date. */
    static JsonNode listCommits(ToolCall call) {
        StringJoiner query = new StringJoiner("&", "?", "");
        if (call.text("sha") != null) {
            query.add("sha=" + Paths.encode(call.text("sha")));
        }
        if (call.text("path") != null) {
            query.add("path=" + Paths.encode(call.text("path")));
        }
        query.add("per_page=" + call.args().number("per_page")).add("page=" + call.args().number(
                "page"));
        ArrayNode result = Results.array();
        call.session().get(call.repoPath() + "/commits" + query).forEach(commit -> result.add(
                commit(commit)));
        return result;
    }

    /** Commits ahead and behind, and every changed file with its patch. */
    static JsonNode compareRefs(ToolCall call) {
        JsonNode answer = call.session().get(call.repoPath() + "/compare/" + encodeRef(call
                .requiredText("base")) + "..." + encodeRef(call.requiredText("head")));
        ObjectNode result = Results.pick(answer, "status", "ahead_by", "behind_by",
                "total_commits", "html_url");
        ArrayNode commits = result.putArray("commits");
        answer.path("commits").forEach(commit -> commits.add(commit(commit)));
        ArrayNode files = result.putArray("files");
        answer.path("files").forEach(file -> files.add(Results.pick(file, "filename", "status",
                "previous_filename", "additions", "deletions", "changes", "patch")));
        return result;
    }

    /** The entries of a tree at a ref (the default branch when none is named). */
    static JsonNode getTree(ToolCall call) {
        String ref = call.text("ref") != null
                ? call.text("ref")
                : call.session().get(call.repoPath()).path("default_branch").asString();
        JsonNode answer = call.session().get(call.repoPath() + "/git/trees/" + encodeRef(ref)
                + (Boolean.TRUE.equals(call.args().flag("recursive")) ? "?recursive=1" : ""));
        ObjectNode result = Results.object().put("ref", ref).put("sha", answer.path("sha")
                .asString(null)).put("truncated", answer.path("truncated").asBoolean(false));
        ArrayNode entries = result.putArray("entries");
        answer.path("tree").forEach(entry -> entries.add(Results.pick(entry, "path", "type",
                "size", "sha")));
        return result;
    }

    private static ObjectNode commit(JsonNode commit) {
        String message = commit.path("commit").path("message").asString("");
        return Results.object().put("sha", commit.path("sha").asString(null)).put("message",
                message.lines().findFirst().orElse("")).put("author",
                        commit.path("commit").path(
                                "author").path("name").asString(null))
                .put("date", commit.path("commit").path("author").path("date").asString(null))
                .put("html_url", commit.path("html_url").asString(null));
    }

    /** One page of branches: name, head commit, protected. */
    static JsonNode listBranches(ToolCall call) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (String name : List.of("protected", "per_page", "page")) {
            Object value = call.args().values().get(name);
            if (value != null) {
                query.add(name + "=" + value);
            }
        }
        ArrayNode result = Results.array();
        for (JsonNode branch : call.session().get(call.repoPath() + "/branches" + query)) {
            result.addObject().put("name", branch.path("name").asString(null)).put("sha", branch
                    .path("commit").path("sha").asString(null)).put("protected", branch
                            .path(
                                    "protected")
                            .asBoolean(false));
        }
        return result;
    }

    static JsonNode createBranch(ToolCall call) {
        String branch = agentBranch(call);
        Preconditions.check(call);
        String from = call.text("from");
        if (from == null) {
            from = call.session().get(call.repoPath()).path("default_branch").asString();
        }
        String sha = resolveRef(call, from);
        ObjectNode body = object().put("ref", "refs/heads/" + branch).put("sha", sha);
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
     * One commit with the changes on an {@code agent-} branch through the Git Data API: a tree on
     * the branch's (or the default branch's) tree, text inline and a blob only per binary file,
     * a commit, then the ref created or fast-forwarded. Never a force update.
     */
    static JsonNode pushFiles(ToolCall call) {
        String branch = agentBranch(call);
        Preconditions.check(call);
        String message = call.requiredText("message");
        List<Args> files = call.args().objects("files");
        if (files.isEmpty()) {
            throw Refusal.invalid("argument 'files' must list at least one file");
        }
        Optional<JsonNode> ref = call.session().find(call.repoPath() + "/git/ref/heads/"
                + encodeRef(branch));
        String parent;
        if (ref.isPresent()) {
            parent = ref.get().path("object").path("sha").asString();
            JsonNode head = call.session().get(call.repoPath() + "/git/commits/" + parent);
            if (Markers.carries(head.path("message").asString(null), call.requestId())) {
                return Results
                        .pushResult(call, branch, parent, "html_url",
                                head.path("html_url").asString(null), false)
                        .put("deduplicated", true);
            }
        } else {
            String base = call.session().get(call.repoPath()).path("default_branch").asString();
            parent = resolveRef(call, base);
        }
        String baseTree = call.session().get(call.repoPath() + "/git/commits/" + parent).path(
                "tree").path("sha").asString();
        ArrayNode tree = Results.array();
        for (Args file : files) {
            treeEntries(call, file, tree);
        }
        ObjectNode treeBody = object().put("base_tree", baseTree);
        treeBody.set("tree", tree);
        String treeSha = call.session().call("POST", call.repoPath() + "/git/trees", treeBody)
                .path("sha").asString();
        ObjectNode commitBody = object().put("message", message + "\n\n" + Markers.trailer(call
                .requestId())).put("tree", treeSha);
        commitBody.putArray("parents").add(parent);
        JsonNode commit = call.session().call("POST", call.repoPath() + "/git/commits",
                commitBody);
        String commitSha = commit.path("sha").asString();
        if (ref.isPresent()) {
            ObjectNode update = object().put("sha", commitSha).put("force", false);
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
            ObjectNode create = object().put("ref", "refs/heads/" + branch).put("sha", commitSha);
            call.session().call("POST", call.repoPath() + "/git/refs", create);
        }
        return Results.pushResult(call, branch, commitSha, "html_url",
                commit.path("html_url").asString(null), ref
                        .isEmpty());
    }

    /**
     * The tree entries of one change. Text goes inline in the tree request (GitHub writes its
     * blob), so a push costs the same few writes however many files it carries; only binary
     * content needs a blob of its own. A delete is an entry without a SHA or content; a rename
     * writes the new path and deletes the previous one.
     */
    private static void treeEntries(ToolCall call, Args file, ArrayNode tree) {
        String path = file.text("path");
        if (Boolean.TRUE.equals(file.flag("delete"))) {
            tree.addObject().put("path", path).put("mode", "100644").put("type", "blob").putNull(
                    "sha");
            return;
        }
        ObjectNode entry = tree.addObject().put("path", path).put("mode", Boolean.TRUE.equals(
                file.flag("executable")) ? "100755" : "100644").put("type", "blob");
        if ("base64".equals(file.text("encoding"))) {
            ObjectNode blob = object().put("content", file.text("content")).put("encoding",
                    "base64");
            entry.put("sha", call.session().call("POST", call.repoPath() + "/git/blobs", blob)
                    .path("sha").asString());
        } else {
            entry.put("content", file.text("content"));
        }
        if (file.text("previous_path") != null) {
            tree.addObject().put("path", file.text("previous_path")).put("mode", "100644").put(
                    "type", "blob").putNull("sha");
        }
    }

    /** The branch the target writes, held once more to the branch rule before any write. */
    static String agentBranch(ToolCall call) {
        String branch = call.target().branch();
        if (!BranchRule.isAgentBranch(branch)) {
            throw Refusal.forbidden(BranchRule.refusal(branch));
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

    private static ObjectNode branchResult(String branch, String sha, boolean created) {
        return object().put("branch", branch).put("sha", sha).put("created", created);
    }

}
