package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.array;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Pull requests: list them, read one and its files, open one, comment on one. */
final class PullTools {

    private PullTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.LIST_PULL_REQUESTS, PullTools::listPullRequests,
                Tool.GET_PULL_REQUEST, PullTools::getPullRequest, Tool.LIST_PULL_REQUEST_FILES,
                PullTools::listFiles, Tool.CREATE_PR, PullTools::createPullRequest,
                Tool.CREATE_PULL_REQUEST_COMMENT, PullTools::createComment,
                Tool.REQUEST_REVIEWERS, PullTools::requestReviewers, Tool.MARK_READY_FOR_REVIEW,
                PullTools::markReadyForReview, Tool.UPDATE_PULL_REQUEST_BRANCH,
                PullTools::updateBranch);
    }

    static JsonNode getPullRequest(ToolCall call) {
        JsonNode pull = call.session().get(call.repoPath() + "/pulls/" + call.target().numbers()
                .named().get(0));
        ObjectNode result = pick(pull, "number", "title", "state", "draft", "body", "merged",
                "mergeable", "changed_files", "additions", "deletions", "commits",
                "created_at", "updated_at", "html_url");
        result.put("author", pull.path("user").path("login").asString(null));
        result.putObject("head").put("ref", pull.path("head").path("ref").asString(null)).put(
                "sha", pull.path("head").path("sha").asString(null)).put("repository",
                        pull.path(
                                "head").path("repo").path("full_name").asString(null));
        result.putObject("base").put("ref", pull.path("base").path("ref").asString(null)).put(
                "sha", pull.path("base").path("sha").asString(null));
        return result;
    }

    private static final String MARK_READY = "mutation($id: ID!) {"
            + " markPullRequestReadyForReview(input: {pullRequestId: $id}) {"
            + " pullRequest { number isDraft url } } }";

    /**
     * {@code GET /pulls/{n}} for its draft state and node ID, then GraphQL's
     * {@code markPullRequestReadyForReview} (REST cannot change a draft) only if it is a draft:
     * a redelivery finds it ready and writes nothing. GraphQL's refusals come back as 200 with
     * {@code errors}, classified here like REST's.
     */
    static JsonNode markReadyForReview(ToolCall call) {
        Preconditions.check(call);
        long number = call.target().numbers().named().get(0);
        JsonNode pull = call.session().get(call.repoPath() + "/pulls/" + number);
        if (!pull.path("draft").asBoolean(false)) {
            return object().put("number", number).put("draft", false).put("html_url", pull.path(
                    "html_url").asString(null)).put("already_ready", true);
        }
        ObjectNode body = object().put("query", MARK_READY);
        body.putObject("variables").put("id", pull.path("node_id").asString());
        JsonNode answer = call.session().call("POST", "/graphql", body);
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw new GitHubCallException(graphQlError(errors.get(0)));
        }
        JsonNode marked = answer.path("data").path("markPullRequestReadyForReview").path(
                "pullRequest");
        return object().put("number", number).put("draft", marked.path("isDraft").asBoolean(
                false)).put("html_url", marked.path("url").asString(null));
    }

    /**
     * {@code GET /pulls/{n}}, then {@code PUT /pulls/{n}/update-branch} with
     * {@code expected_head_sha}: GitHub merges the base into the head only if the head is still
     * that commit, so the branch only moves forward and two deliveries cannot both update it. The
     * head must be the {@code agent-} branch the decision was made on, in this repository (a fork's
     * head is written with the fork's own grant, through push_files there), and the base the branch
     * it was made on: the base is what the merge reads into the head, so a deny rule on the base
     * branch decided on it. GitHub's update-branch takes no expected base; between this read and
     * the merge only someone who may edit the pull request (no agent tool does) can retarget it.
     * A redelivery that finds the head already moved to a merge of the expected commit answers
     * what the first delivery did, writing nothing.
     */
    static JsonNode updateBranch(ToolCall call) {
        Preconditions.check(call);
        long number = call.target().numbers().named().get(0);
        String branch = call.target().branch();
        String expected = call.requiredText("expected_head_sha").toLowerCase(
                java.util.Locale.ROOT);
        JsonNode pull = call.session().get(call.repoPath() + "/pulls/" + number);
        JsonNode head = pull.path("head");
        String headRepository = head.path("repo").path("full_name").asString("");
        if (!headRepository.equalsIgnoreCase(call.owner() + "/" + call.repo())) {
            throw Refusal.forbidden("pull request #" + number + "'s head is in "
                    + (headRepository.isEmpty() ? "a deleted repository" : headRepository)
                    + ", not " + call.target().repository()
                    + ": update_pull_request_branch updates a head branch in the pull request's"
                    + " own repository only");
        }
        if (!branch.equals(head.path("ref").asString())) {
            throw Refusal.forbidden("pull request #" + number + "'s head branch is '" + head
                    .path("ref").asString() + "', not '" + branch + "'");
        }
        String base = pull.path("base").path("ref").asString("");
        if (!base.equals(call.target().base())) {
            throw Refusal.forbidden("pull request #" + number + "'s base branch is '" + base
                    + "', not '" + call.target().base() + "': the update merges the base into"
                    + " the head, and it was decided for '" + call.target().base() + "'");
        }
        if (!"open".equals(pull.path("state").asString())) {
            throw new GitHubCallException(GitHubError.of(ErrorClass.CONFLICT, 0,
                    "pull request #" + number + " is " + pull.path("state").asString()
                            + ": only an open pull request's branch is updated",
                    null));
        }
        String current = head.path("sha").asString("");
        if (!current.equalsIgnoreCase(expected)) {
            if (call.mayHaveWrittenBefore() && mergedFrom(call, current, expected)) {
                return updated(pull, number, branch, expected).put("head_sha", current).put(
                        "already_updated", true);
            }
            throw new GitHubCallException(GitHubError.of(ErrorClass.CONFLICT, 0,
                    "pull request #" + number + "'s head is " + current + ", not " + expected
                            + ": read it again (get_pull_request) and update from there",
                    null));
        }
        ObjectNode body = object().put("expected_head_sha", expected);
        JsonNode answer = call.session().call("PUT", call.repoPath() + "/pulls/" + number
                + "/update-branch", body);
        return updated(pull, number, branch, expected).put("message", answer.path("message")
                .asString(null));
    }

    private static ObjectNode updated(JsonNode pull, long number, String branch,
            String from) {
        return object().put("number", number).put("branch", branch).put("updated_from", from)
                .put("html_url", pull.path("html_url").asString(null));
    }

    /** Whether {@code sha} is a merge commit whose first parent is {@code expected}. */
    private static boolean mergedFrom(ToolCall call, String sha, String expected) {
        Optional<JsonNode> commit = call.session().find(call.repoPath() + "/git/commits/"
                + Results.encodeRef(sha));
        if (commit.isEmpty()) {
            return false;
        }
        JsonNode parents = commit.get().path("parents");
        return parents.size() == 2 && parents.get(0).path("sha").asString("").equalsIgnoreCase(
                expected);
    }

    /** A GraphQL error (answered 200) as the error class REST would have given. */
    static GitHubError graphQlError(JsonNode error) {
        String type = error.path("type").asString("");
        String message = "GitHub (GraphQL): " + error.path("message").asString("refused");
        ErrorClass errorClass = switch (type) {
            case "NOT_FOUND" -> ErrorClass.NOT_FOUND;
            case "FORBIDDEN" -> ErrorClass.FORBIDDEN;
            case "RATE_LIMITED" -> ErrorClass.SECONDARY_RATE_LIMITED;
            default -> ErrorClass.VALIDATION_FAILED;
        };
        return GitHubError.of(errorClass, 200, message, null);
    }

    /**
     * {@code POST /pulls/{n}/requested_reviewers}: GitHub keeps a user asked once however often
     * it is asked, so a redelivered request needs no marker search and costs one call.
     */
    static JsonNode requestReviewers(ToolCall call) {
        Preconditions.check(call);
        ObjectNode body = object();
        ArrayNode reviewers = body.putArray("reviewers");
        call.args().texts("reviewers").forEach(reviewers::add);
        JsonNode pull = call.session().call("POST", call.repoPath() + "/pulls/" + call.target()
                .numbers().named().get(0) + "/requested_reviewers", body);
        ObjectNode result = pick(pull, "number", "html_url");
        ArrayNode requested = result.putArray("requested_reviewers");
        pull.path("requested_reviewers").forEach(user -> requested.add(user.path("login")
                .asString()));
        return result;
    }

    static JsonNode listFiles(ToolCall call) {
        ArrayNode result = array();
        call.session().get(call.repoPath() + "/pulls/" + call.target().numbers().named().get(0)
                + "/files?per_page=" + call.args().number("per_page") + "&page=" + call.args()
                        .number("page"))
                .forEach(file -> result.add(pick(file, "filename", "status",
                        "previous_filename", "additions", "deletions", "changes", "patch")));
        return result;
    }

    static JsonNode listPullRequests(ToolCall call) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (String name : List.of("state", "head", "base", "per_page", "page")) {
            Object value = call.args().values().get(name);
            if (value != null) {
                query.add(name + "=" + encode(value.toString()));
            }
        }
        JsonNode pulls = call.session().get(call.repoPath() + "/pulls" + query);
        ArrayNode result = array();
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

    /** Opens a draft unless the (allowed) request said {@code draft: false}. */
    static JsonNode createPullRequest(ToolCall call) {
        Preconditions.check(call);
        Optional<JsonNode> earlier = IssueTools.findMarked(call, true);
        if (earlier.isPresent()) {
            return IssueTools.issueResult(earlier.get()).put("deduplicated", true);
        }
        Target target = call.target();
        boolean draft = !Boolean.FALSE.equals(target.draft());
        Target.Head head = target.head();
        boolean fromAnother = !head.repository().equals(target.repository());
        ObjectNode body = object().put("title", call.requiredText("title")).put("head",
                fromAnother ? head.owner() + ":" + head.branch() : head.branch());
        if (fromAnother) {
            // The repository the policy granted, never one GitHub would pick in the network.
            body.put("head_repo", head.repo());
        }
        body.put("base", target.base()).put("body", Markers.withMarker(call.text("body"), call
                .requestId())).put("draft", draft);
        JsonNode pull = call.session().call("POST", call.repoPath() + "/pulls", body);
        ObjectNode result = IssueTools.issueResult(pull);
        result.put("draft", pull.path("draft").asBoolean(draft));
        return result;
    }

    /** A comment on the pull request's conversation (GitHub's issue comments). */
    static JsonNode createComment(ToolCall call) {
        Preconditions.check(call);
        return comment(call, call.target().numbers().named().get(0));
    }

    /**
     * A comment on issue or pull request {@code number}'s conversation, carrying the request's
     * marker; a comment already carrying it (a redelivery) is returned instead.
     */
    static JsonNode comment(ToolCall call, long number) {
        String path = call.repoPath() + "/issues/" + number + "/comments";
        // The conversation's comments come oldest first, with no way to reverse them: only those
        // since the decision (less a margin for clocks) can carry the marker, so a conversation
        // longer than one page still has this request's comment on the first.
        Optional<JsonNode> earlier = Results.marked(call, () -> call.session().get(path
                + "?per_page=" + Results.MARKER_SEARCH_PAGE + "&since=" + Results.since(call)));
        if (earlier.isPresent()) {
            return pick(earlier.get(), "id", "html_url").put("deduplicated", true);
        }
        ObjectNode body = object().put("body", Markers.withMarker(call.requiredText("body"), call
                .requestId()));
        return pick(call.session().call("POST", path, body), "id", "html_url");
    }
}
